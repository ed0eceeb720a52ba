import TestSupport
import Testing

@testable import AnchorCore

/// Pins the exact bytes of plans made from a generated corpus that exercises every planner path at
/// once (duplicates on both sides with different case, non-ASCII case folding, SMTP proxies, opaque
/// and shared anchors, mapping lines, federated sequences with taken temporary UPNs, claims).
///
/// The digests pin what the planner produces, not how it computes it: any change in a plan's
/// content or JSON bytes shows here. Update them only for an intended change of the plan format,
/// never to make a refactoring pass.
@Suite("Plan bytes (golden)")
struct PlanGoldenTests {
  /// Sizes and digests: the JSON of each plan, as `sha256` hex.
  static let expected: [(name: String, digest: String)] = [
    ("link default", "0358c9d24d93b0a5e4559e724fea4e700ce5bc79d2789264351510dab12ad6a9"),
    (
      "link relink+disabled+mapping",
      "d1fee8c7a9bac4ad720818dc3421dc1af635fc7f2e55c7a693820aba9883edbd"
    ),
    ("link upn first", "4f6dad2e8ef94d661151aeaf895b87bdd6e5958e8a44ee0017345688c424faa9"),
    ("link upn only", "5028207b82663d95ca46d6a335f22523d0a0b1961f583f2da18cb0871d0cf091"),
    ("clear", "72a9f6d9648152b287442b189072e80e9a06cbb03f57dbac90063b34479b7b96"),
  ]

  @Test func plansKeepTheirBytes() {
    let corpus = GoldenCorpus(count: 900, seed: 7)
    let plans = corpus.plans()
    #expect(plans.map(\.name) == Self.expected.map(\.name))
    for (plan, expected) in zip(plans, Self.expected) {
      var hasher = SHA256()
      hasher.update(plan.plan.encodeJSON())
      let digest = Hex.encode(hasher.finalize())
      #expect(digest == expected.digest, "\(plan.name): \(plan.plan.summaryLine)")
    }
  }

  @Test func corpusReachesEveryAction() {
    let plans = GoldenCorpus(count: 900, seed: 7).plans()
    let actions = Set(plans.flatMap { $0.plan.items.map(\.action) })
    #expect(actions == Set(PlanAction.allCases))
    let reasons = Set(plans.flatMap { $0.plan.items.map(\.reason) })
    for reason: DiagnosticCode in [
      .duplicateDirectoryUpn, .duplicateCloudUpn, .duplicateCloudSmtp, .duplicateDirectorySmtp,
      .cloudUserClaimedTwice, .immutableIdInUse, .duplicateDirectoryAnchor, .temporaryUpnTaken,
      .matchRulesDisagree, .relinkNotAllowed, .immutableIdDiffers, .cloudUserHoldsRole,
      .noSourceAnchor, .syncedAndLinked, .cloudUserSynced,
    ] {
      #expect(reasons.contains(reason), "\(reason)")
    }
  }
}

/// A deterministic mix of directory and cloud users with many collisions by construction.
struct GoldenCorpus {
  var directory: [DirectoryUser] = []
  var cloud: [CloudUser] = []
  var mapping: [IdentityMapping] = []

  /// Names drawn from a small pool so that UPNs and addresses collide, in several spellings.
  static let names = [
    "ann", "Ann", "ANN", "bob", "carol", "dave", "eve", "j\u{FC}rgen", "J\u{DC}RGEN", "\u{212A}im",
    "kim",
    "KIM", "\u{130}lker", "i\u{307}lker", "ilker", "zo\u{EB}", "ZO\u{CB}", "o'brien", "quote\"x",
    "back\\slash",
    "averyveryverylongname.with.dots", "AVERYVERYVERYLONGNAME.WITH.DOTS",
  ]
  static let domains = [
    "contoso.com", "Contoso.COM", "fed.contoso.com", "fed2.contoso.com", "corp.local",
    "contoso.onmicrosoft.com",
  ]

  init(count: Int, seed: UInt64) {
    var random = SeededGenerator(seed: seed)
    func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
    func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }
    func name() -> String {
      chance(60) ? pick(Self.names) + String(random.next() % 40) : pick(Self.names)
    }
    func address() -> String { name() + "@" + pick(Self.domains) }
    func guid() -> ObjectGUID {
      let words = [random.next(), random.next()]
      return ObjectGUID(
        bytes: words.flatMap { word in (0..<8).map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) } }
      )!
    }

    var anchors: [SourceAnchor] = []
    for n in 0..<count {
      let objectGUID = guid()
      var anchor: SourceAnchor? = SourceAnchor(guid: objectGUID)
      if chance(4) { anchor = SourceAnchor(opaque: "emp" + String(random.next() % 50)) }
      if chance(2) { anchor = nil }
      if chance(2), let shared = anchors.last { anchor = shared }
      if let anchor { anchors.append(anchor) }
      var proxies: [String] = []
      if chance(20) { proxies.append("SMTP:" + address()) }
      if chance(10) { proxies.append("smtp:" + address()) }
      if chance(3) { proxies.append("SMTP:" + address()) }
      if chance(5) { proxies.append("X500:/o=corp/cn=" + name()) }
      directory.append(
        DirectoryUser(
          source: chance(90) ? "corp" : "emea",
          distinguishedName: "CN=" + name() + String(n) + ",OU=Users,DC=corp,DC=example",
          objectGUID: objectGUID, anchor: anchor,
          anchorSource: anchor == nil ? "employeeID" : "objectGUID",
          userPrincipalName: chance(95) ? address() : nil,
          samAccountName: chance(90) ? name() : nil, mail: chance(30) ? address() : nil,
          proxyAddresses: proxies, enabled: !chance(5)))
    }
    for n in 0..<count {
      var proxies: [String] = []
      if chance(15) { proxies.append("SMTP:" + address()) }
      if chance(15) { proxies.append("smtp:" + address()) }
      if chance(5) { proxies.append("sip:" + address()) }
      var immutableId: SourceAnchor? = nil
      if chance(25) { immutableId = pick(anchors) }
      if chance(5) { immutableId = SourceAnchor(opaque: "emp" + String(random.next() % 60)) }
      if chance(3) { immutableId = SourceAnchor(guid: guid()) }
      let synced: Bool? = chance(5) ? true : chance(50) ? false : nil
      cloud.append(
        CloudUser(
          id: guid().canonicalString + (chance(2) ? "" : String(n % 3)),
          userPrincipalName: address(), mail: chance(30) ? address() : nil,
          proxyAddresses: proxies, onPremisesImmutableId: immutableId,
          onPremisesSyncEnabled: synced, accountEnabled: chance(90),
          holdsDirectoryRole: chance(3)))
    }
    for line in 0..<(count / 20) {
      let user = pick(directory)
      let directoryKey: IdentityMapping.DirectoryKey
      switch random.next() % 4 {
      case 0: directoryKey = .distinguishedName(user.distinguishedName.uppercased())
      case 1: directoryKey = .samAccountName(user.samAccountName ?? name())
      case 2: directoryKey = .userPrincipalName(user.userPrincipalName ?? address())
      default: directoryKey = .samAccountName(name())
      }
      let target = pick(cloud)
      let cloudKey: IdentityMapping.CloudKey =
        chance(50)
        ? .objectId(target.id.uppercased())
        : .userPrincipalName(chance(80) ? target.userPrincipalName : address())
      mapping.append(
        IdentityMapping(directory: directoryKey, cloud: cloudKey, origin: "map.csv:\(line + 1)"))
    }
  }

  var tenant: TenantSnapshot {
    TenantSnapshot(
      tenantId: "11111111-2222-3333-4444-555555555555", users: cloud,
      domains: [
        TenantDomain(
          name: "contoso.onmicrosoft.com", authenticationType: .managed, isInitial: true),
        TenantDomain(name: "Contoso.com", authenticationType: .managed),
        TenantDomain(name: "fed.contoso.com", authenticationType: .federated),
        TenantDomain(name: "FED2.contoso.com", authenticationType: .federated),
      ],
      flags: TenantFlags(
        blockSoftMatchEnabled: true, blockCloudObjectTakeoverThroughHardMatchEnabled: nil))
  }

  func plans() -> [(name: String, plan: Plan)] {
    let at = "2026-11-29T00:00:00Z"
    return [
      (
        "link default",
        HardMatchPlanner().plan(directoryUsers: directory, tenant: tenant, createdAt: at)
      ),
      (
        "link relink+disabled+mapping",
        HardMatchPlanner(settings: PlanSettings(allowRelink: true, includeDisabled: true)).plan(
          directoryUsers: directory, tenant: tenant, mapping: mapping, createdAt: at)
      ),
      (
        "link upn first",
        HardMatchPlanner(
          settings: PlanSettings(matchOrder: [.userPrincipalName, .primarySmtp, .immutableId])
        ).plan(directoryUsers: directory, tenant: tenant, mapping: mapping, createdAt: at)
      ),
      (
        "link upn only",
        HardMatchPlanner(settings: PlanSettings(matchOrder: [.userPrincipalName])).plan(
          directoryUsers: directory, tenant: tenant, createdAt: at)
      ),
      (
        "clear",
        ClearPlanner(settings: PlanSettings(allowFederatedClear: true)).plan(
          tenant: tenant, newForestUsers: directory, createdAt: at)
      ),
    ]
  }
}
