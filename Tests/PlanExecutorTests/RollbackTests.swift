import AnchorCore
import PlanExecutor
import Testing

@Suite("Rollback")
struct RollbackTests {
  @Test("link, relink and federated relink are restored exactly; a second rollback writes nothing")
  func restoresLinks() async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    let applied = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)
    #expect(await scenario.tenant.users == Standard.applied)

    let preview = try scenario.executor().rollbackItems(runId: applied.runId)
    #expect(preview.map(\.targetId).sorted() == ["u1", "u2", "u5"])
    #expect(preview.first { $0.targetId == "u2" }?.steps.count == 3)
    let rollback = try await scenario.executor().rollback(runId: applied.runId)
    #expect(await scenario.tenant.users == Standard.users)
    #expect(rollback.kind == .rollback && rollback.rollbackOf == applied.runId)
    #expect(rollback.counts == ["applied": 3])
    #expect(
      Set(rollback.items.map { "\($0.targetId) \($0.action)" }) == [
        "u1 clear", "u2 relink", "u5 relink",
      ])
    let bob = await scenario.tenant.writes.filter { $0.userId == "u2" }.suffix(3)
    #expect(
      Array(bob) == [
        UserChange(userId: "u2", anchor: nil, userPrincipalName: "bob@contoso.onmicrosoft.com"),
        UserChange(userId: "u2", anchor: .set(Fixture.anchorText(90)), userPrincipalName: nil),
        UserChange(
          userId: "u2", anchor: .set(Fixture.anchorText(90)),
          userPrincipalName: "bob@fed.contoso.com"),
      ])

    let writes = await scenario.tenant.writes.count
    let again = try await scenario.executor().rollback(runId: applied.runId)
    #expect(again.counts == ["unchanged": 3])
    #expect(await scenario.tenant.writes.count == writes)
    #expect(try scenario.journal.runs().map(\.kind.rawValue) == ["apply", "rollback", "rollback"])
  }

  @Test("clears are restored, including a federated user moved to the managed domain for good")
  func restoresClears() async throws {
    let original: [String: MemoryTenant.User] = [
      "c1": Fixture.user("frank@contoso.com", 7),
      "f1": Fixture.user("gina@fed.contoso.com", 8),
    ]
    let scenario = try Scenario(original)
    let plan = await scenario.clearPlan(["c1", "f1"], allowFederatedClear: true)
    #expect(plan.items.map(\.action) == [.clear, .clear])
    let applied = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)
    #expect(applied.counts == ["applied": 2])
    #expect(await scenario.tenant.users["f1"] == Fixture.user("gina@contoso.onmicrosoft.com"))

    let rollback = try await scenario.executor().rollback(runId: applied.runId)
    #expect(rollback.counts == ["applied": 2])
    #expect(await scenario.tenant.users == original)
    let gina = await scenario.tenant.writes.filter { $0.userId == "f1" }.suffix(2)
    #expect(
      Array(gina) == [
        UserChange(userId: "f1", anchor: .set(Fixture.anchorText(8)), userPrincipalName: nil),
        UserChange(
          userId: "f1", anchor: .set(Fixture.anchorText(8)),
          userPrincipalName: "gina@fed.contoso.com"),
      ])
  }

  @Test(
    "a federated user whose original ImmutableID was null can't be restored: skipped, not written")
  func federatedNullOriginal() async throws {
    let scenario = try Scenario(["u9": Fixture.user("hank@fed.contoso.com")])
    let plan = await scenario.linkPlan([Fixture.ad(9, upn: "hank@fed.contoso.com")])
    let applied = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)
    #expect(applied.counts == ["applied": 1])
    let writes = await scenario.tenant.writes.count
    let rollback = try await scenario.executor().rollback(runId: applied.runId)
    #expect(rollback.outcome(of: "u9") == "skipped")
    #expect(rollback.detail(of: "u9")?.contains("an exact restore is impossible") == true)
    #expect(await scenario.tenant.writes.count == writes)
    #expect(await scenario.tenant.users["u9"] == Fixture.user("hank@fed.contoso.com", 9))
  }

  @Test("a user left on the temporary UPN (step and revert refused) goes back in one PATCH")
  func restoresAfterMidwayFailure() async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    let refusal = TenantPortError(
      status: 400, code: "Request_BadRequest", message: "nope", requestId: nil)
    await scenario.tenant.failWrite(to: "u2", number: 2, with: refusal)
    await scenario.tenant.failWrite(to: "u2", number: 3, with: refusal)
    let applied = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)
    #expect(await scenario.tenant.users["u2"]?.userPrincipalName == "bob@contoso.onmicrosoft.com")
    let before = await scenario.tenant.writes.filter { $0.userId == "u2" }.count
    _ = try await scenario.executor().rollback(runId: applied.runId)
    #expect(await scenario.tenant.users == Standard.users)
    let bob = await scenario.tenant.writes.filter { $0.userId == "u2" }.dropFirst(before)
    #expect(
      Array(bob) == [
        UserChange(
          userId: "u2", anchor: .set(Fixture.anchorText(90)),
          userPrincipalName: "bob@fed.contoso.com")
      ])
  }

  @Test("an item the executor already reverted is not rolled back again")
  func revertedItemNotRolledBack() async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    await scenario.tenant.failWrite(
      to: "u2", number: 2,
      with: TenantPortError(
        status: 400, code: "Request_BadRequest", message: "nope", requestId: nil))
    let applied = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)
    let rollback = try await scenario.executor().rollback(runId: applied.runId)
    #expect(rollback.items.map(\.targetId).sorted() == ["u1", "u5"])
    #expect(await scenario.tenant.users == Standard.users)
  }

  @Test("rollback is compare-and-set too: a user changed since the apply is stale and kept")
  func staleRollback() async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    let applied = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)
    await scenario.tenant.set("u1", Fixture.user("alice@contoso.com", 66))
    let rollback = try await scenario.executor().rollback(runId: applied.runId)
    #expect(rollback.outcome(of: "u1") == "stale")
    #expect(await scenario.tenant.users["u1"] == Fixture.user("alice@contoso.com", 66))
  }

  @Test("rollback obeys the safety threshold")
  func rollbackThreshold() async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    let applied = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)
    let writes = await scenario.tenant.writes.count
    await #expect {
      try await scenario.executor(maxChanges: 2).rollback(runId: applied.runId)
    } throws: { error in
      guard case ExecutorError.safetyThreshold(changes: 3, limit: 2) = error else { return false }
      return true
    }
    #expect(await scenario.tenant.writes.count == writes)
  }

  @Test("unknown runs and runs that wrote nothing are refused with a clear error")
  func refusals() async throws {
    let scenario = try Scenario(Standard.users)
    await #expect {
      try await scenario.executor().rollback(runId: "20261129T040000Z-000000")
    } throws: { error in
      guard case ExecutorError.unknownRun("20261129T040000Z-000000") = error else { return false }
      return "\(error)".contains("no run 20261129T040000Z-000000")
    }
    let plan = await scenario.linkPlan(Standard.directory)
    await #expect(throws: ExecutorError.self) {
      try await scenario.executor(maxChanges: 1).apply(plan, planSource: nil, expectedTenant: nil)
    }
    let refused = try #require(try scenario.journal.runs().first)
    await #expect {
      try await scenario.executor().rollback(runId: refused.id)
    } throws: { error in
      guard case ExecutorError.nothingToRollBack(refused.id) = error else { return false }
      return true
    }
  }
}
