import Foundation
import Testing

@testable import AnchorCore

/// The group plan file has one owner: AnchorCore writes and reads it without Foundation, byte for
/// byte as Foundation's JSONEncoder and the seal wrote it.
@Suite("Group plan file")
struct GroupPlanFileTests {
  typealias F = GroupFixture

  /// Plans that use every field: blocked, conflicting, noop and migrating items with members,
  /// preparations, restorations, diagnostics and steps.
  static var plans: [GroupPlan] {
    let snapshot = F.snapshot(
      F.cloudDL, members: [F.member("u1"), F.member("u2"), F.member("guest9")],
      owners: [F.member("u3")],
      parents: [
        SnapshotObject(id: F.syncedParent, type: .group, displayName: "All Staff"),
        SnapshotObject(id: F.dlParent, type: .group, displayName: "Everyone DL"),
        SnapshotObject(id: F.parentId, type: .group, displayName: "Cloud Apps Access"),
      ],
      roles: [SnapshotAppRoleAssignment(id: "ra1", appRoleId: "r1", resourceId: "sp1")],
      licenses: [SnapshotLicense(skuId: "sku-1", disabledPlans: ["p1"])])
    let security = F.snapshot(F.cloudSecurity, members: [F.member("u1"), F.member("u9")])
    let cloud = [F.cloudDL, F.cloudSyncedParent, F.cloudDLParent, F.cloudParent, F.cloudSecurity]
    let ad = [F.adDL, F.adSyncedParent, F.adSecurity]
    return [
      F.plan(ad: ad, cloud: cloud, snapshots: [snapshot, security]),
      F.plan(
        ad: ad, cloud: cloud, snapshots: [snapshot, security],
        planner: GroupPlanner(allowMemberLoss: true)),
      F.plan(
        ad: ad + [F.adGroup(103, cn: "Announcements", kind: .distribution)], cloud: cloud,
        snapshots: [snapshot]),
    ]
  }

  @Test(arguments: plans)
  func bytesAreFoundations(plan: GroupPlan) throws {
    let compact = JSONEncoder()
    compact.outputFormatting = [.sortedKeys]
    let foundation = try GroupPlan.sealed(json: Array(try compact.encode(plan))) + [0x0A]
    #expect(plan.encodeFile() == foundation)
  }

  @Test(arguments: plans)
  func decodingGivesThePlanBack(plan: GroupPlan) throws {
    let bytes = plan.encodeFile()
    #expect(try GroupPlan.decodeFile(bytes) == plan)
    let content = try GroupPlan.verified(json: bytes)
    #expect(try JSONDecoder().decode(GroupPlan.self, from: Data(content)) == plan)
  }

  @Test func anEditedFileIsRefusedByItsChecksum() throws {
    let plan = try #require(Self.plans.first)
    let text = String(decoding: plan.encodeFile(), as: UTF8.self)
    let edited = Array(
      text.replacingOccurrences(of: "\"tenant\": \"t1\"", with: "\"tenant\": \"t2\"").utf8)
    #expect(edited != plan.encodeFile())
    #expect {
      try GroupPlan.decodeFile(edited)
    } throws: { error in
      guard case .invalidPlan(.checksumMismatch, _)? = error as? AnchorCoreError else {
        return false
      }
      return true
    }
  }

  @Test func aResealedFileMissingAFieldIsRefusedWithItsPath() throws {
    let plan = try #require(Self.plans.first)
    guard case .object(let members) = try JSONParser.parse(plan.encodeFile()) else {
      Issue.record("the plan is not an object")
      return
    }
    guard case .array(var items)? = JSONValue.object(members)["items"],
      case .object(let first) = items[0]
    else {
      Issue.record("the plan has no items")
      return
    }
    items[0] = .object(first.filter { $0.key != "reason" })
    let damaged = JSONValue.object(
      members.filter { $0.key != "items" } + [JSONMember("items", .array(items))])
    let resealed = try GroupPlan.sealed(json: JSONWriter.encode(damaged, pretty: false))
    #expect(
      throws: AnchorCoreError.invalidPlan(.missingField, detail: "items[0]: reason is missing")
    ) {
      try GroupPlan.decodeFile(resealed)
    }
  }
}
