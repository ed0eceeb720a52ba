import AnchorCore
import PlanExecutor

/// What the planning and writing commands print: plans in each format, a run's summary, and the
/// documented exit code for an executed run.
extension Operations {
  func render(_ plan: Plan, format: PlanFormat) {
    switch format {
    case .table: output.write(Self.line(plan.renderTable()))
    case .markdown: output.write(Self.line(plan.renderMarkdown()))
    case .json:
      plan.writeJSON { output.write($0) }
      output.write("\n")
    }
  }

  static func line(_ text: String) -> String { text.hasSuffix("\n") ? text : text + "\n" }

  // MARK: Outcomes

  /// The documented exit code for an executed run: 4 when anything failed, 5 when items need a person
  /// (the plan's conflicts and blocks, stale or vanished items), else 0.
  static func exitStatus(_ report: RunReport, plan: Plan?) -> Int32 {
    if report.count(.failed) > 0 { return ExitStatus.itemsFailed }
    let attention =
      report.count(.stale) + report.count(.notFound)
      + (plan.map { ($0.summary["conflict"] ?? 0) + ($0.summary["blocked"] ?? 0) } ?? 0)
    return attention > 0 ? ExitStatus.needsAttention : ExitStatus.success
  }

  func summarize(_ report: RunReport) {
    let counts = report.counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
      .joined(separator: ", ")
    output.write(
      "run \(report.runId) (\(report.kind.rawValue)): \(report.status.rawValue); \(counts)\n")
    let shown: [ItemOutcome] = [.failed, .stale, .notFound]
    for item in report.items where shown.contains(item.outcome) {
      output.write(
        "  \(item.outcome.rawValue): \(item.userPrincipalName) (\(item.targetId))"
          + (item.detail.map { ": \($0)" } ?? "") + "\n")
    }
  }
}
