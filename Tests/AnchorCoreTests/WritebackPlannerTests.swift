import Testing

@testable import AnchorCore

private typealias F = Fixture

/// A new-forest user n (objectGUID n, no ConsistencyGuid unless given), anchored by policy.
private func twin(
  _ n: Int, upn: String? = nil, mail: String? = nil, consistencyGuid: [UInt8]? = nil,
  source: String = "corp", enabled: Bool = true
) -> DirectoryUser {
  var user = F.ad(
    n, upn: upn, mail: mail, proxy: mail.map { ["SMTP:" + $0] } ?? [], enabled: enabled)
  user.source = source
  user.consistencyGuid = consistencyGuid
  user.anchorSource = consistencyGuid == nil ? "objectGUID" : "mS-DS-ConsistencyGuid"
  // As the policy resolves it: only the consistencyGuid source ("corp") exports the attribute.
  user.anchor =
    (source == "corp" ? consistencyGuid.map(SourceAnchor.init(binaryValue:)) : nil) ?? F.anchor(n)
  return user
}

struct WritebackScenario: Sendable, CustomTestStringConvertible {
  var name: String
  var cloud: [CloudUser]
  var directory: [DirectoryUser]
  var settings = PlanSettings()
  var mapping: [IdentityMapping] = []
  /// Per cloud user id: action and reason.
  var expected: [String: (PlanAction, DiagnosticCode)]
  var testDescription: String { name }
}

@Suite("WritebackPlanner")
struct WritebackPlannerTests {
  static let policies: [String: AnchorPolicy] = ["corp": .consistencyGuid, "legacy": .objectGUID]

  static let scenarios: [WritebackScenario] = [
    WritebackScenario(
      name: "twin by UPN with an empty ConsistencyGuid: write",
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com", immutableId: F.anchor(50))],
      directory: [twin(1, upn: "Ann@contoso.com")],
      expected: [F.id1: (.link, .consistencyGuidUnset)]),
    WritebackScenario(
      name: "twin by primary SMTP",
      cloud: [
        F.cloud(
          F.id1, upn: "ann@contoso.onmicrosoft.com", mail: "ann@contoso.com",
          immutableId: F.anchor(50))
      ],
      directory: [twin(1, upn: "ann.x@contoso.com", mail: "ann@contoso.com")],
      expected: [F.id1: (.link, .consistencyGuidUnset)]),
    WritebackScenario(
      name: "twin by mapping file",
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com", immutableId: F.anchor(50))],
      directory: [twin(1, upn: "someone@contoso.com")],
      mapping: [
        IdentityMapping(
          directory: .samAccountName("user1"), cloud: .userPrincipalName("ann@contoso.com"),
          origin: "map.csv:1")
      ],
      expected: [F.id1: (.link, .consistencyGuidUnset)]),
    WritebackScenario(
      name: "ImmutableID already exported by a directory object: noop",
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com", immutableId: F.anchor(1))],
      directory: [twin(1, upn: "ann@contoso.com")],
      expected: [F.id1: (.noop, .alreadyLinked)]),
    WritebackScenario(
      name: "opaque ImmutableID: blocked",
      cloud: [
        F.cloud(F.id1, upn: "ann@contoso.com", immutableId: SourceAnchor(opaque: "EMP-0042"))
      ],
      directory: [twin(1, upn: "ann@contoso.com")],
      expected: [F.id1: (.blocked, .opaqueAnchor)]),
    WritebackScenario(
      name: "another object carries the ConsistencyGuid: blocked",
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com", immutableId: F.anchor(50))],
      directory: [
        twin(1, upn: "ann@contoso.com"),
        twin(2, upn: "other@contoso.com", consistencyGuid: F.guid(50).bytes, source: "legacy"),
      ],
      expected: [F.id1: (.blocked, .consistencyGuidInUse)]),
    WritebackScenario(
      name: "twin's ConsistencyGuid holds another value: blocked without allowReplace",
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com", immutableId: F.anchor(50))],
      directory: [twin(1, upn: "ann@contoso.com", consistencyGuid: F.guid(60).bytes)],
      expected: [F.id1: (.blocked, .consistencyGuidAlreadySet)]),
    WritebackScenario(
      name: "twin's ConsistencyGuid holds another value: replaced with allowReplace",
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com", immutableId: F.anchor(50))],
      directory: [twin(1, upn: "ann@contoso.com", consistencyGuid: F.guid(60).bytes)],
      settings: PlanSettings(allowReplace: true),
      expected: [F.id1: (.relink, .consistencyGuidReplaced)]),
    WritebackScenario(
      name: "source anchors on objectGUID: blocked",
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com", immutableId: F.anchor(50))],
      directory: [twin(1, upn: "ann@contoso.com", source: "legacy")],
      expected: [F.id1: (.blocked, .anchorPolicyNotConsistencyGuid)]),
    WritebackScenario(
      name: "no twin: skip; no ImmutableID: no item",
      cloud: [
        F.cloud(F.id1, upn: "ann@contoso.com", immutableId: F.anchor(50)),
        F.cloud(F.id2, upn: "bob@contoso.com"),
      ],
      directory: [twin(2, upn: "bob@contoso.com")],
      expected: [F.id1: (.skip, .noDirectoryTwin)]),
    WritebackScenario(
      name: "two directory users share the UPN: conflict",
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com", immutableId: F.anchor(50))],
      directory: [twin(1, upn: "ann@contoso.com"), twin(2, upn: "ANN@contoso.com")],
      expected: [F.id1: (.conflict, .ambiguousDirectoryMatch)]),
    WritebackScenario(
      name: "only the UPN rule: the SMTP twin is not considered",
      cloud: [
        F.cloud(F.id1, upn: "ann@contoso.com", immutableId: F.anchor(50)),
        F.cloud(F.id2, upn: "ann2@contoso.com", mail: "ann@contoso.com", immutableId: F.anchor(51)),
      ],
      directory: [twin(1, upn: "ann@contoso.com", mail: "ann@contoso.com")],
      settings: PlanSettings(matchOrder: [.userPrincipalName]),
      expected: [F.id1: (.link, .consistencyGuidUnset), F.id2: (.skip, .noDirectoryTwin)]),
    WritebackScenario(
      name: "one twin claimed by UPN and by SMTP: conflict for both",
      cloud: [
        F.cloud(F.id1, upn: "ann@contoso.com", immutableId: F.anchor(50)),
        F.cloud(F.id2, upn: "ann2@contoso.com", mail: "ann@contoso.com", immutableId: F.anchor(51)),
      ],
      directory: [twin(1, upn: "ann@contoso.com", mail: "ann@contoso.com")],
      expected: [
        F.id1: (.conflict, .directoryUserClaimedTwice),
        F.id2: (.conflict, .directoryUserClaimedTwice),
      ]),
    WritebackScenario(
      name: "disabled twin is not used unless includeDisabled",
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com", immutableId: F.anchor(50))],
      directory: [twin(1, upn: "ann@contoso.com", enabled: false)],
      expected: [F.id1: (.skip, .noDirectoryTwin)]),
  ]

  @Test(arguments: scenarios)
  func plans(_ scenario: WritebackScenario) throws {
    let plan = WritebackPlanner(settings: scenario.settings, policies: Self.policies).plan(
      directoryUsers: scenario.directory, tenant: F.tenant(scenario.cloud),
      mapping: scenario.mapping, createdAt: "2026-11-29T00:00:00Z")
    #expect(plan.kind == .anchorWriteback)
    var found: [String: String] = [:]
    for item in plan.items {
      found[item.cloud?.id ?? "?"] = "\(item.action.rawValue) \(item.reason)"
    }
    let wanted = scenario.expected.mapValues { "\($0.0.rawValue) \($0.1)" }
    #expect(found == wanted)
    for item in plan.items where item.action == .link || item.action == .relink {
      // One step: the cloud ImmutableID's 16 bytes, expecting the twin's current value.
      let step = try #require(item.steps.first)
      #expect(item.steps.count == 1 && step.kind == .setImmutableId)
      #expect(step.immutableId == item.immutableId && step.immutableId?.guid != nil)
      let current = scenario.directory.first {
        $0.distinguishedName == item.directory?.distinguishedName
      }?
      .consistencyGuid
      #expect(step.expect.immutableId == current.map(SourceAnchor.init(binaryValue:)))
    }
  }

  @Test("a carrier outside the users read (found by the caller's search) blocks the write")
  func knownCarrierBlocks() {
    let users = [twin(1, upn: "ann@contoso.com")]
    let tenant = F.tenant([F.cloud(F.id1, upn: "ann@contoso.com", immutableId: F.anchor(50))])
    var planner = WritebackPlanner(policies: Self.policies)
    let first = planner.plan(
      directoryUsers: users, tenant: tenant, createdAt: "2026-11-29T00:00:00Z")
    let searches = WritebackPlanner.carrierSearch(first)
    #expect(searches.map(\.anchor) == [F.anchor(50)])
    // The twin itself never counts as another carrier.
    planner.knownCarriers = [F.anchor(50): [users[0].distinguishedName]]
    #expect(
      planner.plan(directoryUsers: users, tenant: tenant, createdAt: "2026-11-29T00:00:00Z")
        .items.map(\.action) == [.link])
    planner.knownCarriers = [F.anchor(50): ["CN=laptop,OU=Computers,DC=corp,DC=example"]]
    let second = planner.plan(
      directoryUsers: users, tenant: tenant, createdAt: "2026-11-29T00:00:00Z")
    #expect(second.items.map(\.reason) == [.consistencyGuidInUse])
    #expect(
      second.items[0].involved.map(\.id).contains("CN=laptop,OU=Computers,DC=corp,DC=example"))
    #expect(second.inputFingerprint != first.inputFingerprint)
  }

  @Test("the plan round-trips through JSON with its kind and allowReplace")
  func roundTrips() throws {
    let plan = WritebackPlanner(settings: PlanSettings(allowReplace: true), policies: Self.policies)
      .plan(
        directoryUsers: [twin(1, upn: "ann@contoso.com", consistencyGuid: F.guid(60).bytes)],
        tenant: F.tenant([F.cloud(F.id1, upn: "ann@contoso.com", immutableId: F.anchor(50))]),
        createdAt: "2026-11-29T00:00:00Z")
    let json = plan.encodeJSON()
    let text = String(decoding: json, as: UTF8.self)
    #expect(text.contains(#""kind": "anchorWriteback""#))
    #expect(text.contains(#""allowReplace": true"#))
    let decoded = try Plan.decode(json: json)
    #expect(decoded == plan)
    // A users plan does not gain the key, so its bytes and checksum don't depend on it.
    let users = HardMatchPlanner().plan(
      directoryUsers: [], tenant: F.tenant([]), createdAt: "2026-11-29T00:00:00Z")
    #expect(!String(decoding: users.encodeJSON(), as: UTF8.self).contains("allowReplace"))
  }
}

struct SoftMatchScenario: Sendable, CustomTestStringConvertible {
  var name: String
  var cloud: [CloudUser]
  var directory: [DirectoryUser]
  /// Per directory DN suffix n (CN=user<n>): outcome and reason.
  var expected: [Int: (SoftMatchReport.Outcome, DiagnosticCode?)]
  var testDescription: String { name }
}

@Suite("SoftMatchReport")
struct SoftMatchReportTests {
  static let scenarios: [SoftMatchScenario] = [
    SoftMatchScenario(
      name: "unique UPN twin", cloud: [F.cloud(F.id1, upn: "ann@contoso.com")],
      directory: [twin(1, upn: "Ann@contoso.com")], expected: [1: (.willSoftMatch, nil)]),
    SoftMatchScenario(
      name: "unique primary SMTP twin",
      cloud: [F.cloud(F.id1, upn: "a@contoso.onmicrosoft.com", proxy: ["smtp:ann@contoso.com"])],
      directory: [twin(1, upn: "ann.x@contoso.com", mail: "ann@contoso.com")],
      expected: [1: (.willSoftMatch, nil)]),
    SoftMatchScenario(
      name: "no twin creates a new user", cloud: [],
      directory: [twin(1, upn: "ann@contoso.com")], expected: [1: (.createsNewUser, .noCloudTwin)]),
    SoftMatchScenario(
      name: "role holder is blocked", cloud: [F.cloud(F.id1, upn: "ann@contoso.com", role: true)],
      directory: [twin(1, upn: "ann@contoso.com")], expected: [1: (.blocked, .cloudUserHoldsRole)]),
    SoftMatchScenario(
      name: "synced cloud user is blocked",
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com", synced: true)],
      directory: [twin(1, upn: "ann@contoso.com")],
      expected: [1: (.blocked, .softMatchTargetSynced)]),
    SoftMatchScenario(
      name: "UPN and SMTP name two cloud users: blocked",
      cloud: [
        F.cloud(F.id1, upn: "ann@contoso.com"),
        F.cloud(F.id2, upn: "x@contoso.com", mail: "ann.m@contoso.com"),
      ],
      directory: [twin(1, upn: "ann@contoso.com", mail: "ann.m@contoso.com")],
      expected: [1: (.blocked, .duplicateMatch)]),
    SoftMatchScenario(
      name: "two directory users for one cloud user: both blocked",
      cloud: [F.cloud(F.id1, upn: "ann@contoso.com", mail: "ann.m@contoso.com")],
      directory: [
        twin(1, upn: "ann@contoso.com"),
        twin(2, upn: "other@contoso.com", mail: "ann.m@contoso.com"),
      ],
      expected: [1: (.blocked, .duplicateMatch), 2: (.blocked, .duplicateMatch)]),
  ]

  @Test(arguments: scenarios)
  func predicts(_ scenario: SoftMatchScenario) {
    let report = SoftMatchReport(
      directoryUsers: scenario.directory, tenant: F.tenant(scenario.cloud))
    var found: [Int: String] = [:]
    for row in report.rows {
      let n = Int(row.directory.distinguishedName.dropFirst(7).prefix { $0.isNumber }) ?? -1
      found[n] = "\(row.outcome.rawValue) \(row.reason?.rawValue ?? "-")"
    }
    #expect(found == scenario.expected.mapValues { "\($0.0.rawValue) \($0.1?.rawValue ?? "-")" })
    #expect(report.isBlocking == scenario.expected.values.contains { $0.0 == .blocked })
  }

  @Test("blockSoftMatchEnabled makes the report blocking even when every row matches")
  func tenantFlagBlocks() {
    var tenant = F.tenant([F.cloud(F.id1, upn: "ann@contoso.com")])
    tenant.flags.blockSoftMatchEnabled = true
    let report = SoftMatchReport(directoryUsers: [twin(1, upn: "ann@contoso.com")], tenant: tenant)
    #expect(report.counts == [.willSoftMatch: 1])
    #expect(report.blockSoftMatchEnabled == true && report.isBlocking)
  }
}
