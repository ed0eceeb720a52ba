/// Why the group executor can't run a plan item or a restore (the command stops; nothing of it is
/// written).
public enum GroupExecutorError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The journal lacks the snapshot the plan item names.
  case missingSnapshot(digest: String?, groupId: String?)
  /// `groups restore`: the journal holds no snapshot of the group.
  case noSnapshotToRestore(groupId: String)
  /// `groups restore`: the group still exists, so there is nothing to restore.
  case stillExists(groupId: String)

  public var description: String {
    switch self {
    case .missingSnapshot(let digest, let groupId):
      "the journal has no snapshot \(digest ?? "-") for group \(groupId ?? "?"): run `groups plan` with this state folder again"
    case .noSnapshotToRestore(let groupId):
      "the journal has no snapshot of group '\(groupId)' (snapshots are taken by `groups plan`)"
    case .stillExists(let groupId):
      "group '\(groupId)' still exists: there is nothing to restore"
    }
  }
}
