import Foundation
import PlanExecutor

/// The JSON run report (`Schemas/report.schema.json`).
struct RunReportDocument: Encodable {
  struct Read: Encodable {
    var mode: String
    var users: Int?
    var changes: Int?
  }

  var formatVersion = 1
  var startedAt: String
  var finishedAt: String?
  var durationSeconds: Double?
  var outcome = "converged"
  var exitCode = 0
  var message: String?
  var recoveredRuns: [String] = []
  var directoryRead: Read?
  var tenantRead: Read?
  var planFile: String?
  var planSummary: [String: Int]?
  var execution: RunReport?

  init(startedAt: String) { self.startedAt = startedAt }

  func finished(_ started: Date) -> RunReportDocument {
    var copy = self
    copy.finishedAt = Clock.now()
    copy.durationSeconds = (Date().timeIntervalSince(started) * 1000).rounded() / 1000
    return copy
  }

  static func outcome(forExitCode code: Int) -> String {
    switch Int32(code) {
    case ExitStatus.success: "converged"
    case ExitStatus.itemsFailed: "itemsFailed"
    case ExitStatus.needsAttention: "needsAttention"
    case ExitStatus.safetyThreshold: "safetyThresholdExceeded"
    default: "error"
    }
  }
}
