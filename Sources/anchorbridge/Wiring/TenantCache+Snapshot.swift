import AnchorCore
import GraphClient
import StateStore

/// Maps `run`'s tenant cache to AnchorCore's snapshot and to the context read at each run.
extension TenantCache {
  init(
    context: TenantReading.Context, deltaLink: String, users: [GraphUser],
    scope: CursorScope? = nil
  ) {
    self.init(
      tenantId: context.tenantId, domains: Self.domains(context),
      roleHolders: context.roleHolders, deltaLink: deltaLink, users: users, scope: scope)
  }

  static func domains(_ context: TenantReading.Context) -> [CachedDomain] {
    context.domains.map {
      CachedDomain(
        name: $0.name, federated: $0.authenticationType == .federated, isInitial: $0.isInitial)
    }
  }

  func snapshot() -> TenantSnapshot {
    let holders = Set(cursor.roleHolders)
    return TenantSnapshot(
      tenantId: cursor.tenantId,
      users: users.map { TenantReading.cloudUser($0, roleHolders: holders) },
      domains: cursor.domains.map {
        TenantDomain(
          name: $0.name, authenticationType: $0.federated ? .federated : .managed,
          isInitial: $0.isInitial)
      })
  }
}

extension TenantCache.Cursor {
  func sameContext(as context: TenantReading.Context) -> Bool {
    sameContext(
      tenantId: context.tenantId, domains: TenantCache.domains(context),
      roleHolders: context.roleHolders)
  }
}
