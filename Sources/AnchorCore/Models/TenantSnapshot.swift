/// A verified domain of the tenant (Graph `/domains`).
public struct TenantDomain: Hashable, Sendable {
  public enum AuthenticationType: String, Hashable, Sendable, Codable {
    case managed = "Managed"
    case federated = "Federated"
  }

  /// The domain name (Graph `id`), lowercased.
  public var name: String
  public var authenticationType: AuthenticationType
  /// The tenant's `*.onmicrosoft.com` domain; never federated.
  public var isInitial: Bool

  public init(name: String, authenticationType: AuthenticationType, isInitial: Bool = false) {
    self.name = name.lowercased()
    self.authenticationType = authenticationType
    self.isInitial = isInitial
  }
}

/// The tenant's on-premises synchronization feature flags, where the token could read them
/// (they need a delegated Global Administrator; an app-only token leaves them nil = unknown).
public struct TenantFlags: Hashable, Sendable {
  public var blockSoftMatchEnabled: Bool?
  public var blockCloudObjectTakeoverThroughHardMatchEnabled: Bool?

  public init(
    blockSoftMatchEnabled: Bool? = nil, blockCloudObjectTakeoverThroughHardMatchEnabled: Bool? = nil
  ) {
    self.blockSoftMatchEnabled = blockSoftMatchEnabled
    self.blockCloudObjectTakeoverThroughHardMatchEnabled =
      blockCloudObjectTakeoverThroughHardMatchEnabled
  }
}

/// Everything read from the tenant that planning depends on.
public struct TenantSnapshot: Hashable, Sendable {
  /// The tenant id (GUID) or its initial domain: recorded in the plan, checked by the executor.
  public var tenantId: String
  public var users: [CloudUser]
  public var groups: [CloudGroup]
  public var domains: [TenantDomain]
  public var flags: TenantFlags

  public init(
    tenantId: String, users: [CloudUser], groups: [CloudGroup] = [], domains: [TenantDomain],
    flags: TenantFlags = TenantFlags()
  ) {
    self.tenantId = tenantId
    self.users = users
    self.groups = groups
    self.domains = domains
    self.flags = flags
  }

  /// The `*.onmicrosoft.com` domain flagged `isInitial`, if the snapshot has it.
  public var initialDomain: String? { domains.first(where: \.isInitial)?.name }

  /// The authentication type of a UPN's domain; nil when the domain is not a tenant domain.
  public func authenticationType(ofUPN upn: String) -> TenantDomain.AuthenticationType? {
    let domain = UserPrincipalName.domain(of: upn)
    return domains.first(where: { $0.name == domain })?.authenticationType
  }
}
