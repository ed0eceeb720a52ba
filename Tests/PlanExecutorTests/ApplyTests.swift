import AnchorCore
import PlanExecutor
import Testing

/// The standard tenant: a link, a federated relink (3 steps), a noop, a synced user, a relink.
enum Standard {
  static let users: [String: MemoryTenant.User] = [
    "u1": Fixture.user("alice@contoso.com"),
    "u2": Fixture.user("bob@fed.contoso.com", 90),
    "u3": Fixture.user("carol@contoso.com", 3),
    "u4": Fixture.user("dave@contoso.com", synced: true),
    "u5": Fixture.user("erin@contoso.com", 50),
  ]
  static let directory = [
    Fixture.ad(1, upn: "alice@contoso.com"), Fixture.ad(2, upn: "bob@fed.contoso.com"),
    Fixture.ad(3, upn: "carol@contoso.com"), Fixture.ad(4, upn: "dave@contoso.com"),
    Fixture.ad(5, upn: "erin@contoso.com"),
  ]
  /// What the tenant holds once the plan is applied.
  static let applied: [String: MemoryTenant.User] = [
    "u1": Fixture.user("alice@contoso.com", 1),
    "u2": Fixture.user("bob@fed.contoso.com", 2),
    "u3": Fixture.user("carol@contoso.com", 3),
    "u4": Fixture.user("dave@contoso.com", synced: true),
    "u5": Fixture.user("erin@contoso.com", 5),
  ]
}

extension RunReport {
  func outcome(of cloudId: String) -> String? {
    items.first { $0.targetId == cloudId }?.outcome.rawValue
  }
  func detail(of cloudId: String) -> String? { items.first { $0.targetId == cloudId }?.detail }
}

@Suite("Apply")
struct ApplyTests {
  @Test("the planner's plan for the standard tenant has the expected shape")
  func planShape() async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    let actions = Dictionary(uniqueKeysWithValues: plan.items.map { ($0.cloud?.id ?? "", $0) })
    #expect(actions["u1"]?.action == .link)
    #expect(actions["u2"]?.action == .relink)
    #expect(
      actions["u2"]?.steps.map(\.kind) == [
        .setUserPrincipalName, .setImmutableId, .setUserPrincipalNameAndImmutableId,
      ])
    #expect(actions["u3"]?.action == .noop)
    #expect(actions["u4"]?.action == .blocked)
    #expect(actions["u5"]?.action == .relink)
  }

  @Test("hard match: every write applied and verified, the rest journaled and not written")
  func appliesAndVerifies() async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    let report = try await scenario.executor().apply(
      plan, planSource: "/tmp/plan.json", expectedTenant: Fixture.tenantId)

    #expect(await scenario.tenant.users == Standard.applied)
    #expect(report.status == .completed && report.kind == .apply)
    #expect(report.outcome(of: "u1") == "applied")
    #expect(report.outcome(of: "u2") == "applied")
    #expect(report.outcome(of: "u3") == "unchanged")
    #expect(report.outcome(of: "u4") == "skipped")
    #expect(report.outcome(of: "u5") == "applied")
    #expect(report.counts == ["applied": 3, "unchanged": 1, "skipped": 1])
    #expect(report.planChecksum?.hasPrefix("sha256:") == true)
    let file = String(decoding: plan.encodeJSON(), as: UTF8.self)
    #expect(file.contains("\"checksum\": \"\(report.planChecksum ?? "-")\""))

    let items = try scenario.journal.items(ofRun: report.runId)
    for item in items where item.outcome == .applied {
      #expect(item.steps.allSatisfy { $0.status == .verified && $0.at != nil })
    }
    let run = try #require(try scenario.journal.run(report.runId))
    #expect(run.planSource == "/tmp/plan.json" && run.tenant == Fixture.tenantId)
    #expect(run.finishedAt != nil)
  }

  @Test("federated: UPN to the initial domain, anchor there, UPN back with the anchor in one PATCH")
  func federatedSequence() async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    _ = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)
    let bob = await scenario.tenant.writes.filter { $0.userId == "u2" }
    #expect(
      bob == [
        UserChange(userId: "u2", anchor: nil, userPrincipalName: "bob@contoso.onmicrosoft.com"),
        UserChange(userId: "u2", anchor: .set(Fixture.anchorText(2)), userPrincipalName: nil),
        UserChange(
          userId: "u2", anchor: .set(Fixture.anchorText(2)),
          userPrincipalName: "bob@fed.contoso.com"),
      ])
  }

  @Test("clear sends an explicit null and is verified")
  func clearWithExplicitNull() async throws {
    let scenario = try Scenario(["c1": Fixture.user("frank@contoso.com", 7)])
    let plan = await scenario.clearPlan(["c1"])
    #expect(plan.items.map(\.action) == [.clear])
    let report = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)
    #expect(report.outcome(of: "c1") == "applied")
    #expect(
      await scenario.tenant.writes == [
        UserChange(userId: "c1", anchor: .clear, userPrincipalName: nil)
      ])
    #expect(await scenario.tenant.users["c1"]?.immutableId == nil)
  }

  @Test(
    "a read-back that misses a fresh write is repeated before the step counts as failed",
    arguments: [(1, "applied"), (0, "failed")])
  func replicationLag(retries: Int, outcome: String) async throws {
    let scenario = try Scenario(["c1": Fixture.user("frank@contoso.com", 7)])
    let plan = await scenario.clearPlan(["c1"])
    let lagging = LaggingReads(inner: scenario.tenant)
    let executor = PlanExecutor(
      port: lagging, journal: scenario.journal,
      options: ExecutorOptions(
        now: steppingClock(), crashHook: nil, readBackRetries: retries, readBackDelay: .zero))
    let report = try await executor.apply(plan, planSource: nil, expectedTenant: nil)
    #expect(report.outcome(of: "c1") == outcome)
    #expect(await scenario.tenant.users["c1"]?.immutableId == nil)
  }

  @Test("a clear Graph accepts but does not take is a failure (the $null trap)")
  func acceptedButNotTaken() async throws {
    let scenario = try Scenario(["c1": Fixture.user("frank@contoso.com", 7)])
    await scenario.tenant.setIgnoresClears(true)
    let plan = await scenario.clearPlan(["c1"])
    let report = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)
    #expect(report.outcome(of: "c1") == "failed")
    #expect(
      report.detail(of: "c1")
        == "accepted but did not take: onPremisesImmutableId is \"\(Fixture.anchorText(7))\", expected null"
    )
    let step = try #require(try scenario.journal.items(ofRun: report.runId).first?.steps.first)
    #expect(step.status == .failed && step.error == report.detail(of: "c1"))
  }

  @Test("a user changed since planning is stale, with both values, and not written")
  func staleSkipped() async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    await scenario.tenant.set("u1", Fixture.user("alice@contoso.com", 77))
    await scenario.tenant.set("u5", Fixture.user("erin@contoso.com", 50, synced: true))
    let report = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)
    #expect(report.outcome(of: "u1") == "stale")
    #expect(
      report.detail(of: "u1")
        == "stale: the plan expects {onPremisesImmutableId: null, userPrincipalName: alice@contoso.com, onPremisesSyncEnabled: null}, the tenant has {onPremisesImmutableId: \"\(Fixture.anchorText(77))\", userPrincipalName: alice@contoso.com, onPremisesSyncEnabled: null}"
    )
    #expect(report.outcome(of: "u5") == "stale")
    #expect(report.detail(of: "u5")?.contains("onPremisesSyncEnabled: true") == true)
    #expect(await scenario.tenant.writes.allSatisfy { $0.userId == "u2" })
    #expect(report.outcome(of: "u2") == "applied")
  }

  @Test("a user deleted since planning is notFound")
  func notFound() async throws {
    let scenario = try Scenario(["c1": Fixture.user("frank@contoso.com", 7)])
    let plan = await scenario.clearPlan(["c1"])
    let emptied = MemoryTenant(users: [:], federatedDomains: Fixture.federated)
    let executor = PlanExecutor(
      port: emptied, journal: scenario.journal,
      options: ExecutorOptions(now: steppingClock(), crashHook: nil))
    let report = try await executor.apply(plan, planSource: nil, expectedTenant: nil)
    #expect(report.outcome(of: "c1") == "notFound")
    #expect(await emptied.writes.isEmpty)
  }

  @Test("over the safety threshold: refused and journaled, nothing written")
  func thresholdRefused() async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    #expect(PlanExecutor.changes(in: plan) == 3)
    let executor = scenario.executor(maxChanges: 2)
    await #expect {
      try await executor.apply(plan, planSource: nil, expectedTenant: nil)
    } throws: { error in
      guard case ExecutorError.safetyThreshold(changes: 3, limit: 2) = error else { return false }
      return "\(error)"
        == "the plan has 3 changes, more than safety.maxChanges (2): nothing was written; review it and rerun with --max-changes 3"
    }
    #expect(await scenario.tenant.writes.isEmpty)
    #expect(await scenario.tenant.readCalls == 0)
    let runs = try scenario.journal.runs()
    #expect(runs.map(\.status.rawValue) == ["refused"])
    let raised = try await scenario.executor(maxChanges: 3).apply(
      plan, planSource: nil, expectedTenant: nil)
    #expect(raised.status == .completed)
  }

  @Test("a plan for another tenant is refused before any write")
  func wrongTenant() async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    await #expect {
      try await scenario.executor().apply(plan, planSource: nil, expectedTenant: "other-tenant")
    } throws: { error in
      guard case ExecutorError.wrongTenant(plan: Fixture.tenantId, expected: "other-tenant") = error
      else { return false }
      return true
    }
    #expect(await scenario.tenant.writes.isEmpty)
  }

  @Test("applying the same plan twice: the second run is all unchanged with zero writes")
  func idempotent() async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    let executor = scenario.executor()
    _ = try await executor.apply(plan, planSource: nil, expectedTenant: nil)
    let writes = await scenario.tenant.writes.count
    let second = try await executor.apply(plan, planSource: nil, expectedTenant: nil)
    #expect(await scenario.tenant.writes.count == writes)
    #expect(second.counts == ["unchanged": 4, "skipped": 1])
    #expect(await scenario.tenant.users == Standard.applied)
  }

  @Test("a write Graph refuses is failed with its code and message; the others go on")
  func refusedWrite() async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    await scenario.tenant.failWrite(
      to: "u1",
      with: TenantPortError(
        status: 403, code: "Authorization_RequestDenied",
        message: "Insufficient privileges to complete the operation.", requestId: "r-1"))
    let report = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)
    #expect(report.outcome(of: "u1") == "failed")
    #expect(
      report.detail(of: "u1")
        == "Authorization_RequestDenied: Insufficient privileges to complete the operation. (HTTP 403, request-id r-1)"
    )
    #expect(report.outcome(of: "u2") == "applied" && report.outcome(of: "u5") == "applied")
  }

  @Test("a federated step refused midway is reverted: the user is not left on the temporary UPN")
  func federatedMidwayFailureReverted() async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    await scenario.tenant.failWrite(
      to: "u2", number: 2,
      with: TenantPortError(
        status: 400, code: "Request_BadRequest", message: "nope", requestId: nil))
    let report = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)
    #expect(report.outcome(of: "u2") == "failed")
    #expect(
      report.detail(of: "u2")
        == "step 2 of 3 (setImmutableId) failed: Request_BadRequest: nope (HTTP 400); reverted: the user is back to {onPremisesImmutableId: \"\(Fixture.anchorText(90))\", userPrincipalName: bob@fed.contoso.com, onPremisesSyncEnabled: null}"
    )
    #expect(await scenario.tenant.users["u2"] == Standard.users["u2"])
    #expect(
      await scenario.tenant.writes.filter { $0.userId == "u2" } == [
        UserChange(userId: "u2", anchor: nil, userPrincipalName: "bob@contoso.onmicrosoft.com"),
        UserChange(userId: "u2", anchor: .set(Fixture.anchorText(2)), userPrincipalName: nil),
        UserChange(
          userId: "u2", anchor: .set(Fixture.anchorText(90)),
          userPrincipalName: "bob@fed.contoso.com"),
      ])
    let steps = try #require(
      try scenario.journal.items(ofRun: report.runId).first { $0.targetId == "u2" }?.steps)
    #expect(steps.map(\.status.rawValue) == ["verified", "failed", "planned", "verified"])
    #expect(steps.map(\.reverts) == [false, false, false, true])
  }

  @Test(
    "whichever later step of the sequence is refused, the user ends where it started",
    arguments: [2, 3])
  func federatedRefusalReverted(failingWrite: Int) async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    await scenario.tenant.failWrite(
      to: "u2", number: failingWrite,
      with: TenantPortError(
        status: 400, code: "Request_BadRequest", message: "nope", requestId: nil))
    let report = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)
    #expect(report.outcome(of: "u2") == "failed")
    #expect(report.detail(of: "u2")?.contains("; reverted: the user is back to") == true)
    #expect(await scenario.tenant.users["u2"] == Standard.users["u2"])
  }

  @Test("when the revert fails too, the detail says where the user is and how to restore it")
  func federatedRevertFails() async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    let refusal = TenantPortError(
      status: 400, code: "Request_BadRequest", message: "nope", requestId: nil)
    await scenario.tenant.failWrite(to: "u2", number: 2, with: refusal)
    await scenario.tenant.failWrite(to: "u2", number: 3, with: refusal)
    let report = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)
    #expect(
      report.detail(of: "u2")
        == "step 2 of 3 (setImmutableId) failed: Request_BadRequest: nope (HTTP 400); reverting it failed too (setUserPrincipalNameAndImmutableId): Request_BadRequest: nope (HTTP 400); the user is left as {onPremisesImmutableId: \"\(Fixture.anchorText(90))\", userPrincipalName: bob@contoso.onmicrosoft.com, onPremisesSyncEnabled: null}: `anchorbridge rollback` restores the original"
    )
  }

  @Test("small waves give the same result as one wave", arguments: [1, 2, 3, 200])
  func waves(size: Int) async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    let report = try await scenario.executor(waveSize: size).apply(
      plan, planSource: nil, expectedTenant: nil)
    #expect(report.counts == ["applied": 3, "unchanged": 1, "skipped": 1])
    #expect(await scenario.tenant.users == Standard.applied)
  }
}

/// A replica that lags: the first read after a write still shows the state before it.
actor LaggingReads: TenantPort {
  let inner: MemoryTenant
  private var previous: [String: CloudUserState] = [:]

  init(inner: MemoryTenant) { self.inner = inner }

  func readUsers(ids: [String]) async throws -> [String: CloudUserState] {
    var states = try await inner.readUsers(ids: ids)
    for (id, state) in previous where ids.contains(id) { states[id] = state }
    previous = [:]
    return states
  }

  func write(_ changes: [UserChange]) async throws -> [WriteOutcome] {
    previous = try await inner.readUsers(ids: changes.map(\.userId))
    return try await inner.write(changes)
  }
}
