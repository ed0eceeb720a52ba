@testable import AnchorCore

/// Small builders for planner scenarios: directory user n has objectGUID bytes n,n,...
enum Fixture {
  static func guid(_ n: Int) -> ObjectGUID {
    ObjectGUID(bytes: (0..<16).map { UInt8(truncatingIfNeeded: n &+ $0 * 7) })!
  }

  static func anchor(_ n: Int) -> SourceAnchor { SourceAnchor(guid: guid(n)) }

  static func ad(
    _ n: Int, upn: String? = nil, mail: String? = nil, proxy: [String] = [], sam: String? = nil,
    enabled: Bool = true, anchor: SourceAnchor?? = .none
  ) -> DirectoryUser {
    let resolved: SourceAnchor? =
      switch anchor {
      case .none: Fixture.anchor(n)
      case .some(let value): value
      }
    return DirectoryUser(
      source: "corp", distinguishedName: "CN=user\(n),OU=Users,DC=corp,DC=example",
      objectGUID: guid(n), anchor: resolved,
      anchorSource: resolved == nil ? "employeeID" : "objectGUID",
      userPrincipalName: upn, samAccountName: sam ?? "user\(n)", mail: mail, proxyAddresses: proxy,
      enabled: enabled)
  }

  static func cloud(
    _ id: String, upn: String, mail: String? = nil, proxy: [String] = [],
    immutableId: SourceAnchor? = nil,
    synced: Bool? = nil, role: Bool = false
  ) -> CloudUser {
    CloudUser(
      id: id, userPrincipalName: upn, mail: mail, proxyAddresses: proxy,
      onPremisesImmutableId: immutableId,
      onPremisesSyncEnabled: synced, holdsDirectoryRole: role)
  }

  static let domains = [
    TenantDomain(name: "contoso.onmicrosoft.com", authenticationType: .managed, isInitial: true),
    TenantDomain(name: "contoso.com", authenticationType: .managed),
    TenantDomain(name: "fed.contoso.com", authenticationType: .federated),
    TenantDomain(name: "fed2.contoso.com", authenticationType: .federated),
  ]

  static func tenant(_ users: [CloudUser], domains: [TenantDomain] = Fixture.domains)
    -> TenantSnapshot
  {
    TenantSnapshot(
      tenantId: "11111111-2222-3333-4444-555555555555", users: users, domains: domains,
      flags: TenantFlags(
        blockSoftMatchEnabled: false, blockCloudObjectTakeoverThroughHardMatchEnabled: false))
  }

  static let id1 = "aaaaaaaa-0000-0000-0000-000000000001"
  static let id2 = "aaaaaaaa-0000-0000-0000-000000000002"
  static let id3 = "aaaaaaaa-0000-0000-0000-000000000003"
}
