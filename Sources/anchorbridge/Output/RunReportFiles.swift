import Foundation
import StateStore

/// Writes `run`'s JSON report (`run-<time>.json` and `latest.json`) and, when configured, a
/// Prometheus textfile for node_exporter's textfile collector. Files are 0600 and hold no secrets.
struct RunReportFiles {
  let configuration: Configuration

  var directory: String { configuration.report.dir ?? configuration.state.dir + "/reports" }

  func write(_ document: RunReportDocument) throws {
    try PrivateFile.folder(directory)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    var data = try encoder.encode(document)
    data.append(UInt8(ascii: "\n"))
    let stamp = document.startedAt.filter { $0.isNumber }
    try PrivateFile.write(data, to: directory + "/run-\(stamp).json")
    try PrivateFile.write(data, to: directory + "/latest.json")
    if let textfile = configuration.report.prometheusTextfile {
      try PrivateFile.write(Data(Self.metrics(document).utf8), to: textfile)
    }
  }

  static func metrics(_ document: RunReportDocument, now: Date = Date()) -> String {
    var lines = [
      "# HELP anchorbridge_last_run_timestamp_seconds When the last anchorbridge run finished.",
      "# TYPE anchorbridge_last_run_timestamp_seconds gauge",
      "anchorbridge_last_run_timestamp_seconds \(Int(now.timeIntervalSince1970))",
      "# HELP anchorbridge_last_run_exit_code Exit code of the last run (0 converged).",
      "# TYPE anchorbridge_last_run_exit_code gauge",
      "anchorbridge_last_run_exit_code \(document.exitCode)",
      "# HELP anchorbridge_last_run_duration_seconds Wall time of the last run.",
      "# TYPE anchorbridge_last_run_duration_seconds gauge",
      "anchorbridge_last_run_duration_seconds \(document.durationSeconds ?? 0)",
      "# HELP anchorbridge_last_run_items Items of the last run by outcome.",
      "# TYPE anchorbridge_last_run_items gauge",
    ]
    for (outcome, count) in (document.execution?.counts ?? [:]).sorted(by: { $0.key < $1.key }) {
      lines.append("anchorbridge_last_run_items{outcome=\"\(outcome)\"} \(count)")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func summary(_ document: RunReportDocument) -> String {
    var lines = ["anchorbridge run: \(document.outcome) (exit \(document.exitCode))"]
    if let read = document.directoryRead {
      lines.append("  directory: \(read.mode)" + (read.users.map { ", \($0) users" } ?? ""))
    }
    if let read = document.tenantRead {
      lines.append(
        "  tenant: \(read.mode)" + (read.users.map { ", \($0) users" } ?? "")
          + (read.changes.map { ", \($0) changes" } ?? ""))
    }
    if !document.recoveredRuns.isEmpty {
      lines.append(
        "  recovered interrupted runs: \(document.recoveredRuns.joined(separator: ", "))")
    }
    if let summary = document.planSummary {
      lines.append(
        "  plan: "
          + summary.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
          .joined(separator: ", ") + (document.planFile.map { " (\($0))" } ?? ""))
    }
    if let execution = document.execution {
      lines.append(
        "  applied as run \(execution.runId): "
          + execution.counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
          .joined(separator: ", "))
      for item in execution.items where [.failed, .stale, .notFound].contains(item.outcome) {
        lines.append(
          "    \(item.outcome.rawValue): \(item.userPrincipalName)"
            + (item.detail.map { ": \($0)" } ?? ""))
      }
    }
    if let message = document.message { lines.append("  " + message) }
    return lines.joined(separator: "\n") + "\n"
  }
}
