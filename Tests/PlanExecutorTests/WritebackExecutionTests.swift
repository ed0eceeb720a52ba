import AnchorCore
import PlanExecutor
import Testing

/// Anchor writeback plans (from the real WritebackPlanner) executed through DirectoryAnchorPort:
/// compare-and-set on the twin's mS-DS-ConsistencyGuid, journal, read-back, rollback.
@Suite("Anchor writeback execution")
struct WritebackExecutionTests {
  static let aliceDN = "CN=alice,OU=Staff,DC=new,DC=example"
  static let bobDN = "CN=bob,OU=Staff,DC=new,DC=example"

  /// Cloud users alice (anchor 1) and bob (anchor 2); in the new forest alice has no
  /// ConsistencyGuid, bob has anchor 7's bytes (replaced only with allowReplace).
  static func inputs() -> ([DirectoryUser], TenantSnapshot) {
    var alice = Fixture.ad(101, upn: "alice@contoso.com")
    alice.distinguishedName = aliceDN
    var bob = Fixture.ad(102, upn: "bob@contoso.com")
    bob.distinguishedName = bobDN
    bob.consistencyGuid = Fixture.guid(7).bytes
    bob.anchor = Fixture.anchor(7)
    let tenant = TenantSnapshot(
      tenantId: Fixture.tenantId,
      users: [
        CloudUser(
          id: "c1", userPrincipalName: "alice@contoso.com", onPremisesImmutableId: Fixture.anchor(1)
        ),
        CloudUser(
          id: "c2", userPrincipalName: "bob@contoso.com", onPremisesImmutableId: Fixture.anchor(2)),
      ], domains: Fixture.domains)
    return ([alice, bob], tenant)
  }

  static func directory() -> MemoryDirectory {
    MemoryDirectory([
      aliceDN: .init(userPrincipalName: "alice@contoso.com", consistencyGuid: nil),
      bobDN: .init(userPrincipalName: "bob@contoso.com", consistencyGuid: Fixture.guid(7).bytes),
    ])
  }

  static func plan(allowReplace: Bool) -> Plan {
    let (users, tenant) = inputs()
    return WritebackPlanner(
      settings: PlanSettings(allowReplace: allowReplace), policies: ["corp": .consistencyGuid]
    ).plan(directoryUsers: users, tenant: tenant, createdAt: "2026-11-29T03:00:00Z")
  }

  static func options() -> ExecutorOptions {
    var options = ExecutorOptions(
      maxChanges: 50, now: steppingClock(), crashHook: nil, readBackRetries: 1,
      readBackDelay: .zero)
    options.planKind = .anchorWriteback
    return options
  }

  static func executor(_ directory: MemoryDirectory, journal: Journal) -> PlanExecutor {
    PlanExecutor(
      port: DirectoryAnchorPort(directory: directory), journal: journal, options: options())
  }

  @Test("apply writes the exact bytes, journals by DN; rollback restores the old value and absence")
  func applyAndRollback() async throws {
    let directory = Self.directory()
    let journal = try Journal.open(directory: temporaryDirectory() + "/state")
    let plan = Self.plan(allowReplace: true)
    #expect(plan.summary == ["link": 1, "relink": 1])
    let report = try await Self.executor(directory, journal: journal)
      .apply(plan, planSource: nil, expectedTenant: nil)
    #expect(report.counts == ["applied": 2])
    #expect(Set(report.items.map(\.targetId)) == [Self.aliceDN, Self.bobDN])
    #expect(await directory.objects[Self.aliceDN]?.consistencyGuid == Fixture.guid(1).bytes)
    #expect(await directory.objects[Self.bobDN]?.consistencyGuid == Fixture.guid(2).bytes)

    // Applying again: positioned by state, nothing written.
    let writes = await directory.writes.count
    let again = try await Self.executor(directory, journal: journal)
      .apply(plan, planSource: nil, expectedTenant: nil)
    #expect(again.counts == ["unchanged": 2])
    #expect(await directory.writes.count == writes)

    let rollback = try await Self.executor(directory, journal: journal).rollback(
      runId: report.runId)
    #expect(rollback.counts == ["applied": 2])
    #expect(await directory.objects[Self.aliceDN]?.consistencyGuid == nil)
    #expect(await directory.objects[Self.bobDN]?.consistencyGuid == Fixture.guid(7).bytes)
    #expect(
      await directory.writes.suffix(2).sorted { $0.distinguishedName < $1.distinguishedName } == [
        ConsistencyGuidChange(distinguishedName: Self.aliceDN, bytes: nil),
        ConsistencyGuidChange(distinguishedName: Self.bobDN, bytes: Fixture.guid(7).bytes),
      ])
  }

  @Test("a twin whose ConsistencyGuid changed after planning is stale and not written")
  func staleIsNotWritten() async throws {
    let directory = MemoryDirectory([
      Self.aliceDN: .init(
        userPrincipalName: "alice@contoso.com", consistencyGuid: Fixture.guid(9).bytes),
      Self.bobDN: .init(
        userPrincipalName: "bob@contoso.com", consistencyGuid: Fixture.guid(7).bytes),
    ])
    let journal = try Journal.open(directory: temporaryDirectory() + "/state")
    let report = try await Self.executor(directory, journal: journal)
      .apply(Self.plan(allowReplace: false), planSource: nil, expectedTenant: nil)
    #expect(report.counts == ["stale": 1, "skipped": 1])
    #expect(await directory.writes.isEmpty)
    #expect(await directory.objects[Self.aliceDN]?.consistencyGuid == Fixture.guid(9).bytes)
  }

  @Test("a write the directory acknowledged but did not keep fails the read-back")
  func readBackCatchesALostWrite() async throws {
    let directory = Self.directory()
    await directory.dropping(Self.aliceDN)
    let journal = try Journal.open(directory: temporaryDirectory() + "/state")
    let report = try await Self.executor(directory, journal: journal)
      .apply(Self.plan(allowReplace: false), planSource: nil, expectedTenant: nil)
    #expect(report.counts == ["failed": 1, "skipped": 1])
    let failed = try #require(report.items.first { $0.outcome == .failed })
    #expect(failed.detail?.contains("did not take") == true)
  }

  @Test("a crash after the intent is recovered from the directory's state on the next apply")
  func crashAfterIntentRecovers() async throws {
    let directory = Self.directory()
    let journal = try Journal.open(directory: temporaryDirectory() + "/state")
    let plan = Self.plan(allowReplace: false)
    var options = Self.options()
    options.crashHook = halting(at: .afterWrite, occurrence: 1)
    let crashing = PlanExecutor(
      port: DirectoryAnchorPort(directory: directory), journal: journal, options: options)
    await #expect(throws: Halt.self) {
      _ = try await crashing.apply(plan, planSource: nil, expectedTenant: nil)
    }
    let writes = await directory.writes.count
    let report = try await Self.executor(directory, journal: journal)
      .apply(plan, planSource: nil, expectedTenant: nil)
    #expect(report.counts == ["unchanged": 1, "skipped": 1])
    #expect(await directory.writes.count == writes)
    // The crashed run was handed over to a recovery run, which verified the write by reading it.
    let runs = try journal.runs()
    #expect(runs.first?.status != .running)
    let recovery = try #require(runs.first { $0.kind == .recovery })
    #expect(
      try journal.items(ofRun: recovery.id).first { $0.targetId == Self.aliceDN }?.outcome
        == .applied)
    #expect(await directory.objects[Self.aliceDN]?.consistencyGuid == Fixture.guid(1).bytes)
  }

  @Test("a users plan is refused by a writeback executor, and a writeback plan by a tenant one")
  func kindsAreNotMixed() async throws {
    let journal = try Journal.open(directory: temporaryDirectory() + "/state")
    let users = HardMatchPlanner().plan(
      directoryUsers: [], tenant: Self.inputs().1, createdAt: "2026-11-29T03:00:00Z")
    await #expect(throws: ExecutorError.self) {
      _ = try await Self.executor(Self.directory(), journal: journal)
        .apply(users, planSource: nil, expectedTenant: nil)
    }
    var options = Self.options()
    options.planKind = .users
    let tenant = PlanExecutor(
      port: DirectoryAnchorPort(directory: Self.directory()), journal: journal, options: options)
    await #expect(throws: ExecutorError.self) {
      _ = try await tenant.apply(
        Self.plan(allowReplace: false), planSource: nil, expectedTenant: nil)
    }
  }

  @Test("the adapter refuses an opaque anchor or a UPN change without calling the directory")
  func adapterRefusals() async throws {
    let directory = Self.directory()
    let port = DirectoryAnchorPort(directory: directory)
    let results = try await port.write([
      UserChange(userId: Self.aliceDN, anchor: .set("not-a-guid"), userPrincipalName: nil),
      UserChange(userId: Self.aliceDN, anchor: nil, userPrincipalName: "x@contoso.com"),
      UserChange(userId: Self.aliceDN, anchor: .set(Fixture.anchorText(3)), userPrincipalName: nil),
    ])
    #expect(results.map { if case .applied = $0 { true } else { false } } == [false, false, true])
    #expect(
      await directory.writes == [
        ConsistencyGuidChange(distinguishedName: Self.aliceDN, bytes: Fixture.guid(3).bytes)
      ])
  }

  @Test("a directory refusal is journaled with its LDAP result code, and a vanished twin by its DN")
  func directorySideNames() async throws {
    let directory = Self.directory()
    await directory.refusing(Self.aliceDN)
    let journal = try Journal.open(directory: temporaryDirectory() + "/state")
    let report = try await Self.executor(directory, journal: journal)
      .apply(Self.plan(allowReplace: true), planSource: nil, expectedTenant: nil)
    let alice = try #require(report.items.first { $0.targetId == Self.aliceDN })
    #expect(alice.outcome == .failed)
    #expect(
      alice.detail == "insufficientAccessRights: 00002098: SecErr: DSID-03150F94 (LDAP 50)")
    #expect(report.items.allSatisfy { $0.detail?.contains("HTTP") != true })

    let empty = MemoryDirectory([:])
    let gone = try await Self.executor(empty, journal: journal)
      .apply(Self.plan(allowReplace: true), planSource: nil, expectedTenant: nil)
    #expect(gone.count(.notFound) == 2)
    #expect(
      gone.items.first { $0.targetId == Self.bobDN }?.detail
        == "the directory object \(Self.bobDN) no longer exists")
  }
}
