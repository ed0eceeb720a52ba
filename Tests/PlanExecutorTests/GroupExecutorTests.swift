import AnchorCore
import Foundation
import PlanExecutor
import Testing

/// The group executor against an in-memory tenant: crash points, stale detection, reruns.
@Suite("Group executor")
struct GroupExecutorTests {
  static func snapshot(_ id: String, unified: Bool = false) -> GroupSnapshot {
    GroupSnapshot(
      takenAt: "2026-11-29T03:00:00Z",
      group: GroupProperties(
        id: id, displayName: "Group \(id)", mailNickname: "g\(id)",
        groupTypes: unified ? ["Unified"] : [], mailEnabled: unified),
      members: [SnapshotObject(id: "u-\(id)", type: .user)])
  }

  /// A journal holding the snapshots, and a plan migrating (or switching) each group.
  static func setup(_ snapshots: [GroupSnapshot], switching: [String] = []) throws
    -> (Journal, GroupPlan)
  {
    let journal = try Journal.open(directory: temporaryDirectory() + "/state")
    var items: [GroupPlanItem] = []
    for snapshot in snapshots {
      let json = String(decoding: try JSONEncoder().encode(snapshot), as: UTF8.self)
      try journal.saveGroupSnapshot(
        digest: snapshot.digest, groupId: snapshot.group.id, takenAt: snapshot.takenAt, json: json)
      let cloud = CloudGroup(
        id: snapshot.group.id, displayName: snapshot.group.displayName,
        mailEnabled: snapshot.group.mailEnabled, groupTypes: snapshot.group.groupTypes)
      items.append(
        GroupPlanItem(
          action: switching.contains(snapshot.group.id) ? .switchSourceOfAuthority : .migrate,
          reason: .groupAlreadySynced, explanation: "", cloud: GroupCloudRef(cloud),
          snapshotDigest: snapshot.digest))
    }
    let plan = GroupPlan(
      direction: .toDirectory, createdAt: "2026-11-29T03:00:00Z", tenant: Fixture.tenantId,
      inputFingerprint: "sha256:-", matchOrder: [], diagnostics: [], items: items)
    return (journal, plan)
  }

  static func executor(_ tenant: MemoryGroupTenant, _ journal: Journal, crash: CrashHook? = nil)
    -> GroupExecutor
  {
    GroupExecutor(
      tenant: tenant, directory: nil, journal: journal, now: steppingClock(), crashHook: crash)
  }

  @Test(
    "a crash at every journal point of a delete, then a rerun, converges",
    arguments: [CrashPoint.afterIntent, .afterVerify])
  func crashThenRerun(point: CrashPoint) async throws {
    let snapshot = Self.snapshot("g1", unified: true)
    let (journal, plan) = try Self.setup([snapshot])
    let tenant = MemoryGroupTenant([snapshot])
    await #expect(throws: Halt(point: point)) {
      _ = try await Self.executor(tenant, journal, crash: halting(at: point, occurrence: 1))
        .apply(plan)
    }
    #expect(try journal.groupEvents(groupId: "g1").last?.state == .intent)
    let rerun = try await Self.executor(tenant, journal).apply(plan)
    #expect(await tenant.groups["g1"] == nil)
    #expect(await tenant.deleted.isEmpty)
    // Positioned by state: a delete that took before the crash is found done.
    #expect(rerun.map(\.state) == [point == .afterIntent ? .done : .unchanged])
    let again = try await Self.executor(tenant, journal).apply(plan)
    #expect(again.map(\.state) == [.unchanged])
    #expect(again.first?.detail == "already deleted")
  }

  @Test("a group changed since its snapshot is stale and not deleted")
  func stale() async throws {
    let snapshot = Self.snapshot("g1")
    let (journal, plan) = try Self.setup([snapshot])
    let tenant = MemoryGroupTenant([snapshot])
    await tenant.change("g1") { $0.owners.append(SnapshotObject(id: "o1", type: .user)) }
    let outcomes = try await Self.executor(tenant, journal).apply(plan)
    #expect(
      outcomes == [
        GroupOutcome(
          groupId: "g1", step: .deleteCloudGroup, state: .stale,
          detail: "the group changed since its snapshot (owners: 1 added, 0 removed): plan again")
      ])
    #expect(await tenant.writes == 0)
  }

  @Test("a refused delete is journaled failed and the next group still goes")
  func oneFailureDoesNotStopOthers() async throws {
    let first = Self.snapshot("g1")
    let second = Self.snapshot("g2")
    let (journal, plan) = try Self.setup([first, second])
    let tenant = MemoryGroupTenant([first, second])
    await tenant.refusingDelete("g1")
    let outcomes = try await Self.executor(tenant, journal).apply(plan)
    #expect(outcomes.map(\.state) == [.failed, .done])
    #expect(outcomes[0].detail == "HTTP 403: denied")
    #expect(try journal.groupEvents(groupId: "g1").map(\.state) == [.intent, .failed])
    #expect(await tenant.groups["g2"] == nil)
  }

  @Test("the Source of Authority switch is written once and read back; a rerun changes nothing")
  func switchAuthority() async throws {
    let snapshot = Self.snapshot("g1")
    let (journal, plan) = try Self.setup([snapshot], switching: ["g1"])
    let tenant = MemoryGroupTenant([snapshot])
    let outcomes = try await Self.executor(tenant, journal).apply(plan)
    #expect(outcomes.map(\.state) == [.done])
    #expect(await tenant.cloudManaged == ["g1"])
    let again = try await Self.executor(tenant, journal).apply(plan)
    #expect(again.map(\.detail) == ["already cloud-managed"])
    #expect(await tenant.writes == 1)
  }

  @Test("a done prepare counts only for the snapshot it was made for (a column, not detail text)")
  func preparedMarkerColumn() throws {
    let journal = try Journal.open(directory: temporaryDirectory() + "/state")
    try journal.recordGroupEvent(
      groupId: "g1", step: .prepareDirectory, state: .done, detail: "snapshot sha256:ab: added x",
      snapshotDigest: "sha256:ab", at: "2026-11-29T03:00:00Z")
    #expect(
      try journal.isGroupStepDone(
        groupId: "g1", step: .prepareDirectory, snapshotDigest: "sha256:ab"))
    #expect(
      try !journal.isGroupStepDone(
        groupId: "g1", step: .prepareDirectory, snapshotDigest: "sha256:cd"))
  }

  @Test("a crash right after the AD preparation write, then a rerun, converges")
  func crashAfterPreparation() async throws {
    let snapshot = Self.snapshot("g1")
    var (journal, plan) = try Self.setup([snapshot])
    let group = DirectoryGroup(
      source: "corp", distinguishedName: "CN=G1,DC=corp",
      objectGUID: ObjectGUID(bytes: [UInt8](repeating: 7, count: 16))!,
      groupType: GroupType(rawValue: Int32(bitPattern: 0x8000_0002)))
    plan.items[0].directory = GroupDirectoryRef(group)
    plan.items[0].prepareDirectory = DirectoryPreparation(
      addProxyAddresses: ["smtp:g1@contoso.com"], addMembers: ["CN=u1"])
    let tenant = MemoryGroupTenant([snapshot])
    let directory = MemoryGroupDirectory()
    func executor(_ crash: CrashHook?) -> GroupExecutor {
      GroupExecutor(
        tenant: tenant, directory: directory, journal: journal, now: steppingClock(),
        crashHook: crash)
    }
    await #expect(throws: Halt(point: .afterWrite)) {
      _ = try await executor(halting(at: .afterWrite, occurrence: 1)).apply(plan)
    }
    // Written but not journaled done: the cloud group must stay until a run sees it prepared.
    #expect(await tenant.groups["g1"] != nil)
    #expect(try journal.groupEvents(groupId: "g1").map(\.state) == [.intent])
    let rerun = try await executor(nil).apply(plan)
    #expect(rerun.map(\.state) == [.unchanged, .done])
    #expect(rerun.first?.detail == "nothing to change")
    #expect(await directory.members["CN=G1,DC=corp"] == ["CN=u1"])
    #expect(await directory.addresses["CN=G1,DC=corp"] == ["smtp:g1@contoso.com"])
    #expect(await directory.writes == 1)
    #expect(await tenant.groups["g1"] == nil)
    #expect(
      try journal.isGroupStepDone(
        groupId: "g1", step: .prepareDirectory, snapshotDigest: snapshot.digest))
    let again = try await executor(nil).apply(plan)
    #expect(again.map(\.detail) == ["nothing to change", "already deleted"])
  }
}
