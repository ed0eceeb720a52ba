/// A group as Microsoft Graph returns it. Groups have no ImmutableID: mail-enabled groups soft-match on
/// the primary SMTP address, security groups do not match at all (group planning comes later).
public struct CloudGroup: Hashable, Sendable {
  public var id: String
  public var displayName: String
  public var mail: String?
  public var mailEnabled: Bool
  public var securityEnabled: Bool
  /// Graph `groupTypes`, e.g. `["Unified"]` for Microsoft 365 groups.
  public var groupTypes: [String]
  public var proxyAddresses: [String]
  public var onPremisesSyncEnabled: Bool?
  /// `S-1-5-21-...` of the AD group a synced group came from.
  public var onPremisesSecurityIdentifier: String?
  public var mailNickname: String?

  public init(
    id: String, displayName: String, mail: String? = nil, mailEnabled: Bool = false,
    securityEnabled: Bool = true, groupTypes: [String] = [], proxyAddresses: [String] = [],
    onPremisesSyncEnabled: Bool? = nil, onPremisesSecurityIdentifier: String? = nil,
    mailNickname: String? = nil
  ) {
    self.id = id
    self.displayName = displayName
    self.mail = mail
    self.mailEnabled = mailEnabled
    self.securityEnabled = securityEnabled
    self.groupTypes = groupTypes
    self.proxyAddresses = proxyAddresses
    self.onPremisesSyncEnabled = onPremisesSyncEnabled
    self.onPremisesSecurityIdentifier = onPremisesSecurityIdentifier
    self.mailNickname = mailNickname
  }

}
