import AnchorCore

/// A typed value the journal stores as its raw text: the one place where the SQLite text of a
/// run kind, status, plan kind or mode, action, outcome, step kind or state is written and read.
protocol JournalValue: RawRepresentable, Sendable where RawValue == String {}

extension RunKind: JournalValue {}
extension RunStatus: JournalValue {}
extension PlanKind: JournalValue {}
extension PlanMode: JournalValue {}
extension PlanAction: JournalValue {}
extension ItemOutcome: JournalValue {}
extension PlanStepKind: JournalValue {}
extension StepStatus: JournalValue {}
extension Journal.GroupEventState: JournalValue {}
extension GroupEventStep: JournalValue {}

extension SQLiteValue {
  init(_ value: some JournalValue) { self = .text(value.rawValue) }

  /// The typed value of a text column; a missing or unknown text means the journal was written by
  /// something this build does not understand.
  func decoded<Value: JournalValue>(_ type: Value.Type, path: String, column: String)
    throws(JournalError) -> Value
  {
    guard let text, let value = Value(rawValue: text) else {
      throw JournalError(
        .corrupt, path: path,
        detail: "column \(column) holds \(text.map { "'\($0)'" } ?? "null"), not a \(Value.self)")
    }
    return value
  }
}
