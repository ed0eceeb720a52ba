import AnchorCore
import PlanExecutor
import Testing

/// A write whose answer was lost (a 504 whose retries lost their replies, a 429 that may have been
/// applied, an item missing from a `$batch` response) is read back and journaled as what happened,
/// never as a refusal.
@Suite("Unclear write outcomes")
struct UnclearWriteTests {
  @Test(
    "an unclear answer that did take is journaled applied and the sequence goes on",
    arguments: [1, 2, 3])
  func unclearButApplied(write: Int) async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    await scenario.tenant.answerUnclearly(to: "u2", number: write, applies: true)
    let report = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)

    #expect(report.outcome(of: "u2") == "applied")
    #expect(await scenario.tenant.users == Standard.applied)
    let steps = try #require(
      try scenario.journal.items(ofRun: report.runId).first { $0.targetId == "u2" }?.steps)
    #expect(steps.map(\.status.rawValue) == ["verified", "verified", "verified"])
  }

  @Test("an unclear answer that did not take is a failure that says so, not a refusal")
  func unclearNotApplied() async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    await scenario.tenant.answerUnclearly(to: "u1", applies: false)
    let report = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)

    #expect(report.outcome(of: "u1") == "failed")
    #expect(
      report.detail(of: "u1")
        == "outcome unclear (GatewayTimeout: the reply was lost (HTTP 504)); read back: not applied"
    )
    #expect(await scenario.tenant.users["u1"] == Standard.users["u1"])
    #expect(report.outcome(of: "u2") == "applied" && report.outcome(of: "u5") == "applied")
  }

  @Test(
    "a federated step answered unclearly and not applied is reverted: never left on the temporary UPN",
    arguments: [2, 3])
  func federatedUnclearReverted(write: Int) async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    await scenario.tenant.answerUnclearly(to: "u2", number: write, applies: false)
    let report = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)

    #expect(report.outcome(of: "u2") == "failed")
    let detail = try #require(report.detail(of: "u2"))
    #expect(detail.contains("outcome unclear (GatewayTimeout"))
    #expect(detail.contains("; reverted: the user is back to"))
    #expect(await scenario.tenant.users["u2"] == Standard.users["u2"])
  }

  @Test("rollback sees a step that took despite an unclear answer and restores the original")
  func rollbackAfterUnclearApplied() async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    await scenario.tenant.answerUnclearly(to: "u2", number: 1, applies: true)
    let applied = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)
    #expect(applied.outcome(of: "u2") == "applied")

    let rollback = try await scenario.executor().rollback(runId: applied.runId)
    #expect(rollback.outcome(of: "u2") == "applied")
    #expect(await scenario.tenant.users == Standard.users)
  }

  @Test(
    "the next plan starts from the true state: an applied relink is a noop, not a stranded user")
  func replanAfterUnclearApplied() async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    await scenario.tenant.answerUnclearly(to: "u2", number: 1, applies: true)
    _ = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)

    let again = await scenario.linkPlan(Standard.directory)
    let u2 = try #require(again.items.first { $0.cloud?.id == "u2" })
    #expect(u2.action == .noop)
    #expect(await scenario.tenant.users["u2"]?.userPrincipalName == "bob@fed.contoso.com")
  }
}
