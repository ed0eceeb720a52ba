import Testing

@testable import AnchorCore

private typealias F = Fixture

struct ClearScenario: Sendable, CustomTestStringConvertible {
  var name: String
  var cloud: CloudUser
  var others: [CloudUser] = []
  var newForest: [DirectoryUser]
  var settings = PlanSettings()
  var action: PlanAction
  var reason: DiagnosticCode
  var steps: [PlanStepKind]
  var readiness: SoftMatchReadiness.Outcome?
  var readinessReason: DiagnosticCode? = nil
  var readinessBy: MatchRule? = nil
  var testDescription: String { name }
}

@Suite("ClearPlanner")
struct ClearPlannerTests {
  static let scenarios: [ClearScenario] = [
    ClearScenario(
      name: "cloud-only user, new forest twin by UPN",
      cloud: F.cloud(F.id1, upn: "ann@contoso.com", immutableId: F.anchor(9)),
      newForest: [F.ad(1, upn: "Ann@contoso.com")], action: .clear, reason: .cloudOnlyUser,
      steps: [.clearImmutableId],
      readiness: .willSoftMatch, readinessBy: .userPrincipalName),
    ClearScenario(
      name: "twin by primary SMTP",
      cloud: F.cloud(
        F.id1, upn: "ann@contoso.com", proxy: ["SMTP:ann.b@contoso.com"], immutableId: F.anchor(9)),
      newForest: [F.ad(1, upn: "ann@new.local", proxy: ["SMTP:Ann.B@contoso.com"])], action: .clear,
      reason: .cloudOnlyUser,
      steps: [.clearImmutableId], readiness: .willSoftMatch, readinessBy: .primarySmtp),
    ClearScenario(
      name: "already clear is a noop with readiness", cloud: F.cloud(F.id1, upn: "ann@contoso.com"),
      newForest: [F.ad(1, upn: "ann@contoso.com")], action: .noop, reason: .alreadyClear, steps: [],
      readiness: .willSoftMatch),
    ClearScenario(
      name: "synced user is skipped",
      cloud: F.cloud(F.id1, upn: "ann@contoso.com", immutableId: F.anchor(9), synced: true),
      newForest: [], action: .skip, reason: .cloudUserSynced, steps: [], readiness: nil),
    ClearScenario(
      name: "federated without permission is blocked",
      cloud: F.cloud(F.id1, upn: "ann@fed.contoso.com", immutableId: F.anchor(9)),
      newForest: [F.ad(1, upn: "ann@fed.contoso.com")], action: .blocked,
      reason: .federatedClearNotAllowed, steps: [],
      readiness: .willSoftMatch),
    ClearScenario(
      name: "federated with permission moves to the managed domain and stays",
      cloud: F.cloud(
        F.id1, upn: "ann@fed.contoso.com", mail: "ann@fed.contoso.com", immutableId: F.anchor(9)),
      newForest: [F.ad(1, upn: "ann@fed.contoso.com", mail: "ann@fed.contoso.com")],
      settings: PlanSettings(allowFederatedClear: true),
      action: .clear, reason: .cloudOnlyUser, steps: [.setUserPrincipalName, .clearImmutableId],
      readiness: .willSoftMatch,
      readinessBy: .primarySmtp),
    ClearScenario(
      name: "role holder will be blocked from soft match",
      cloud: F.cloud(F.id1, upn: "admin@contoso.com", immutableId: F.anchor(9), role: true),
      newForest: [F.ad(1, upn: "admin@contoso.com")], action: .clear, reason: .cloudOnlyUser,
      steps: [.clearImmutableId],
      readiness: .blocked, readinessReason: .cloudUserHoldsRole),
    ClearScenario(
      name: "two new-forest users would match",
      cloud: F.cloud(
        F.id1, upn: "ann@contoso.com", mail: "ann.b@contoso.com", immutableId: F.anchor(9)),
      newForest: [
        F.ad(1, upn: "ann@contoso.com"), F.ad(2, upn: "x@new.local", mail: "ann.b@contoso.com"),
      ], action: .clear,
      reason: .cloudOnlyUser, steps: [.clearImmutableId], readiness: .blocked,
      readinessReason: .duplicateMatch),
    ClearScenario(
      name: "incoming user would also match another cloud user",
      cloud: F.cloud(F.id1, upn: "ann@contoso.com", immutableId: F.anchor(9)),
      others: [F.cloud(F.id2, upn: "other@contoso.com", mail: "ann.b@contoso.com")],
      newForest: [F.ad(1, upn: "ann@contoso.com", mail: "ann.b@contoso.com")], action: .clear,
      reason: .cloudOnlyUser,
      steps: [.clearImmutableId], readiness: .blocked, readinessReason: .duplicateMatch),
    ClearScenario(
      name: "no twin in the new forest",
      cloud: F.cloud(F.id1, upn: "ann@contoso.com", immutableId: F.anchor(9)),
      newForest: [F.ad(1, upn: "bob@contoso.com")], action: .clear, reason: .cloudOnlyUser,
      steps: [.clearImmutableId],
      readiness: .noTwin, readinessReason: .noCloudTwin),
  ]

  @Test("scenario", arguments: scenarios)
  func scenario(_ s: ClearScenario) throws {
    let plan = ClearPlanner(settings: s.settings).plan(
      tenant: Fixture.tenant([s.cloud] + s.others), newForestUsers: s.newForest, createdAt: "t")
    let item = try #require(plan.items.first { $0.cloud?.id == s.cloud.id })
    #expect(plan.mode == .clear)
    #expect(item.action == s.action, "\(item.explanation)")
    #expect(item.reason == s.reason)
    #expect(item.steps.map(\.kind) == s.steps)
    #expect(item.softMatch?.outcome == s.readiness)
    if let reason = s.readinessReason { #expect(item.softMatch?.reason == reason) }
    if let by = s.readinessBy { #expect(item.softMatch?.by == by) }
    if let first = item.steps.first { #expect(first.expect == item.before) }
  }

  @Test func scopeLimitsTheUsers() {
    let tenant = Fixture.tenant([
      F.cloud(F.id1, upn: "a@contoso.com", immutableId: F.anchor(1)),
      F.cloud(F.id2, upn: "b@other.com", immutableId: F.anchor(2)),
      F.cloud(F.id3, upn: "c@contoso.com", immutableId: F.anchor(3)),
    ])
    let byDomain = ClearPlanner(scope: ClearScope(domains: ["Contoso.com"])).plan(
      tenant: tenant, newForestUsers: [], createdAt: "t")
    #expect(byDomain.items.compactMap(\.cloud?.id) == [F.id1, F.id3])
    let byId = ClearPlanner(scope: ClearScope(userIds: [F.id2.uppercased()])).plan(
      tenant: tenant, newForestUsers: [], createdAt: "t")
    #expect(byId.items.compactMap(\.cloud?.id) == [F.id2])
  }

  @Test func softMatchBlockedFlagIsReported() {
    var tenant = Fixture.tenant([F.cloud(F.id1, upn: "a@contoso.com", immutableId: F.anchor(1))])
    tenant.flags.blockSoftMatchEnabled = true
    let plan = ClearPlanner().plan(tenant: tenant, newForestUsers: [], createdAt: "t")
    #expect(plan.diagnostics.map(\.code) == [.softMatchBlocked])
  }
}
