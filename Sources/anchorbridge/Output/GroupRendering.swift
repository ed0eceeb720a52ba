import AnchorCore
import PlanExecutor

/// How the group commands print a plan and their outcomes.
enum GroupRendering {
  static func plan(_ plan: GroupPlan, format: PlanFormat) -> [UInt8] {
    switch format {
    case .table: Array(Operations.line(plan.renderTable()).utf8)
    case .markdown: Array(Operations.line(plan.renderMarkdown()).utf8)
    case .json: plan.encodeFile()
    }
  }

  /// `<state>: <group id> <step>: <detail>` and a newline.
  static func line(_ outcome: GroupOutcome) -> String {
    "\(outcome.state.rawValue): \(outcome.groupId) \(outcome.step.rawValue): \(outcome.detail)\n"
  }
}
