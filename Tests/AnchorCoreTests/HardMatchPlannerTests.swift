import Testing

@testable import AnchorCore

struct LinkScenario: Sendable, CustomTestStringConvertible {
  var name: String
  var directory: [DirectoryUser]
  var cloud: [CloudUser]
  var domains: [TenantDomain] = Fixture.domains
  var settings = PlanSettings()
  var mapping: [IdentityMapping] = []
  var action: PlanAction
  var reason: DiagnosticCode
  var matchedBy: MatchRule? = nil
  var steps: [PlanStepKind]? = nil
  var involved: Int? = nil
  var testDescription: String { name }
}

private typealias F = Fixture

@Suite("HardMatchPlanner")
struct HardMatchPlannerTests {
  static let scenarios: [LinkScenario] = [
    LinkScenario(
      name: "link by UPN, case-insensitive", directory: [F.ad(1, upn: "Ann@Contoso.com")],
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com")], action: .link,
      reason: .cloudUserHasNoImmutableId,
      matchedBy: .userPrincipalName, steps: [.setImmutableId]),
    LinkScenario(
      name: "link by primary SMTP against mail",
      directory: [
        F.ad(1, upn: "ann@corp.local", proxy: ["SMTP:Ann.B@contoso.com", "smtp:old@contoso.com"])
      ],
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com", mail: "ann.b@contoso.com")], action: .link,
      reason: .cloudUserHasNoImmutableId, matchedBy: .primarySmtp, steps: [.setImmutableId]),
    LinkScenario(
      name: "link by primary SMTP against a secondary proxy address",
      directory: [F.ad(1, upn: "ann@corp.local", mail: "ann.b@contoso.com")],
      cloud: [
        F.cloud(
          F.id1, upn: "ann@contoso.com", mail: "x@contoso.com",
          proxy: ["SMTP:x@contoso.com", "smtp:ann.b@contoso.com"])
      ],
      action: .link, reason: .cloudUserHasNoImmutableId, matchedBy: .primarySmtp),
    LinkScenario(
      name: "secondary AD addresses do not soft-match",
      directory: [
        F.ad(1, upn: "ann@corp.local", proxy: ["SMTP:a@contoso.com", "smtp:ann@contoso.com"])
      ],
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com", mail: "ann@contoso.com")], action: .skip,
      reason: .noCloudTwin),
    LinkScenario(
      name: "already linked (noop) although the UPN differs",
      directory: [F.ad(1, upn: "ann@corp.local")],
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com", immutableId: F.anchor(1))], action: .noop,
      reason: .alreadyLinked,
      matchedBy: .immutableId, steps: []),
    LinkScenario(
      name: "explicit mapping by sAMAccountName to object id",
      directory: [F.ad(1, upn: "ann@corp.local", sam: "ann")],
      cloud: [F.cloud(F.id1, upn: "anna@contoso.com")],
      mapping: [
        IdentityMapping(
          directory: .samAccountName("ANN"), cloud: .objectId(F.id1.uppercased()), origin: "m.csv:1"
        )
      ],
      action: .link, reason: .cloudUserHasNoImmutableId, matchedBy: .mapping),
    LinkScenario(
      name: "mapping wins over a disagreeing UPN (warning only)",
      directory: [F.ad(1, upn: "ann@contoso.com")],
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com"), F.cloud(F.id2, upn: "anna@contoso.com")],
      mapping: [
        IdentityMapping(
          directory: .distinguishedName("cn=user1,ou=users,dc=corp,dc=example"),
          cloud: .userPrincipalName("anna@contoso.com"), origin: "m.csv:1")
      ],
      action: .link, reason: .cloudUserHasNoImmutableId, matchedBy: .mapping),
    LinkScenario(
      name: "different ImmutableID without allowRelink is blocked",
      directory: [F.ad(1, upn: "ann@contoso.com")],
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com", immutableId: F.anchor(9))], action: .blocked,
      reason: .relinkNotAllowed),
    LinkScenario(
      name: "different ImmutableID with allowRelink is relinked",
      directory: [F.ad(1, upn: "ann@contoso.com")],
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com", immutableId: F.anchor(9))],
      settings: PlanSettings(allowRelink: true),
      action: .relink, reason: .immutableIdDiffers, steps: [.setImmutableId]),
    LinkScenario(
      name: "synced user that agrees is a noop", directory: [F.ad(1, upn: "ann@contoso.com")],
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com", immutableId: F.anchor(1), synced: true)],
      action: .noop,
      reason: .syncedAndLinked),
    LinkScenario(
      name: "synced user that disagrees is blocked (read-only)",
      directory: [F.ad(1, upn: "ann@contoso.com")],
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com", immutableId: F.anchor(9), synced: true)],
      settings: PlanSettings(allowRelink: true), action: .blocked, reason: .cloudUserSynced),
    LinkScenario(
      name: "role holder is blocked with the documented remedy",
      directory: [F.ad(1, upn: "admin@contoso.com")],
      cloud: [F.cloud(F.id1, upn: "admin@contoso.com", role: true)], action: .blocked,
      reason: .cloudUserHoldsRole),
    LinkScenario(
      name: "disabled AD user skipped by default",
      directory: [F.ad(1, upn: "ann@contoso.com", enabled: false)],
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com")], action: .skip, reason: .directoryUserDisabled
    ),
    LinkScenario(
      name: "disabled AD user included on request",
      directory: [F.ad(1, upn: "ann@contoso.com", enabled: false)],
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com")],
      settings: PlanSettings(includeDisabled: true), action: .link,
      reason: .cloudUserHasNoImmutableId),
    LinkScenario(
      name: "no cloud twin", directory: [F.ad(1, upn: "ann@contoso.com")],
      cloud: [F.cloud(F.id1, upn: "bob@contoso.com")],
      action: .skip, reason: .noCloudTwin),
    LinkScenario(
      name: "one AD user matching two cloud users (UPN vs SMTP)",
      directory: [F.ad(1, upn: "ann@contoso.com", mail: "ann.b@contoso.com")],
      cloud: [
        F.cloud(F.id1, upn: "ann@contoso.com"),
        F.cloud(F.id2, upn: "annb@contoso.com", mail: "ann.b@contoso.com"),
      ],
      action: .conflict, reason: .matchRulesDisagree, involved: 3),
    LinkScenario(
      name: "duplicate UPN within AD",
      directory: [F.ad(1, upn: "ann@contoso.com"), F.ad(2, upn: "ANN@contoso.com")],
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com")], action: .conflict,
      reason: .duplicateDirectoryUpn, involved: 3),
    LinkScenario(
      name: "duplicate primary SMTP within AD",
      directory: [
        F.ad(1, upn: "a@corp.local", mail: "ann@contoso.com"),
        F.ad(2, upn: "b@corp.local", mail: "ann@contoso.com"),
      ],
      cloud: [F.cloud(F.id1, upn: "x@contoso.com", mail: "ann@contoso.com")], action: .conflict,
      reason: .duplicateDirectorySmtp,
      involved: 3),
    LinkScenario(
      name: "duplicate mail within the tenant",
      directory: [F.ad(1, upn: "a@corp.local", mail: "ann@contoso.com")],
      cloud: [
        F.cloud(F.id1, upn: "x@contoso.com", mail: "ann@contoso.com"),
        F.cloud(F.id2, upn: "y@contoso.com", proxy: ["smtp:ann@contoso.com"]),
      ],
      action: .conflict, reason: .duplicateCloudSmtp, involved: 3),
    LinkScenario(
      name: "duplicate UPN within the tenant snapshot",
      directory: [F.ad(1, upn: "ann@contoso.com")],
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com"), F.cloud(F.id2, upn: "Ann@contoso.com")],
      action: .conflict,
      reason: .duplicateCloudUpn, involved: 3),
    LinkScenario(
      name: "one cloud user claimed by two AD users",
      directory: [
        F.ad(1, upn: "ann@contoso.com"), F.ad(2, upn: "ann2@corp.local", mail: "ann@contoso.com"),
      ],
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com", mail: "ann@contoso.com")], action: .conflict,
      reason: .cloudUserClaimedTwice, involved: 3),
    LinkScenario(
      name: "ImmutableID already used by another cloud user",
      directory: [F.ad(1, upn: "ann@contoso.com")],
      cloud: [
        F.cloud(F.id1, upn: "ann@contoso.com"),
        F.cloud(F.id2, upn: "old.ann@contoso.com", immutableId: F.anchor(1)),
      ],
      settings: PlanSettings(matchOrder: [.userPrincipalName]), action: .conflict,
      reason: .immutableIdInUse, involved: 3),
    LinkScenario(
      name: "two AD users with the same anchor",
      directory: [
        F.ad(1, upn: "ann@contoso.com"),
        F.ad(2, upn: "bob@contoso.com", anchor: .some(F.anchor(1))),
      ],
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com")], action: .conflict,
      reason: .duplicateDirectoryAnchor, involved: 3),
    LinkScenario(
      name: "no anchor (empty custom attribute)",
      directory: [F.ad(1, upn: "ann@contoso.com", anchor: .some(nil))],
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com")], action: .blocked, reason: .noSourceAnchor),
    LinkScenario(
      name: "federated domain: three-step sequence",
      directory: [F.ad(1, upn: "ann@fed.contoso.com")],
      cloud: [F.cloud(F.id1, upn: "ann@fed.contoso.com")], action: .link,
      reason: .cloudUserHasNoImmutableId,
      steps: [.setUserPrincipalName, .setImmutableId, .setUserPrincipalNameAndImmutableId]),
    LinkScenario(
      name: "federated relink: three-step sequence",
      directory: [F.ad(1, upn: "ann@fed.contoso.com")],
      cloud: [F.cloud(F.id1, upn: "ann@fed.contoso.com", immutableId: F.anchor(9))],
      settings: PlanSettings(allowRelink: true),
      action: .relink, reason: .immutableIdDiffers,
      steps: [.setUserPrincipalName, .setImmutableId, .setUserPrincipalNameAndImmutableId]),
    LinkScenario(
      name: "federated: temporary UPN already taken",
      directory: [F.ad(1, upn: "ann@fed.contoso.com")],
      cloud: [
        F.cloud(F.id1, upn: "ann@fed.contoso.com"),
        F.cloud(F.id2, upn: "ann@contoso.onmicrosoft.com"),
      ],
      action: .blocked, reason: .temporaryUpnTaken),
    LinkScenario(
      name: "federated: two users would need the same temporary UPN",
      directory: [F.ad(1, upn: "ann@fed.contoso.com"), F.ad(2, upn: "ann@fed2.contoso.com")],
      cloud: [
        F.cloud(F.id1, upn: "ann@fed.contoso.com"), F.cloud(F.id2, upn: "ann@fed2.contoso.com"),
      ],
      action: .blocked, reason: .temporaryUpnTaken),
    LinkScenario(
      name: "federated: no initial domain in the snapshot",
      directory: [F.ad(1, upn: "ann@fed.contoso.com")],
      cloud: [F.cloud(F.id1, upn: "ann@fed.contoso.com")],
      domains: Array(Fixture.domains.dropFirst()), action: .blocked,
      reason: .noInitialDomain),
  ]

  @Test("scenario", arguments: scenarios)
  func scenario(_ s: LinkScenario) throws {
    let plan = HardMatchPlanner(settings: s.settings).plan(
      directoryUsers: s.directory, tenant: Fixture.tenant(s.cloud, domains: s.domains),
      mapping: s.mapping,
      createdAt: "2026-11-29T00:00:00Z")
    #expect(plan.items.count == s.directory.count)
    let item = try #require(
      plan.items.first { $0.directory?.distinguishedName == s.directory[0].distinguishedName })
    #expect(item.action == s.action, "\(item.explanation)")
    #expect(item.reason == s.reason, "\(item.explanation)")
    #expect(!item.explanation.isEmpty)
    if let matchedBy = s.matchedBy { #expect(item.matchedBy == matchedBy) }
    if let steps = s.steps { #expect(item.steps.map(\.kind) == steps) }
    if let involved = s.involved { #expect(item.involved.count == involved, "\(item.involved)") }
    // Only writing actions carry steps, and every step carries its compare-and-set expectation.
    if [.noop, .blocked, .conflict, .skip].contains(item.action) { #expect(item.steps.isEmpty) }
    if item.action == .link || item.action == .relink {
      #expect(item.steps.first?.expect == item.before)
      #expect(
        item.before?.immutableId == s.cloud.first { $0.id == item.cloud?.id }?.onPremisesImmutableId
      )
    }
  }

  @Test func federatedStepsCarryTheirExpectations() throws {
    let plan = HardMatchPlanner().plan(
      directoryUsers: [F.ad(1, upn: "ann@fed.contoso.com")],
      tenant: Fixture.tenant([F.cloud(F.id1, upn: "Ann@Fed.contoso.com", synced: false)]),
      createdAt: "t")
    let steps = try #require(plan.items.first?.steps)
    try #require(steps.count == 3)
    #expect(steps[0].userPrincipalName == "Ann@contoso.onmicrosoft.com")
    #expect(
      steps[0].expect
        == BeforeImage(
          immutableId: nil, userPrincipalName: "Ann@Fed.contoso.com", onPremisesSyncEnabled: false))
    #expect(steps[1].immutableId == F.anchor(1))
    #expect(steps[1].expect.userPrincipalName == "Ann@contoso.onmicrosoft.com")
    #expect(steps[2].userPrincipalName == "Ann@Fed.contoso.com")
    #expect(steps[2].immutableId == F.anchor(1))
    #expect(steps[2].expect.immutableId == F.anchor(1))
    #expect(plan.items[0].diagnostics.map(\.code) == [.federatedDomainSequence])
  }

  @Test func planLevelFindings() {
    var tenant = Fixture.tenant([
      F.cloud(F.id1, upn: "a@contoso.com", mail: "x@contoso.com"),
      F.cloud(F.id2, upn: "b@contoso.com", mail: "X@contoso.com"),
    ])
    tenant.flags = TenantFlags(
      blockSoftMatchEnabled: nil, blockCloudObjectTakeoverThroughHardMatchEnabled: true)
    let plan = HardMatchPlanner().plan(
      directoryUsers: [F.ad(1, upn: "c@contoso.com")], tenant: tenant,
      mapping: [
        IdentityMapping(
          directory: .samAccountName("nobody"), cloud: .objectId(F.id1), origin: "m.csv:3")
      ],
      createdAt: "t")
    let codes = Set(plan.diagnostics.map(\.code))
    #expect(
      codes == [
        .tenantFlagsUnknown, .hardMatchTakeoverBlocked, .duplicateCloudSmtp, .mappingUnresolved,
      ])
    #expect(plan.diagnostics.contains { $0.subject == "m.csv:3" })
  }

  @Test func summaryCountsActions() {
    let plan = HardMatchPlanner().plan(
      directoryUsers: [
        F.ad(1, upn: "a@contoso.com"), F.ad(2, upn: "b@contoso.com"),
        F.ad(3, upn: "c@contoso.com", enabled: false),
      ],
      tenant: Fixture.tenant([
        F.cloud(F.id1, upn: "a@contoso.com"),
        F.cloud(F.id2, upn: "b@contoso.com", immutableId: F.anchor(2)),
      ]),
      createdAt: "t")
    #expect(plan.summary == ["link": 1, "noop": 1, "skip": 1])
    #expect(plan.summaryLine == "3 items: 1 link, 1 noop, 1 skip")
  }
}
