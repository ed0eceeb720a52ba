/// Why the executor refused or stopped a run.
public enum ExecutorError: Error, CustomStringConvertible {
  /// More writing items than `maxChanges`: nothing was written (the run is journaled as refused).
  case safetyThreshold(changes: Int, limit: Int)
  /// The plan was made for another tenant than the one configured.
  case wrongTenant(plan: String, expected: String)
  /// No run with this id in the journal.
  case unknownRun(String)
  /// The run wrote nothing that could be restored.
  case nothingToRollBack(String)
  /// The plan can't be executed as written (a step without its value, an item without a cloud id).
  case invalidPlan(String)
  case journal(JournalError)
  /// The tenant could not be read or written at all (not a per-item refusal). The run stays
  /// `running`; the next apply or rollback recovers it by reading the tenant's state.
  case port(any Error)

  public var description: String {
    switch self {
    case .safetyThreshold(let changes, let limit):
      "the plan has \(changes) changes, more than safety.maxChanges (\(limit)): nothing was written; review it and rerun with --max-changes \(changes)"
    case .wrongTenant(let plan, let expected):
      "the plan was made for tenant \(plan) but the configured tenant is \(expected): nothing was written"
    case .unknownRun(let id):
      "no run \(id) in the journal (see `anchorbridge history`)"
    case .nothingToRollBack(let id):
      "run \(id) changed nothing that can be restored: nothing to roll back"
    case .invalidPlan(let detail):
      "the plan can't be executed: \(detail); nothing was written"
    case .journal(let error):
      error.description
    case .port(let error):
      "the tenant could not be reached or refused the whole request (\(error)); the run stays open and the next apply or rollback finishes it from the tenant's state"
    }
  }
}
