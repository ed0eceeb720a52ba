/// Everything Graph shows about a cloud group, taken before it is deleted so it can be rebuilt
/// (`groups restore`) and its access re-granted to its synced twin (graph-facts §4, "Capture").
/// What only Exchange Online knows (ManagedBy, delivery restrictions, moderation, Send-As,
/// legacyExchangeDN) is captured by the generated Exchange script into `ExchangeCapture`.
public struct GroupSnapshot: Hashable, Sendable, Codable {
  /// RFC 3339 UTC time the snapshot was read.
  public var takenAt: String
  public var group: GroupProperties
  public var members: [SnapshotObject]
  public var owners: [SnapshotObject]
  /// The groups this group is a member of (`memberOf`).
  public var parents: [SnapshotObject]
  public var appRoleAssignments: [SnapshotAppRoleAssignment]
  /// Group-based licences.
  public var assignedLicenses: [SnapshotLicense]

  public init(
    takenAt: String, group: GroupProperties, members: [SnapshotObject] = [],
    owners: [SnapshotObject] = [], parents: [SnapshotObject] = [],
    appRoleAssignments: [SnapshotAppRoleAssignment] = [], assignedLicenses: [SnapshotLicense] = []
  ) {
    self.takenAt = takenAt
    self.group = group
    self.members = members
    self.owners = owners
    self.parents = parents
    self.appRoleAssignments = appRoleAssignments
    self.assignedLicenses = assignedLicenses
  }

  public var kind: CloudGroupKind { group.kind }
}

/// The group's own Graph properties (names as in the OpenAPI description).
public struct GroupProperties: Hashable, Sendable, Codable {
  public var id: String
  public var displayName: String
  public var description: String?
  public var mail: String?
  public var mailNickname: String?
  public var proxyAddresses: [String]
  public var groupTypes: [String]
  public var mailEnabled: Bool
  public var securityEnabled: Bool
  public var visibility: String?
  public var isAssignableToRole: Bool?
  public var membershipRule: String?
  public var classification: String?
  public var preferredLanguage: String?
  /// `["Team"]` when the Microsoft 365 group has a team.
  public var resourceProvisioningOptions: [String]
  public var onPremisesSyncEnabled: Bool?
  public var onPremisesSecurityIdentifier: String?

  public init(
    id: String, displayName: String, description: String? = nil, mail: String? = nil,
    mailNickname: String? = nil, proxyAddresses: [String] = [], groupTypes: [String] = [],
    mailEnabled: Bool = false, securityEnabled: Bool = true, visibility: String? = nil,
    isAssignableToRole: Bool? = nil, membershipRule: String? = nil, classification: String? = nil,
    preferredLanguage: String? = nil, resourceProvisioningOptions: [String] = [],
    onPremisesSyncEnabled: Bool? = nil, onPremisesSecurityIdentifier: String? = nil
  ) {
    self.id = id
    self.displayName = displayName
    self.description = description
    self.mail = mail
    self.mailNickname = mailNickname
    self.proxyAddresses = proxyAddresses
    self.groupTypes = groupTypes
    self.mailEnabled = mailEnabled
    self.securityEnabled = securityEnabled
    self.visibility = visibility
    self.isAssignableToRole = isAssignableToRole
    self.membershipRule = membershipRule
    self.classification = classification
    self.preferredLanguage = preferredLanguage
    self.resourceProvisioningOptions = resourceProvisioningOptions
    self.onPremisesSyncEnabled = onPremisesSyncEnabled
    self.onPremisesSecurityIdentifier = onPremisesSecurityIdentifier
  }

  public var kind: CloudGroupKind {
    CloudGroupKind(
      mailEnabled: mailEnabled, securityEnabled: securityEnabled, groupTypes: groupTypes)
  }

  public var primarySmtp: String? { ProxyAddresses.primarySmtp(proxyAddresses, mail: mail) }
}

/// A member, owner or parent: a user, group, contact, device or service principal.
public struct SnapshotObject: Hashable, Sendable, Codable {
  public enum ObjectType: String, Hashable, Sendable, Codable {
    case user, group, orgContact, device, servicePrincipal, other
  }

  public var id: String
  public var type: ObjectType
  public var displayName: String?
  public var userPrincipalName: String?
  /// Groups only: the kind and whether it is synced (decides who can change its membership).
  public var groupKind: CloudGroupKind?
  public var synced: Bool?

  public init(
    id: String, type: ObjectType, displayName: String? = nil, userPrincipalName: String? = nil,
    groupKind: CloudGroupKind? = nil, synced: Bool? = nil
  ) {
    self.id = id
    self.type = type
    self.displayName = displayName
    self.userPrincipalName = userPrincipalName
    self.groupKind = groupKind
    self.synced = synced
  }

  /// From Graph's `@odata.type` (`#microsoft.graph.user`, ...).
  public static func type(odataType: String?) -> ObjectType {
    switch odataType?.lowercased() {
    case "#microsoft.graph.user": .user
    case "#microsoft.graph.group": .group
    case "#microsoft.graph.orgcontact": .orgContact
    case "#microsoft.graph.device": .device
    case "#microsoft.graph.serviceprincipal": .servicePrincipal
    default: .other
    }
  }

  /// How it is named to a person: UPN, else display name, else id.
  public var label: String { userPrincipalName ?? displayName ?? id }
}

public struct SnapshotAppRoleAssignment: Hashable, Sendable, Codable {
  public var id: String
  public var appRoleId: String
  public var resourceId: String
  public var resourceDisplayName: String?

  public init(id: String, appRoleId: String, resourceId: String, resourceDisplayName: String? = nil)
  {
    self.id = id
    self.appRoleId = appRoleId
    self.resourceId = resourceId
    self.resourceDisplayName = resourceDisplayName
  }
}

public struct SnapshotLicense: Hashable, Sendable, Codable {
  public var skuId: String
  public var disabledPlans: [String]

  public init(skuId: String, disabledPlans: [String] = []) {
    self.skuId = skuId
    self.disabledPlans = disabledPlans
  }
}
