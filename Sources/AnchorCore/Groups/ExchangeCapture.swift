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

  public init(externalDirectoryObjectId: String) {
    self.externalDirectoryObjectId = externalDirectoryObjectId
  }

  /// `X500:<LegacyExchangeDN>`: old replies and cached addresses keep reaching the group.
  public var x500Address: String? {
    legacyExchangeDN.flatMap { $0.isEmpty ? nil : "X500:" + $0 }
  }
}
