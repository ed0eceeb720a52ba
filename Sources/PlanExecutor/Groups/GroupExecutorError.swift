/// Why the group executor can't run a plan item (the command stops; nothing of the item is written).
public enum GroupExecutorError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The journal lacks the snapshot the plan item names.
  case missingSnapshot(digest: String?, groupId: String?)

  public var description: String {
    switch self {
    case .missingSnapshot(let digest, let groupId):
      "the journal has no snapshot \(digest ?? "-") for group \(groupId ?? "?"): run `groups plan` with this state folder again"
    }
  }
}
