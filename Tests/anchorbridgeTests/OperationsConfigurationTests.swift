import AnchorCore
import Foundation
import PlanExecutor
import Testing

@testable import anchorbridge

/// The `matching`, `safety`, `state` and `report` sections, and the pure parts of the wiring
/// (exit-code mapping, metrics text, tenant cache merging).
@Suite struct OperationsConfigurationTests {
  @Test func loadsTheDocumentedShapeAndDefaults() throws {
    let config = try Configuration(
      yaml: """
        matching:
          order: [mapping, userPrincipalName]
          mappingFile: /etc/anchorbridge/mapping.csv
          includeDisabled: true
          allowRelink: true
        safety: { maxChanges: 120 }
        state: { dir: /var/lib/anchorbridge-test }
        report: { dir: /tmp/reports, prometheusTextfile: /tmp/ab.prom }
        """, file: "c.yaml")
    #expect(config.matching.order == [.mapping, .userPrincipalName])
    #expect(config.matching.mappingFile == "/etc/anchorbridge/mapping.csv")
    #expect(config.matching.planSettings.includeDisabled)
    #expect(config.matching.planSettings.allowRelink)
    #expect(config.safety.maxChanges == 120)
    #expect(config.state.dir == "/var/lib/anchorbridge-test")
    #expect(config.report.prometheusTextfile == "/tmp/ab.prom")
    #expect(!config.writeback.allowReplace)
    #expect(
      try Configuration(yaml: "writeback: { allowReplace: true }", file: "c.yaml").writeback
        .allowReplace)

    let defaults = try Configuration(yaml: "state: { dir: /x }", file: "c.yaml")
    #expect(defaults.safety.maxChanges == 50)
    #expect(defaults.matching.order == MatchRule.defaultOrder)
    #expect(!defaults.matching.allowRelink && !defaults.matching.includeDisabled)
  }

  @Test(arguments: [
    ("safety: { maxChanges: lots }", "safety.maxChanges", "whole number"),
    ("safety: { maxChange: 5 }", "safety.maxChange", "not a known key"),
    ("matching: { order: [upn] }", "matching.order[0]", "must be one of"),
    ("matching: { order: [mapping, mapping] }", "matching.order[1]", "twice"),
    ("matching: { allowRelink: perhaps }", "matching.allowRelink", "true or false"),
    ("state: { dir: relative/path }", "state.dir", "absolute path"),
    ("report: { prometheusTextfile: /tmp/metrics.txt }", "report.prometheusTextfile", ".prom"),
    ("writeback: { allowReplace: maybe }", "writeback.allowReplace", "true or false"),
    ("writeback: { allowRelink: true }", "writeback.allowRelink", "not a known key"),
  ])
  func badValuesNameTheKey(text: String, key: String, problem: String) throws {
    #expect {
      _ = try Configuration(yaml: text, file: "c.yaml")
    } throws: { error in
      let message = "\(error)"
      return message.contains("c.yaml") && message.contains(key) && message.contains(problem)
    }
  }

  static func report(_ counts: [String: Int]) -> RunReport {
    RunReport(
      run: JournalRun(
        id: "r1", kind: .apply, status: .completed, startedAt: "2026-11-29T00:00:00Z",
        finishedAt: "2026-11-29T00:00:01Z", planKind: .users, planMode: .link,
        tenant: "t", counts: counts),
      items: [])
  }

  @Test(arguments: [
    (["applied": 3], 0, Int32(0)),
    (["applied": 3, "failed": 1, "stale": 2], 0, Int32(4)),
    (["applied": 3, "stale": 1], 0, Int32(5)),
    (["notFound": 1], 0, Int32(5)),
    (["applied": 3], 2, Int32(5)),
  ])
  func exitCodesFollowTheREADME(counts: [String: Int], conflicts: Int, expected: Int32) {
    let plan = Plan(
      mode: .link, createdAt: "2026-11-29T00:00:00Z", tenant: "t", inputFingerprint: "sha256:0",
      settings: PlanSettings(),
      items: (0..<conflicts).map { _ in
        PlanItem(action: .conflict, reason: .ambiguousCloudMatch, explanation: "x")
      })
    #expect(Operations.exitStatus(Self.report(counts), plan: plan) == expected)
  }

  @Test func metricsAreValidTextfileLines() {
    var document = RunReportDocument(startedAt: "2026-11-29T00:00:00Z")
    document.exitCode = 4
    document.durationSeconds = 1.5
    document.execution = Self.report(["applied": 2, "failed": 1])
    let text = RunReportFiles.metrics(document, now: Date(timeIntervalSince1970: 1_800_000_000))
    #expect(text.contains("anchorbridge_last_run_exit_code 4\n"))
    #expect(text.contains("anchorbridge_last_run_items{outcome=\"failed\"} 1\n"))
    #expect(text.contains("anchorbridge_last_run_timestamp_seconds 1800000000\n"))
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
      #expect(line.split(separator: " ").count == 2, "\(line)")
    }
  }
}
