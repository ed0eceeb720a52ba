/// Codable shapes of the Graph resources this client reads, named as in the OpenAPI subset.
/// Everything but `id` is optional: `$select` decides what comes back.
public struct GraphUser: Codable, Sendable, Equatable {
  public var id: String
  public var userPrincipalName: String?
  public var mail: String?
  public var proxyAddresses: [String]?
  public var onPremisesImmutableId: String?
  public var onPremisesSyncEnabled: Bool?
  public var accountEnabled: Bool?
  public var displayName: String?
  public var mailNickname: String?

  public static let selectFields = [
    "id", "userPrincipalName", "mail", "proxyAddresses", "onPremisesImmutableId",
    "onPremisesSyncEnabled", "accountEnabled", "displayName", "mailNickname",
  ]
}

public struct GraphGroup: Codable, Sendable, Equatable {
  public var id: String
  public var displayName: String?
  public var description: String?
  public var mailNickname: String?
  public var mail: String?
  public var mailEnabled: Bool?
  public var securityEnabled: Bool?
  public var groupTypes: [String]?
  public var proxyAddresses: [String]?
  public var onPremisesSyncEnabled: Bool?
  public var isAssignableToRole: Bool?
  public var visibility: String?
  /// The AD group's SID (`S-1-5-21-…`) on a synced group: how a cloud group is tied to AD.
  public var onPremisesSecurityIdentifier: String?
  public var onPremisesSamAccountName: String?
  public var classification: String?
  public var preferredLanguage: String?
  /// Set on dynamic groups (`groupTypes` contains `DynamicMembership`).
  public var membershipRule: String?
  /// `On` or `Paused`.
  public var membershipRuleProcessingState: String?
  /// `["Team"]` when the Microsoft 365 group backs a team.
  public var resourceProvisioningOptions: [String]?
  /// Group-based licensing: the SKUs the group hands to its members.
  public var assignedLicenses: [GraphAssignedLicense]?
  public var createdDateTime: String?

  /// For listings: what matching and planning read.
  public static let selectFields = [
    "id", "displayName", "description", "mailNickname", "mail", "mailEnabled", "securityEnabled",
    "groupTypes", "proxyAddresses", "onPremisesSyncEnabled", "isAssignableToRole", "visibility",
    "onPremisesSecurityIdentifier",
  ]

  /// For a single GET before a group is deleted and rebuilt (graph-facts §4 "Capture before
  /// deleting/recreating a group"): everything this type holds.
  public static let snapshotFields =
    selectFields + [
      "onPremisesSamAccountName", "classification", "preferredLanguage", "membershipRule",
      "membershipRuleProcessingState", "resourceProvisioningOptions", "assignedLicenses",
      "createdDateTime",
    ]

  public var isMicrosoft365: Bool { groupTypes?.contains("Unified") ?? false }
}

/// One SKU a group (or user) holds: `microsoft.graph.assignedLicense`.
public struct GraphAssignedLicense: Codable, Sendable, Hashable {
  /// The SKU's GUID.
  public var skuId: String
  /// GUIDs of the SKU's service plans switched off.
  public var disabledPlans: [String]

  public init(skuId: String, disabledPlans: [String] = []) {
    self.skuId = skuId
    self.disabledPlans = disabledPlans
  }

  enum CodingKeys: String, CodingKey { case skuId, disabledPlans }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    skuId = try container.decode(String.self, forKey: .skuId)
    // Graph may send null for "no plans disabled".
    disabledPlans = try container.decodeIfPresent([String].self, forKey: .disabledPlans) ?? []
  }
}

/// A group's access to an application role: `microsoft.graph.appRoleAssignment`. `resourceId`
/// is the application's service principal; `appRoleId` all zeros is the default access role.
public struct GraphAppRoleAssignment: Codable, Sendable, Hashable {
  /// Graph's assignment id (base64url text, not a GUID).
  public var id: String
  public var appRoleId: String
  public var resourceId: String
  public var resourceDisplayName: String?
  public var principalId: String?
  /// `Group`, `User` or `ServicePrincipal`.
  public var principalType: String?
  public var principalDisplayName: String?
  public var createdDateTime: String?

  public init(
    id: String, appRoleId: String, resourceId: String, resourceDisplayName: String? = nil,
    principalId: String? = nil, principalType: String? = nil, principalDisplayName: String? = nil,
    createdDateTime: String? = nil
  ) {
    self.id = id
    self.appRoleId = appRoleId
    self.resourceId = resourceId
    self.resourceDisplayName = resourceDisplayName
    self.principalId = principalId
    self.principalType = principalType
    self.principalDisplayName = principalDisplayName
    self.createdDateTime = createdDateTime
  }
}

/// A member or owner: `@odata.type` says whether it is a user, group, contact, service principal.
public struct GraphDirectoryObject: Codable, Sendable, Equatable {
  public var id: String
  public var odataType: String?
  public var displayName: String?
  public var userPrincipalName: String?

  enum CodingKeys: String, CodingKey {
    case id, displayName, userPrincipalName
    case odataType = "@odata.type"
  }
}

public struct GraphDomain: Codable, Sendable, Equatable {
  public var id: String
  /// `Managed` or `Federated`.
  public var authenticationType: String?
  public var isDefault: Bool?
  public var isInitial: Bool?
  public var isRoot: Bool?
  public var isVerified: Bool?

  public var isFederated: Bool {
    authenticationType?.caseInsensitiveCompare("Federated") == .orderedSame
  }
}

public struct GraphOrganization: Codable, Sendable, Equatable {
  public var id: String
  public var displayName: String?
  public var onPremisesSyncEnabled: Bool?
  public var onPremisesLastSyncDateTime: String?
}

public struct GraphRoleAssignment: Codable, Sendable, Equatable {
  public var id: String
  public var principalId: String?
  public var roleDefinitionId: String?
  public var directoryScopeId: String?
}

/// One page of a collection: `value` plus the links that lead on.
public struct GraphPage<Element: Decodable & Sendable>: Decodable, Sendable {
  public var value: [Element]
  public var nextLink: String?
  public var deltaLink: String?

  enum CodingKeys: String, CodingKey {
    case value
    case nextLink = "@odata.nextLink"
    case deltaLink = "@odata.deltaLink"
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    value = try container.decodeIfPresent([Element].self, forKey: .value) ?? []
    nextLink = try container.decodeIfPresent(String.self, forKey: .nextLink)
    deltaLink = try container.decodeIfPresent(String.self, forKey: .deltaLink)
  }
}

/// A delta entry: the object, and `@removed.reason` (`changed` or `deleted`) when it left.
public struct DeltaEntry<Object: Decodable & Sendable>: Decodable, Sendable {
  public var object: Object
  public var removedReason: String?
  /// `members@delta` on group entries: ids added, and ids removed (`@removed` set).
  public var memberChanges: [MemberDelta]?

  struct Removed: Decodable { var reason: String? }

  enum CodingKeys: String, CodingKey {
    case removed = "@removed"
    case members = "members@delta"
  }

  public init(from decoder: any Decoder) throws {
    object = try Object(from: decoder)
    let container = try decoder.container(keyedBy: CodingKeys.self)
    if container.contains(.removed) {
      removedReason =
        try container.decodeIfPresent(Removed.self, forKey: .removed)?.reason ?? "deleted"
    }
    memberChanges = try container.decodeIfPresent([MemberDelta].self, forKey: .members)
  }
}

public struct MemberDelta: Decodable, Sendable, Equatable {
  public var id: String
  public var odataType: String?
  public var removed: Bool

  enum CodingKeys: String, CodingKey {
    case id
    case odataType = "@odata.type"
    case removed = "@removed"
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    id = try container.decode(String.self, forKey: .id)
    odataType = try container.decodeIfPresent(String.self, forKey: .odataType)
    removed = container.contains(.removed)
  }
}

/// `{"error":{"code","message","innerError":{"request-id","client-request-id"}}}` (graph-facts §9).
struct ODataErrorBody: Decodable {
  struct MainError: Decodable {
    var code: String?
    var message: String?
    var innerError: Inner?
    var innererror: Inner?
  }

  struct Inner: Decodable {
    var requestID: String?
    var clientRequestID: String?

    enum CodingKeys: String, CodingKey {
      case requestID = "request-id"
      case clientRequestID = "client-request-id"
    }
  }

  var error: MainError
}

/// The token endpoint's answers (graph-facts §8).
struct TokenResponseBody: Decodable {
  var accessToken: String
  var tokenType: String?
  var expiresIn: Double

  enum CodingKeys: String, CodingKey {
    case accessToken = "access_token"
    case tokenType = "token_type"
    case expiresIn = "expires_in"
  }

  init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    accessToken = try container.decode(String.self, forKey: .accessToken)
    tokenType = try container.decodeIfPresent(String.self, forKey: .tokenType)
    // v1 endpoints sent expires_in as a string; accept both.
    if let number = try? container.decode(Double.self, forKey: .expiresIn) {
      expiresIn = number
    } else {
      let text = try container.decode(String.self, forKey: .expiresIn)
      guard let number = Double(text) else {
        throw DecodingError.dataCorruptedError(
          forKey: .expiresIn, in: container, debugDescription: "expires_in is not a number")
      }
      expiresIn = number
    }
  }
}

struct OAuthErrorBody: Decodable {
  var error: String
  var errorDescription: String?
  var errorCodes: [Int]?
  var correlationID: String?
  var traceID: String?

  enum CodingKeys: String, CodingKey {
    case error
    case errorDescription = "error_description"
    case errorCodes = "error_codes"
    case correlationID = "correlation_id"
    case traceID = "trace_id"
  }
}
