/// Property names and types of the Graph v1.0 resources the emulator serves, taken from
/// Microsoft's v1.0 CSDL (`Schemas/graph-csdl-v1.0-directory.xml`) and the user/group resource
/// pages.
enum GraphSchema {
  /// `Collection(…)` properties per type (CSDL): rendered `[]` when the object has none.
  static let collections: [String: Set<String>] = [
    "microsoft.graph.user": [
      "assignedLicenses", "assignedPlans", "businessPhones", "identities", "imAddresses",
      "interests", "licenseAssignmentStates", "onPremisesProvisioningErrors", "otherMails",
      "pastProjects", "provisionedPlans", "proxyAddresses", "responsibilities", "schools",
      "serviceProvisioningErrors", "skills",
    ],
    "microsoft.graph.group": [
      "assignedLabels", "assignedLicenses", "groupTypes", "infoCatalogs",
      "onPremisesProvisioningErrors", "proxyAddresses", "resourceBehaviorOptions",
      "resourceProvisioningOptions", "serviceProvisioningErrors",
    ],
  ]

  /// What Graph returns for a non-nullable scalar the object never set (CSDL
  /// `Nullable="false"`): the .NET default date, and the documented device limit.
  static let absentNonNullable: [String: [String: JSONValue]] = [
    "microsoft.graph.user": [
      "birthday": .string("0001-01-01T00:00:00Z"), "hireDate": .string("0001-01-01T00:00:00Z"),
      "deviceEnrollmentLimit": .number(5),
    ]
  ]

  enum ValueKind: Sendable {
    case string, boolean, stringArray, any
  }

  /// One resource type's vocabulary.
  struct Resource: Sendable {
    let name: String  // "User", as Graph names it in error messages
    let typeName: String  // "microsoft.graph.user"
    let kinds: [String: ValueKind]
    let readOnly: Set<String>
    let defaultSelect: [String]

    func kind(of property: String) -> ValueKind? { kinds[property] }
  }

  private static func table(
    strings: [String], booleans: [String], stringArrays: [String], others: [String]
  ) -> [String: ValueKind] {
    var kinds: [String: ValueKind] = [:]
    for name in strings { kinds[name] = .string }
    for name in booleans { kinds[name] = .boolean }
    for name in stringArrays { kinds[name] = .stringArray }
    for name in others { kinds[name] = .any }
    return kinds
  }

  static let user = Resource(
    name: "User", typeName: "microsoft.graph.user",
    kinds: table(
      strings: [
        "id", "deletedDateTime", "aboutMe", "ageGroup", "birthday", "city", "companyName",
        "consentProvidedForMinor", "country", "createdDateTime", "creationType", "department",
        "displayName", "employeeHireDate", "employeeId", "employeeLeaveDateTime", "employeeType",
        "externalUserState", "externalUserStateChangeDateTime", "faxNumber", "givenName",
        "hireDate", "identityParentId", "jobTitle", "lastPasswordChangeDateTime",
        "legalAgeGroupClassification", "mail", "mailNickname", "mobilePhone", "mySite",
        "officeLocation", "onPremisesDistinguishedName", "onPremisesDomainName",
        "onPremisesImmutableId", "onPremisesLastSyncDateTime", "onPremisesSamAccountName",
        "onPremisesSecurityIdentifier", "onPremisesUserPrincipalName", "passwordPolicies",
        "postalCode", "preferredDataLocation", "preferredLanguage", "preferredName",
        "securityIdentifier", "signInSessionsValidFromDateTime", "state", "streetAddress",
        "surname", "usageLocation", "userPrincipalName", "userType",
      ],
      booleans: [
        "accountEnabled", "isManagementRestricted", "isResourceAccount", "onPremisesSyncEnabled",
        "showInAddressList",
      ],
      stringArrays: [
        "businessPhones", "imAddresses", "interests", "otherMails", "pastProjects",
        "proxyAddresses", "responsibilities", "schools", "skills",
      ],
      others: [
        "assignedLicenses", "assignedPlans", "authorizationInfo", "customSecurityAttributes",
        "deviceEnrollmentLimit", "employeeOrgData", "identities", "licenseAssignmentStates",
        "mailboxSettings", "onPremisesExtensionAttributes", "onPremisesProvisioningErrors",
        "passwordProfile", "print", "provisionedPlans", "serviceProvisioningErrors",
        "signInActivity",
      ]),
    readOnly: [
      "id", "deletedDateTime", "createdDateTime", "creationType", "externalUserState",
      "externalUserStateChangeDateTime", "lastPasswordChangeDateTime",
      "onPremisesDistinguishedName",
      "onPremisesDomainName", "onPremisesLastSyncDateTime", "onPremisesProvisioningErrors",
      "onPremisesSamAccountName", "onPremisesSecurityIdentifier", "onPremisesSyncEnabled",
      "onPremisesUserPrincipalName", "proxyAddresses", "securityIdentifier", "imAddresses",
      "assignedPlans", "provisionedPlans", "licenseAssignmentStates", "signInActivity",
      "serviceProvisioningErrors", "signInSessionsValidFromDateTime",
    ],
    defaultSelect: [
      "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
      "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id",
    ])

  /// Writable on a synced user: the few properties Entra masters in the cloud.
  static let cloudMasteredUserProperties: Set<String> = ["usageLocation", "preferredDataLocation"]

  /// "Sensitive" user properties: changing them on an admin-role holder needs a privileged caller.
  static let sensitiveUserProperties: Set<String> = [
    "accountEnabled", "businessPhones", "mobilePhone", "otherMails", "passwordProfile",
    "userPrincipalName", "onPremisesImmutableId",
  ]

  static let group = Resource(
    name: "Group", typeName: "microsoft.graph.group",
    kinds: table(
      strings: [
        "id", "deletedDateTime", "classification", "createdDateTime", "description", "displayName",
        "expirationDateTime", "mail", "mailNickname", "membershipRule",
        "membershipRuleProcessingState", "onPremisesDomainName", "onPremisesLastSyncDateTime",
        "onPremisesNetBiosName", "onPremisesSamAccountName", "onPremisesSecurityIdentifier",
        "organizationId", "preferredDataLocation", "preferredLanguage", "renewedDateTime",
        "securityIdentifier", "theme", "uniqueName", "visibility", "accessType",
      ],
      booleans: [
        "allowExternalSenders", "autoSubscribeNewMembers", "hasMembersWithLicenseErrors",
        "hideFromAddressLists", "hideFromOutlookClients", "isArchived", "isAssignableToRole",
        "isFavorite", "isManagementRestricted", "isSubscribedByMail", "mailEnabled",
        "onPremisesSyncEnabled", "securityEnabled", "welcomeMessageEnabled",
      ],
      stringArrays: [
        "groupTypes", "proxyAddresses", "resourceBehaviorOptions", "resourceProvisioningOptions",
        "infoCatalogs",
      ],
      others: [
        "assignedLabels", "assignedLicenses", "licenseProcessingState",
        "onPremisesExtensionAttributes", "onPremisesProvisioningErrors",
        "serviceProvisioningErrors", "unseenConversationsCount", "unseenCount",
        "unseenMessagesCount",
      ]),
    readOnly: [
      "id", "deletedDateTime", "createdDateTime", "mail", "proxyAddresses",
      "onPremisesDomainName", "onPremisesLastSyncDateTime", "onPremisesNetBiosName",
      "onPremisesSamAccountName", "onPremisesSecurityIdentifier", "onPremisesSyncEnabled",
      "onPremisesProvisioningErrors", "renewedDateTime", "securityIdentifier",
      "serviceProvisioningErrors", "hasMembersWithLicenseErrors", "expirationDateTime",
      // Set through POST /groups/{id}/assignLicense only.
      "assignedLicenses",
    ],
    defaultSelect: [
      "id", "deletedDateTime", "classification", "createdDateTime", "description",
      "displayName", "expirationDateTime", "groupTypes", "isAssignableToRole", "mail",
      "mailEnabled", "mailNickname", "membershipRule", "membershipRuleProcessingState",
      "onPremisesDomainName", "onPremisesLastSyncDateTime", "onPremisesNetBiosName",
      "onPremisesSamAccountName", "onPremisesSecurityIdentifier", "onPremisesSyncEnabled",
      "preferredDataLocation", "preferredLanguage", "proxyAddresses", "renewedDateTime",
      "resourceBehaviorOptions", "resourceProvisioningOptions", "securityEnabled",
      "securityIdentifier", "theme", "visibility", "onPremisesProvisioningErrors",
      "serviceProvisioningErrors",
    ])

  /// microsoft.graph.appRoleAssignment (a group's access to an application's role).
  static let appRoleAssignment = Resource(
    name: "AppRoleAssignment", typeName: "microsoft.graph.appRoleAssignment",
    kinds: table(
      strings: [
        "id", "deletedDateTime", "appRoleId", "createdDateTime", "principalDisplayName",
        "principalId", "principalType", "resourceDisplayName", "resourceId",
      ],
      booleans: [], stringArrays: [], others: []),
    readOnly: [
      "id", "deletedDateTime", "createdDateTime", "principalDisplayName", "principalType",
    ],
    defaultSelect: [
      "id", "deletedDateTime", "appRoleId", "createdDateTime", "principalDisplayName",
      "principalId", "principalType", "resourceDisplayName", "resourceId",
    ])

  /// Group properties that POST /groups may not set (Graph rejects them at creation).
  static let groupPropertiesNotSettableAtCreation: Set<String> = [
    "allowExternalSenders", "autoSubscribeNewMembers", "hideFromAddressLists",
    "hideFromOutlookClients", "isSubscribedByMail", "unseenCount",
  ]

  static let domain = Resource(
    name: "Domain", typeName: "microsoft.graph.domain",
    kinds: table(
      strings: ["id", "authenticationType", "availabilityStatus", "manufacturer", "model"],
      booleans: ["isAdminManaged", "isDefault", "isInitial", "isRoot", "isVerified"],
      stringArrays: ["supportedServices"],
      others: ["passwordNotificationWindowInDays", "passwordValidityPeriodInDays", "state"]),
    readOnly: [],
    defaultSelect: [
      "id", "authenticationType", "availabilityStatus", "isAdminManaged", "isDefault",
      "isInitial", "isRoot", "isVerified", "manufacturer", "model",
      "passwordNotificationWindowInDays", "passwordValidityPeriodInDays", "state",
      "supportedServices",
    ])

  /// Fields of `organization` a state file may carry (the rest is derived).
  static let organizationKinds: [String: ValueKind] = [
    "displayName": .string, "onPremisesSyncEnabled": .boolean,
    "onPremisesLastSyncDateTime": .string, "countryLetterCode": .string,
    "preferredLanguage": .string, "tenantType": .string,
  ]

  /// onPremisesDirectorySynchronizationFeature flags (graph-facts §3).
  static let syncFeatures: Set<String> = [
    "allowOnPremUpdateOfOnPremisesObjectIdentifierEnabled",
    "blockCloudObjectTakeoverThroughHardMatchEnabled", "blockSoftMatchEnabled",
    "bypassDirSyncOverridesEnabled", "cloudPasswordPolicyForPasswordSyncedUsersEnabled",
    "concurrentCredentialUpdateEnabled", "concurrentOrgIdProvisioningEnabled",
    "deviceWritebackEnabled", "directoryExtensionsEnabled", "fopeConflictResolutionEnabled",
    "groupWriteBackEnabled", "passwordSyncEnabled", "passwordWritebackEnabled",
    "quarantineUponProxyAddressesConflictEnabled", "quarantineUponUpnConflictEnabled",
    "softMatchOnUpnEnabled", "synchronizeUpnForManagedUsersEnabled",
    "unifiedGroupWritebackEnabled", "userForcePasswordChangeOnLogonEnabled",
    "userWritebackEnabled",
  ]
}
