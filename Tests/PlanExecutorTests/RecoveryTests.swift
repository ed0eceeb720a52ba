import AnchorCore
import PlanExecutor
import Testing

/// A federated relink (3 steps) and a plain link, so every crash point is passed 1 to 3 times.
enum Crashable {
  static let users: [String: MemoryTenant.User] = [
    "u1": Fixture.user("alice@contoso.com"),
    "u2": Fixture.user("bob@fed.contoso.com", 90),
  ]
  static let directory = [
    Fixture.ad(1, upn: "alice@contoso.com"), Fixture.ad(2, upn: "bob@fed.contoso.com"),
  ]
  static let applied: [String: MemoryTenant.User] = [
    "u1": Fixture.user("alice@contoso.com", 1),
    "u2": Fixture.user("bob@fed.contoso.com", 2),
  ]

  /// Every (point, occurrence) the federated item passes: run start once, the rest per step.
  static let points: [(CrashPoint, Int)] =
    [(.afterRunStart, 1)]
    + [CrashPoint.afterIntent, .afterWrite, .afterDone, .afterVerify].flatMap { point in
      (1...3).map { (point, $0) }
    }
}

@Suite("Crash and recovery")
struct RecoveryTests {
  @Test(
    "a crash at every journal point, then a rerun, converges with no temporary UPN left",
    arguments: Crashable.points)
  func crashThenRerun(point: CrashPoint, occurrence: Int) async throws {
    let scenario = try Scenario(Crashable.users)
    let plan = await scenario.linkPlan(Crashable.directory)
    let crashing = scenario.executor(crash: halting(at: point, occurrence: occurrence))
    await #expect(throws: Halt(point: point)) {
      try await crashing.apply(plan, planSource: nil, expectedTenant: nil)
    }

    // The journal says exactly how far the killed run got.
    let crashed = try #require(try scenario.journal.runs().first)
    #expect(crashed.status == .running)
    let bob = try #require(
      try scenario.journal.items(ofRun: crashed.id).first { $0.targetId == "u2" })
    let step = occurrence - 1
    // Verified last step: the item is finished, only the run was left open.
    let finished = point == .afterVerify && step == 2
    #expect(bob.outcome == (finished ? .applied : .pending))
    let expected: String =
      switch point {
      case .afterRunStart: "planned"
      case .afterIntent, .afterWrite: "intent"
      case .afterDone: "done"
      case .afterVerify: "verified"
      }
    #expect(bob.steps[step].status.rawValue == expected)
    #expect(bob.steps[(step + 1)...].allSatisfy { $0.status == .planned })
    #expect(bob.steps[..<step].allSatisfy { $0.status == .verified })
    let tenantBob = await scenario.tenant.users["u2"]
    let written = point != .afterRunStart && point != .afterIntent
    let expectedUPN =
      (written && step < 2) || (!written && step >= 1 && step < 3)
      ? "bob@contoso.onmicrosoft.com" : "bob@fed.contoso.com"
    #expect(tenantBob?.userPrincipalName == expectedUPN)

    // The rerun recovers first, then applies the plan: everything converges.
    let rerun = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)
    #expect(await scenario.tenant.users == Crashable.applied)
    #expect(rerun.counts["failed"] == nil && rerun.counts["stale"] == nil)
    let runs = try scenario.journal.runs()
    #expect(runs.first?.status == .interrupted)
    #expect(runs.allSatisfy { $0.status != .running })
    if point != .afterRunStart && !finished {
      let recovery = try #require(runs.first { $0.kind == .recovery })
      #expect(recovery.recoveryOf == crashed.id && recovery.status == .completed)
      let recovered = try scenario.journal.items(ofRun: recovery.id)
      #expect(recovered.first { $0.targetId == "u2" }?.outcome == .applied)
    }

    // And the whole thing rolls back to the original state.
    // (Whichever of the two runs wrote nothing has nothing to roll back.)
    for run in [crashed.id, rerun.runId] {
      do {
        let rollback = try await scenario.executor().rollback(runId: run)
        #expect(rollback.counts.keys.allSatisfy { $0 == "applied" })
      } catch ExecutorError.nothingToRollBack(let id) {
        #expect(id == run)
      }
    }
    #expect(await scenario.tenant.users == Crashable.users)
  }

  @Test("a crash while reverting a refused federated step: recovery finishes the revert")
  func crashDuringRevert() async throws {
    let scenario = try Scenario(Crashable.users)
    let plan = await scenario.linkPlan(Crashable.directory)
    await scenario.tenant.failWrite(
      to: "u2", number: 2,
      with: TenantPortError(
        status: 400, code: "Request_BadRequest", message: "nope", requestId: nil))
    // Round 3 is the revert's single PATCH: stop right after its intent is journaled.
    let crashing = scenario.executor(crash: halting(at: .afterIntent, occurrence: 3))
    await #expect(throws: Halt(point: .afterIntent)) {
      try await crashing.apply(plan, planSource: nil, expectedTenant: nil)
    }
    #expect(await scenario.tenant.users["u2"]?.userPrincipalName == "bob@contoso.onmicrosoft.com")
    let reports = try await scenario.executor().recoverInterrupted()
    let recovery = try #require(reports.first)
    #expect(recovery.outcome(of: "u2") == "failed")
    #expect(recovery.detail(of: "u2")?.contains("; reverted: the user is back to") == true)
    #expect(await scenario.tenant.users["u2"] == Crashable.users["u2"])
  }

  @Test("recovery with nothing interrupted does nothing")
  func nothingToRecover() async throws {
    let scenario = try Scenario(Crashable.users)
    #expect(try await scenario.executor().recoverInterrupted().isEmpty)
    #expect(await scenario.tenant.readCalls == 0)
  }

  @Test("items an interrupted run never started are skipped, and the rerun writes them")
  func unstartedItemsWaitForTheRerun() async throws {
    let scenario = try Scenario(Crashable.users)
    let plan = await scenario.linkPlan(Crashable.directory)
    // Waves of one: the crash comes in the first item's wave, the second is untouched.
    let crashing = scenario.executor(waveSize: 1, crash: halting(at: .afterDone, occurrence: 1))
    await #expect(throws: Halt(point: .afterDone)) {
      try await crashing.apply(plan, planSource: nil, expectedTenant: nil)
    }
    let crashedId = try #require(try scenario.journal.runs().first?.id)
    let reports = try await scenario.executor().recoverInterrupted()
    #expect(reports.count == 1 && reports.first?.recoveryOf == crashedId)
    let old = try scenario.journal.items(ofRun: crashedId)
    #expect(old.map(\.outcome.rawValue) == ["skipped", "skipped"])
    #expect(old.contains { $0.detail?.contains("apply the plan again") == true })
    #expect(old.contains { $0.detail?.contains("finished by recovery run") == true })
    let rerun = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)
    #expect(rerun.counts == ["applied": 1, "unchanged": 1])
    #expect(await scenario.tenant.users == Crashable.applied)
  }

  @Test("a tenant that can't be reached leaves the run open; the next apply finishes it")
  func portErrorLeavesRunOpen() async throws {
    let scenario = try Scenario(Crashable.users)
    let plan = await scenario.linkPlan(Crashable.directory)
    let broken = PlanExecutor(
      port: Unreachable(inner: scenario.tenant, failingWrite: 2), journal: scenario.journal,
      options: ExecutorOptions(now: steppingClock(), crashHook: nil))
    await #expect {
      try await broken.apply(plan, planSource: nil, expectedTenant: nil)
    } throws: { error in
      guard case ExecutorError.port = error else { return false }
      return "\(error)".contains("the run stays open")
    }
    #expect(try scenario.journal.runs().first?.status == .running)
    _ = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)
    #expect(await scenario.tenant.users == Crashable.applied)
  }
}

/// Passes through to a tenant, but the n-th write call throws (a network outage).
struct Unreachable: TenantPort {
  struct Down: Error {}
  let inner: MemoryTenant
  let failingWrite: Int
  let calls = Counter()

  func readUsers(ids: [String]) async throws -> [String: CloudUserState] {
    try await inner.readUsers(ids: ids)
  }

  func write(_ changes: [UserChange]) async throws -> [WriteOutcome] {
    if calls.next() == failingWrite { throw Down() }
    return try await inner.write(changes)
  }
}
