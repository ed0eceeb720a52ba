/// What the generated Exchange Online script saves about a distribution list or mail-enabled
/// security group before it is removed (`Get-DistributionGroup`, `Get-DistributionGroupMember`,
/// `Get-RecipientPermission`): everything Graph cannot see. One JSON file per group, named
/// `<cloud group id>.json`, with these property names (Exchange's own spelling).
public struct ExchangeCapture: Hashable, Sendable, Codable {
  public var externalDirectoryObjectId: String
  public var name: String?
  public var alias: String?
  public var displayName: String?
  public var primarySmtpAddress: String?
  public var emailAddresses: [String]?
  public var legacyExchangeDN: String?
  /// `Distribution` or `Security` (RecipientTypeDetails MailUniversal...Group).
  public var groupType: String?
  public var managedBy: [String]?
  public var members: [String]?
  public var memberJoinRestriction: String?
  public var memberDepartRestriction: String?
  public var requireSenderAuthenticationEnabled: Bool?
  public var hiddenFromAddressListsEnabled: Bool?
  public var acceptMessagesOnlyFromSendersOrMembers: [String]?
  public var rejectMessagesFromSendersOrMembers: [String]?
  public var moderationEnabled: Bool?
  public var moderatedBy: [String]?
  public var bypassModerationFromSendersOrMembers: [String]?
  public var sendModerationNotifications: String?
  public var grantSendOnBehalfTo: [String]?
  /// Trustees holding Send-As (`Get-RecipientPermission`).
  public var sendAs: [String]?
  public var notes: String?

  enum CodingKeys: String, CodingKey {
    case externalDirectoryObjectId = "ExternalDirectoryObjectId"
    case name = "Name"
    case alias = "Alias"
    case displayName = "DisplayName"
    case primarySmtpAddress = "PrimarySmtpAddress"
    case emailAddresses = "EmailAddresses"
    case legacyExchangeDN = "LegacyExchangeDN"
    case groupType = "GroupType"
    case managedBy = "ManagedBy"
    case members = "Members"
    case memberJoinRestriction = "MemberJoinRestriction"
    case memberDepartRestriction = "MemberDepartRestriction"
    case requireSenderAuthenticationEnabled = "RequireSenderAuthenticationEnabled"
    case hiddenFromAddressListsEnabled = "HiddenFromAddressListsEnabled"
    case acceptMessagesOnlyFromSendersOrMembers = "AcceptMessagesOnlyFromSendersOrMembers"
    case rejectMessagesFromSendersOrMembers = "RejectMessagesFromSendersOrMembers"
    case moderationEnabled = "ModerationEnabled"
    case moderatedBy = "ModeratedBy"
    case bypassModerationFromSendersOrMembers = "BypassModerationFromSendersOrMembers"
    case sendModerationNotifications = "SendModerationNotifications"
    case grantSendOnBehalfTo = "GrantSendOnBehalfTo"
    case sendAs = "SendAs"
    case notes = "Notes"
  }

  /// Lists are read as arrays, or as a single string (how PowerShell's ConvertTo-Json writes a list of
  /// one when the script that made the file did not keep it an array), or null.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    func list(_ key: CodingKeys) throws -> [String]? {
      if let values = try? c.decodeIfPresent([String].self, forKey: key) { return values }
      return try c.decodeIfPresent(String.self, forKey: key).map { [$0] }
    }
    externalDirectoryObjectId = try c.decode(String.self, forKey: .externalDirectoryObjectId)
    name = try c.decodeIfPresent(String.self, forKey: .name)
    alias = try c.decodeIfPresent(String.self, forKey: .alias)
    displayName = try c.decodeIfPresent(String.self, forKey: .displayName)
    primarySmtpAddress = try c.decodeIfPresent(String.self, forKey: .primarySmtpAddress)
    emailAddresses = try list(.emailAddresses)
    legacyExchangeDN = try c.decodeIfPresent(String.self, forKey: .legacyExchangeDN)
    groupType = try c.decodeIfPresent(String.self, forKey: .groupType)
    managedBy = try list(.managedBy)
    members = try list(.members)
    memberJoinRestriction = try c.decodeIfPresent(String.self, forKey: .memberJoinRestriction)
    memberDepartRestriction = try c.decodeIfPresent(String.self, forKey: .memberDepartRestriction)
    requireSenderAuthenticationEnabled = try c.decodeIfPresent(
      Bool.self, forKey: .requireSenderAuthenticationEnabled)
    hiddenFromAddressListsEnabled = try c.decodeIfPresent(
      Bool.self, forKey: .hiddenFromAddressListsEnabled)
    acceptMessagesOnlyFromSendersOrMembers = try list(.acceptMessagesOnlyFromSendersOrMembers)
    rejectMessagesFromSendersOrMembers = try list(.rejectMessagesFromSendersOrMembers)
    moderationEnabled = try c.decodeIfPresent(Bool.self, forKey: .moderationEnabled)
    moderatedBy = try list(.moderatedBy)
    bypassModerationFromSendersOrMembers = try list(.bypassModerationFromSendersOrMembers)
    sendModerationNotifications = try c.decodeIfPresent(
      String.self, forKey: .sendModerationNotifications)
    grantSendOnBehalfTo = try list(.grantSendOnBehalfTo)
    sendAs = try list(.sendAs)
    notes = try c.decodeIfPresent(String.self, forKey: .notes)
  }

  public init(externalDirectoryObjectId: String) {
    self.externalDirectoryObjectId = externalDirectoryObjectId
  }

  /// `X500:<LegacyExchangeDN>`: old replies and cached addresses keep reaching the group.
  public var x500Address: String? {
    legacyExchangeDN.flatMap { $0.isEmpty ? nil : "X500:" + $0 }
  }
}
