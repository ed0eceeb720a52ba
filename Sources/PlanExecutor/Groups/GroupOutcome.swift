/// One line of a group command's outcome (`<state>: <group id> <step>: <detail>`).
public struct GroupOutcome: Hashable, Sendable {
  public enum State: String, Hashable, Sendable, CaseIterable {
    case done, unchanged, pending, stale, failed
  }
  public var groupId: String
  public var step: GroupEventStep
  public var state: State
  public var detail: String

  public init(groupId: String, step: GroupEventStep, state: State, detail: String) {
    self.groupId = groupId
    self.step = step
    self.state = state
    self.detail = detail
  }
}
