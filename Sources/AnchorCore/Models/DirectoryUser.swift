/// A user as read from one Active Directory source, with its anchor already resolved by policy.
public struct DirectoryUser: Hashable, Sendable {
  /// The configured name of the directory source (domain) it came from.
  public var source: String
  public var distinguishedName: String
  public var objectGUID: ObjectGUID
  /// The anchor Entra Connect would export (nil when a custom anchor attribute is empty).
  public var anchor: SourceAnchor?
  /// `objectGUID`, `mS-DS-ConsistencyGuid` or the custom attribute name the anchor came from.
  public var anchorSource: String
  /// The raw mS-DS-ConsistencyGuid bytes, when set (any length).
  public var consistencyGuid: [UInt8]?
  public var userPrincipalName: String?
  public var samAccountName: String?
  public var mail: String?
  /// proxyAddresses as stored, e.g. `SMTP:primary@x`, `smtp:alias@x`, `X500:/o=...`.
  public var proxyAddresses: [String]
  public var displayName: String?
  /// From userAccountControl: the ACCOUNTDISABLE bit (0x2) is clear.
  public var enabled: Bool
  /// The objectSid in `S-1-5-21-...` form.
  public var objectSid: String?
  public var usnChanged: Int64?
  /// whenChanged in AD's generalized-time form, e.g. `20261129012345.0Z`.
  public var whenChanged: String?

  public init(
    source: String, distinguishedName: String, objectGUID: ObjectGUID, anchor: SourceAnchor?,
    anchorSource: String, consistencyGuid: [UInt8]? = nil, userPrincipalName: String? = nil,
    samAccountName: String? = nil, mail: String? = nil, proxyAddresses: [String] = [],
    displayName: String? = nil, enabled: Bool = true, objectSid: String? = nil,
    usnChanged: Int64? = nil, whenChanged: String? = nil
  ) {
    self.source = source
    self.distinguishedName = distinguishedName
    self.objectGUID = objectGUID
    self.anchor = anchor
    self.anchorSource = anchorSource
    self.consistencyGuid = consistencyGuid
    self.userPrincipalName = userPrincipalName
    self.samAccountName = samAccountName
    self.mail = mail
    self.proxyAddresses = proxyAddresses
    self.displayName = displayName
    self.enabled = enabled
    self.objectSid = objectSid
    self.usnChanged = usnChanged
    self.whenChanged = whenChanged
  }

  /// The primary SMTP address: the `SMTP:` proxy address (uppercase prefix) when exactly one exists,
  /// otherwise `mail`. Only this address takes part in Entra soft match.
  public var primarySmtp: String? { ProxyAddresses.primarySmtp(proxyAddresses, mail: mail) }
}

/// Helpers for Exchange-style proxyAddresses (`type:address`; uppercase `SMTP:` is the primary).
public enum ProxyAddresses {
  public static func primarySmtp(_ addresses: [String], mail: String?) -> String? {
    let primaries = addresses.filter { $0.hasPrefix("SMTP:") }.map { String($0.dropFirst(5)) }
    if primaries.count == 1 { return primaries[0] }
    if primaries.isEmpty { return mail }
    return nil  // several uppercase SMTP: entries: the primary is ambiguous.
  }
}
