import AnchorCore
import Foundation
import PlanExecutor
import Synchronization
import Testing

/// `groups verify`, `--restore-access` and `groups restore` through the group executor against an
/// in-memory tenant: twins found by objectSid, access restored once, rebuilds found again by the
/// journal's typed record, crashes at every journal point converge on a rerun.
@Suite("Group executor: verify and restore")
struct GroupExecutorRestoreTests {
  static let sid = "S-1-5-21-1-2-3-100"

  /// The cloud-only group as the plan snapshotted it: a user and a nested group as members, a
  /// cloud parent, an app role and a licence.
  static func snapshot() -> GroupSnapshot {
    GroupSnapshot(
      takenAt: "2026-11-29T03:00:00Z",
      group: GroupProperties(id: "g1", displayName: "VPN Users", mailNickname: "vpn"),
      members: [SnapshotObject(id: "u1", type: .user), SnapshotObject(id: "n1", type: .group)],
      owners: [SnapshotObject(id: "o1", type: .user), SnapshotObject(id: "gone", type: .user)],
      parents: [SnapshotObject(id: "p1", type: .group, displayName: "Apps", synced: false)],
      appRoleAssignments: [
        SnapshotAppRoleAssignment(id: "ra1", appRoleId: "r1", resourceId: "sp1")
      ],
      assignedLicenses: [SnapshotLicense(skuId: "sku-1")])
  }

  static func group(_ id: String, synced sid: String? = nil, members: [SnapshotObject] = [])
    -> GroupSnapshot
  {
    GroupSnapshot(
      takenAt: "-",
      group: GroupProperties(
        id: id, displayName: "Group \(id)", onPremisesSyncEnabled: sid.map { _ in true },
        onPremisesSecurityIdentifier: sid),
      members: members)
  }

  /// A journal holding the snapshot and a plan migrating g1 to its AD twin.
  static func setup() throws -> (Journal, GroupPlan) {
    let snapshot = Self.snapshot()
    let journal = try Journal.open(directory: temporaryDirectory() + "/state")
    let json = String(decoding: try JSONEncoder().encode(snapshot), as: UTF8.self)
    try journal.saveGroupSnapshot(
      digest: snapshot.digest, groupId: "g1", takenAt: snapshot.takenAt, json: json)
    let directory = DirectoryGroup(
      source: "corp", distinguishedName: "CN=VPN Users,DC=corp", objectGUID: guid(9),
      objectSid: sid, groupType: GroupType(rawValue: Int32(bitPattern: 0x8000_0002)))
    let item = GroupPlanItem(
      action: .migrate, reason: .groupAlreadySynced, explanation: "",
      directory: GroupDirectoryRef(directory),
      cloud: GroupCloudRef(CloudGroup(id: "g1", displayName: "VPN Users")),
      snapshotDigest: snapshot.digest,
      members: MembershipComparison(
        inBoth: [
          MemberPair(cloudId: "u1", type: .user, label: "user1", distinguishedName: "CN=u1")
        ],
        addToDirectory: [
          MemberPair(cloudId: "n1", type: .group, label: "nested", distinguishedName: "CN=n1")
        ]),
      restoreAccess: AccessRestoration(
        parents: [
          .init(id: "p1", displayName: "Apps", via: .graph),
          .init(id: "p2", displayName: "Everyone", via: .exchangeScript),
        ],
        appRoleAssignments: snapshot.appRoleAssignments, licenses: snapshot.assignedLicenses))
    let plan = GroupPlan(
      direction: .toDirectory, createdAt: "2026-11-29T03:00:00Z", tenant: Fixture.tenantId,
      inputFingerprint: "sha256:-", matchOrder: [], diagnostics: [], items: [item])
    return (journal, plan)
  }

  static func guid(_ n: UInt8) -> ObjectGUID {
    ObjectGUID(bytes: [UInt8](repeating: n, count: 16))!
  }

  static func executor(_ tenant: MemoryGroupTenant, _ journal: Journal, crash: CrashHook? = nil)
    -> GroupExecutor
  {
    GroupExecutor(
      tenant: tenant, directory: nil, journal: journal, now: steppingClock(), crashHook: crash)
  }

  /// Collects what the executor hands to the script destination.
  final class Scripts: Sendable {
    let texts = Mutex<[String]>([])
    var destination: RestoreScript {
      RestoreScript(location: "printed above") { text in self.texts.withLock { $0.append(text) } }
    }
  }

  @Test("verify finds the synced twin by objectSid and checks its members and nested groups")
  func verifyFindsTheTwin() async throws {
    let (journal, plan) = try Self.setup()
    let tenant = MemoryGroupTenant([Self.snapshot()])
    let before = try await Self.executor(tenant, journal).verify(plan, restoreAccess: false)
    #expect(before.map(\.state) == [.pending])
    #expect(before.first?.detail == "the cloud-only group still exists (step 3 not done)")

    await tenant.remove("g1")
    let unsynced = try await Self.executor(tenant, journal).verify(plan, restoreAccess: false)
    #expect(
      unsynced.first?.detail == "no synced group with objectSid \(Self.sid) yet: wait for sync")

    await tenant.add(Self.group("t1", synced: Self.sid, members: [.init(id: "u1", type: .user)]))
    let short = try await Self.executor(tenant, journal).verify(plan, restoreAccess: true)
    #expect(
      short == [
        GroupOutcome(
          groupId: "g1", step: .verify, state: .failed,
          detail: "synced as t1 but 1 nested group(s) missing")
      ])

    await tenant.change("t1") { $0.members.append(SnapshotObject(id: "n9", type: .group)) }
    let verified = try await Self.executor(tenant, journal).verify(plan, restoreAccess: false)
    #expect(verified.map(\.state) == [.done])
    #expect(verified.first?.detail == "synced as t1 with 2 member(s), primary SMTP none")
    #expect(
      try journal.groupEvents(groupId: "g1").map(\.state) == [.skipped, .skipped, .failed, .done])
    #expect(await tenant.writes == 0)
  }

  @Test("restore access re-adds the parent, app role and licence once; a rerun adds nothing")
  func restoreAccessOnce() async throws {
    let (journal, plan) = try Self.setup()
    let tenant = MemoryGroupTenant([
      Self.group(
        "t1", synced: Self.sid,
        members: [.init(id: "u1", type: .user), .init(id: "n1", type: .group)]),
      Self.group("p1"),
    ])
    let first = try await Self.executor(tenant, journal).verify(plan, restoreAccess: true)
    #expect(
      first.map { "\($0.state): \($0.step.rawValue): \($0.detail)" } == [
        "done: verify: synced as t1 with 2 member(s), primary SMTP none",
        "done: restoreAccess: added to Apps",
        "pending: restoreAccess: add to Everyone with the script's -RestoreAccess",
        "done: restoreAccess: app role r1 of sp1 assigned",
        "done: restoreAccess: licences sku-1 assigned",
      ])
    #expect(await tenant.writes == 3)
    #expect(await tenant.groups["p1"]?.members.map(\.id) == ["t1"])
    let again = try await Self.executor(tenant, journal).verify(plan, restoreAccess: true)
    #expect(again.map(\.state) == [.done, .unchanged, .pending, .unchanged, .unchanged])
    #expect(await tenant.writes == 3)
  }

  @Test("restore rebuilds from the snapshot; a rerun finds the group by the journal's record")
  func restoreIsIdempotent() async throws {
    let (journal, _) = try Self.setup()
    let tenant = MemoryGroupTenant([Self.group("n1"), Self.group("p1")], users: ["u1", "o1"])
    let scripts = Scripts()
    let outcomes = try await Self.executor(tenant, journal).restore(
      groupId: "g1", script: scripts.destination)
    #expect(
      outcomes.map { "\($0.state): \($0.step.rawValue): \($0.detail)" } == [
        "done: restore: recreated as new-1 with 2 member(s), 1 owner(s); gone since the snapshot: gone",
        "done: restoreAccess: added to Apps",
        "done: restoreAccess: app role r1 of sp1 assigned",
        "done: restoreAccess: licences sku-1 assigned",
      ])
    let restored = try journal.groupEvents(groupId: "g1").last { $0.step == .restore }
    #expect(restored?.state == .done)
    #expect(restored?.resultId == "new-1")
    #expect(scripts.texts.withLock { $0.isEmpty })

    // Renamed since: only the typed record can find it.
    await tenant.change("new-1") { $0.group.displayName = "Renamed" }
    let rerun = try await Self.executor(tenant, journal).restore(
      groupId: "g1", script: scripts.destination)
    #expect(rerun.first?.detail == "already restored as new-1")
    #expect(rerun.dropFirst().allSatisfy { $0.state == .unchanged })
    #expect(await tenant.created == 1)
  }

  @Test("restore refuses a group that still exists or has no snapshot")
  func restoreRefusals() async throws {
    let (journal, _) = try Self.setup()
    let tenant = MemoryGroupTenant([Self.snapshot()])
    await #expect(throws: GroupExecutorError.stillExists(groupId: "g1")) {
      _ = try await Self.executor(tenant, journal).restore(
        groupId: "g1", script: Scripts().destination)
    }
    await #expect(throws: GroupExecutorError.noSnapshotToRestore(groupId: "g2")) {
      _ = try await Self.executor(tenant, journal).restore(
        groupId: "g2", script: Scripts().destination)
    }
    #expect(await tenant.writes == 0)
  }

  @Test(
    "a crash at every journal point of a restore, then a rerun, converges",
    arguments: [
      (CrashPoint.afterIntent, 1), (.afterWrite, 1), (.afterDone, 1), (.afterWrite, 2),
      (.afterWrite, 3), (.afterWrite, 4),
    ])
  func restoreCrashThenRerun(point: CrashPoint, occurrence: Int) async throws {
    let (journal, _) = try Self.setup()
    let tenant = MemoryGroupTenant([Self.group("n1"), Self.group("p1")], users: ["u1", "o1"])
    await #expect(throws: Halt(point: point)) {
      _ = try await Self.executor(
        tenant, journal, crash: halting(at: point, occurrence: occurrence)
      ).restore(groupId: "g1", script: Scripts().destination)
    }
    let rerun = try await Self.executor(tenant, journal).restore(
      groupId: "g1", script: Scripts().destination)
    #expect(!rerun.contains { $0.state == .failed })
    #expect(await tenant.created == 1)
    let rebuilt = try #require(await tenant.groups["new-1"])
    #expect(rebuilt.appRoleAssignments.count == 1)
    #expect(rebuilt.assignedLicenses.map(\.skuId) == ["sku-1"])
    #expect(await tenant.groups["p1"]?.members.map(\.id) == ["new-1"])
    let again = try await Self.executor(tenant, journal).restore(
      groupId: "g1", script: Scripts().destination)
    #expect(again.map(\.state) == [.unchanged, .unchanged, .unchanged, .unchanged])
  }

  @Test("an Exchange-managed group gets a restore script, journaled as skipped")
  func exchangeManagedGetsAScript() async throws {
    let journal = try Journal.open(directory: temporaryDirectory() + "/state")
    let snapshot = GroupSnapshot(
      takenAt: "2026-11-29T03:00:00Z",
      group: GroupProperties(
        id: "dl1", displayName: "DL", mail: "dl@contoso.com", mailNickname: "dl",
        proxyAddresses: ["SMTP:dl@contoso.com"], mailEnabled: true, securityEnabled: false))
    try journal.saveGroupSnapshot(
      digest: snapshot.digest, groupId: "dl1", takenAt: snapshot.takenAt,
      json: String(decoding: try JSONEncoder().encode(snapshot), as: UTF8.self))
    let tenant = MemoryGroupTenant([])
    let scripts = Scripts()
    let outcomes = try await Self.executor(tenant, journal).restore(
      groupId: "dl1",
      script: RestoreScript(location: "'restore.ps1'", write: scripts.destination.write))
    #expect(
      outcomes.map(\.detail) == [
        "Graph cannot create a distribution group: run the restore script 'restore.ps1' in "
          + "Exchange Online PowerShell"
      ])
    #expect(scripts.texts.withLock { $0.count == 1 && $0[0].contains("New-DistributionGroup") })
    #expect(try journal.groupEvents(groupId: "dl1").map(\.state) == [.skipped])
    #expect(await tenant.writes == 0)
  }
}
