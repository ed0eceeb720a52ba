import AnchorCore
import PlanExecutor
import Testing

@testable import anchorbridge

@Suite struct GroupOperationsTests {
  static func guid(_ n: UInt8) -> ObjectGUID {
    ObjectGUID(bytes: [UInt8](repeating: n, count: 16))!
  }

  static func item(_ action: PlanAction, cloud: String, n: UInt8) -> PlanItem {
    PlanItem(
      action: action, reason: "test", explanation: "",
      cloud: CloudObjectRef(id: cloud, userPrincipalName: "\(cloud)@contoso.com"),
      directory: DirectoryObjectRef(
        source: "corp", distinguishedName: "CN=u\(n)", objectGuid: guid(n),
        userPrincipalName: nil))
  }

  /// Only pairs sync will actually join: linked already, or linked by the user plan.
  @Test func onlyLinkedOrToBeLinkedUsersAreTwins() {
    let plan = Plan(
      mode: .link, createdAt: "2026-11-29T00:00:00Z", tenant: "t", inputFingerprint: "x",
      settings: PlanSettings(),
      items: [
        Self.item(.noop, cloud: "A", n: 1), Self.item(.link, cloud: "b", n: 2),
        Self.item(.relink, cloud: "c", n: 3), Self.item(.blocked, cloud: "d", n: 4),
        Self.item(.skip, cloud: "e", n: 5), Self.item(.conflict, cloud: "f", n: 6),
      ])
    let twins = plan.userTwins
    #expect(Set(twins.keys) == ["a", "b", "c"])
    #expect(twins["a"]?.distinguishedName == "CN=u1")
  }

  @Test func anythingAddedSinceTheSnapshotMakesItStale() {
    let old = GroupSnapshot(
      takenAt: "t1",
      group: GroupProperties(id: "g", displayName: "G", proxyAddresses: ["SMTP:g@contoso.com"]),
      members: [SnapshotObject(id: "u1", type: .user)],
      owners: [SnapshotObject(id: "o1", type: .user)])
    var new = old
    new.takenAt = "t2"
    #expect(GroupExecutor.differences(old, new) == [])
    new.owners.append(SnapshotObject(id: "o2", type: .user))
    new.appRoleAssignments = [SnapshotAppRoleAssignment(id: "r", appRoleId: "a", resourceId: "s")]
    new.group.description = "changed"
    #expect(
      GroupExecutor.differences(old, new) == [
        "owners: 1 added, 0 removed", "app roles: 1 added, 0 removed", "properties changed",
      ])
  }
}
