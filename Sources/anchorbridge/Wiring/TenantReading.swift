import AnchorCore
import GraphClient

/// Reads what planning needs from the tenant through GraphClient and maps Graph's DTOs onto
/// AnchorCore's values (the only place the two meet).
struct TenantReading {
  let client: GraphClient
  /// The configured `tenant.id` (a GUID or a domain); the organization's GUID replaces it when readable.
  let configuredTenant: String

  /// Domains, role holders and every user: the complete snapshot (a full read).
  func snapshot() async throws -> TenantSnapshot {
    let context = try await context()
    var users: [CloudUser] = []
    for try await page in client.users() {
      for user in page { users.append(Self.cloudUser(user, roleHolders: context.roleHolders)) }
    }
    return TenantSnapshot(
      tenantId: context.tenantId, users: users, domains: context.domains)
  }

  /// The small, always re-read part of a snapshot: tenant id, domains, role holders.
  struct Context: Sendable {
    var tenantId: String
    var domains: [TenantDomain]
    var roleHolders: Set<String>
  }

  /// The tenant's id as `snapshot()` records it in plans: the organization's GUID when readable.
  func tenantId() async throws -> String {
    try await client.organization().first?.id ?? configuredTenant
  }

  func context() async throws -> Context {
    let organization = try await client.organization().first
    let domains = try await client.domains().map { domain in
      TenantDomain(
        name: domain.id, authenticationType: domain.isFederated ? .federated : .managed,
        isInitial: domain.isInitial ?? false)
    }
    // Active assignments at any scope: Entra blocks hard match for every role holder (graph-facts §1).
    let roleHolders = Set(
      try await client.roleAssignments().compactMap { $0.principalId?.lowercased() })
    return Context(
      tenantId: organization?.id ?? configuredTenant, domains: domains, roleHolders: roleHolders)
  }

  static func cloudUser(_ user: GraphUser, roleHolders: Set<String>) -> CloudUser {
    CloudUser(
      id: user.id, userPrincipalName: user.userPrincipalName ?? "", mail: user.mail,
      proxyAddresses: user.proxyAddresses ?? [],
      onPremisesImmutableId: user.onPremisesImmutableId.map(SourceAnchor.init(immutableId:)),
      onPremisesSyncEnabled: user.onPremisesSyncEnabled, accountEnabled: user.accountEnabled,
      holdsDirectoryRole: roleHolders.contains(user.id.lowercased()),
      displayName: user.displayName)
  }
}
