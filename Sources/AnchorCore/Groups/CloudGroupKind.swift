/// The four kinds of cloud group, by what Graph can do with them (graph-facts §4).
public enum CloudGroupKind: String, Hashable, Sendable, Codable, CaseIterable {
  /// `groupTypes: ["Unified"]`: Graph creates, changes and deletes it.
  case microsoft365
  /// Not mail-enabled, security-enabled: Graph creates, changes and deletes it.
  case security
  /// Mail-enabled and security-enabled, not Unified: an Exchange object, read-only in Graph.
  case mailEnabledSecurity
  /// Mail-enabled, not security-enabled, not Unified: an Exchange object, read-only in Graph.
  case distribution

  public init(mailEnabled: Bool, securityEnabled: Bool, groupTypes: [String]) {
    if groupTypes.contains("Unified") {
      self = .microsoft365
    } else if mailEnabled {
      self = securityEnabled ? .mailEnabledSecurity : .distribution
    } else {
      self = .security
    }
  }

  /// Distribution lists and mail-enabled security groups are created, changed and removed in
  /// Exchange Online (`New-/Set-/Remove-DistributionGroup`), never through Graph.
  public var isExchangeManaged: Bool { self == .mailEnabledSecurity || self == .distribution }

  /// Group-based licences need a security-enabled group.
  public var canHoldLicenses: Bool { self != .distribution }

  /// What Entra Connect makes of an AD group of this type and mail state when it syncs it.
  public static func synced(from group: DirectoryGroup) -> CloudGroupKind {
    let mailEnabled = group.primarySmtp != nil
    switch group.groupType.kind {
    case .security: return mailEnabled ? .mailEnabledSecurity : .security
    case .distribution: return .distribution
    }
  }
}

extension CloudGroup {
  public var kind: CloudGroupKind {
    CloudGroupKind(
      mailEnabled: mailEnabled, securityEnabled: securityEnabled, groupTypes: groupTypes)
  }

  /// The primary SMTP address: the `SMTP:` proxy address, else `mail`.
  public var primarySmtp: String? { ProxyAddresses.primarySmtp(proxyAddresses, mail: mail) }

  /// Synced from AD now (`onPremisesSyncEnabled == true`); false and null both mean cloud-managed.
  public var isSynced: Bool { onPremisesSyncEnabled == true }
}
