import Foundation

/// The tenant most tests run against, built as a dictionary so each test can bend it.
enum TestTenant {
  static let tenantId = "11111111-2222-3333-4444-555555555555"
  static let plainClientId = "aaaaaaaa-0000-0000-0000-000000000001"
  static let privilegedClientId = "aaaaaaaa-0000-0000-0000-000000000002"
  static let certificateClientId = "aaaaaaaa-0000-0000-0000-000000000003"
  static let plainSecret = "plain-test-secret~1"
  static let privilegedSecret = "privileged-test-secret~2"

  static let carolAnchor = "Q2Fy+b2w/QW5jaG9y=="  // contains + and /
  static let daveAnchor = "RGF2ZUFuY2hvcg=="
  static let erinAnchor = "RXJpblN5bmM="

  static func user(
    _ id: String, _ upn: String, anchor: String? = nil, synced: Bool? = nil,
    extra: [String: Any] = [:]
  ) -> [String: Any] {
    var user: [String: Any] = [
      "id": id, "userPrincipalName": upn, "displayName": upn.components(separatedBy: "@")[0],
      "mail": upn, "mailNickname": upn.components(separatedBy: "@")[0],
      "proxyAddresses": ["SMTP:\(upn)"], "accountEnabled": true,
      "onPremisesImmutableId": anchor as Any? ?? NSNull(),
      "onPremisesSyncEnabled": synced as Any? ?? NSNull(),
    ]
    for (key, value) in extra { user[key] = value }
    return user
  }

  static func group(
    _ id: String, _ name: String, mailEnabled: Bool, securityEnabled: Bool,
    types: [String] = [], members: [String] = [], owners: [String] = [],
    extra: [String: Any] = [:]
  ) -> [String: Any] {
    var group: [String: Any] = [
      "id": id, "displayName": name, "mailNickname": name.replacingOccurrences(of: " ", with: ""),
      "mailEnabled": mailEnabled, "securityEnabled": securityEnabled, "groupTypes": types,
      "members": members, "owners": owners,
    ]
    if mailEnabled {
      group["mail"] = "\(group["mailNickname"]!)@contoso.com"
      group["proxyAddresses"] = ["SMTP:\(group["mail"]!)"]
    }
    for (key, value) in extra { group[key] = value }
    return group
  }

  /// The standard tenant; `fillerUsers` adds `user0001@contoso.com`… for paging.
  static func document(fillerUsers: Int = 0, certificatePem: String? = nil) -> [String: Any] {
    var users: [[String: Any]] = [
      user("u-alice", "alice@contoso.com"),
      user("u-bob", "bob@contoso.com"),
      user("u-carol", "carol@contoso.com", anchor: carolAnchor),
      user("u-dave", "dave@fabrikam.com", anchor: daveAnchor),
      user(
        "u-erin", "erin@contoso.com", anchor: erinAnchor, synced: true,
        extra: ["onPremisesSecurityIdentifier": "S-1-5-21-1-2-3-1104"]),
      user("u-frank", "frank@contoso.com", extra: ["jobTitle": "Global Admin"]),
    ]
    for index in 0..<fillerUsers {
      let name = String(format: "user%04d", index)
      users.append(user("u-\(name)", "\(name)@contoso.com"))
    }
    var applications: [[String: Any]] = [
      ["clientId": plainClientId, "clientSecret": plainSecret, "privilegedRole": false],
      ["clientId": privilegedClientId, "clientSecret": privilegedSecret, "privilegedRole": true],
    ]
    if let certificatePem {
      applications.append(["clientId": certificateClientId, "certificatePem": certificatePem])
    }
    return [
      "tenantId": tenantId,
      "domains": [
        [
          "id": "contoso.onmicrosoft.com", "authenticationType": "Managed", "isInitial": true,
          "isVerified": true,
        ],
        [
          "id": "contoso.com", "authenticationType": "Managed", "isDefault": true,
          "isVerified": true,
        ],
        ["id": "fabrikam.com", "authenticationType": "Federated", "isVerified": true],
      ],
      "applications": applications,
      "users": users,
      "groups": [
        group(
          "g-dl", "Sales List", mailEnabled: true, securityEnabled: false, members: ["u-alice"]),
        group(
          "g-mesg", "Finance Secure", mailEnabled: true, securityEnabled: true, members: ["u-bob"]),
        group(
          "g-sec", "VPN Users", mailEnabled: false, securityEnabled: true,
          members: ["u-alice", "u-bob"], owners: ["u-frank"]),
        group(
          "g-m365", "Project Falcon", mailEnabled: true, securityEnabled: false,
          types: ["Unified"], members: ["u-carol"], owners: ["u-carol"]),
        group(
          "g-synced", "HR Staff", mailEnabled: false, securityEnabled: true, members: ["u-erin"],
          extra: ["onPremisesSyncEnabled": true]),
      ],
      "roleAssignments": [
        [
          "id": "ra-frank", "principalId": "u-frank",
          "roleDefinitionId": "62e90394-69f5-4237-9190-012177145e10",
          "roleName": "Global Administrator",
        ]
      ],
      "features": ["blockCloudObjectTakeoverThroughHardMatchEnabled": true],
      "organization": ["displayName": "Contoso Test", "onPremisesSyncEnabled": true],
    ]
  }

  static func data(_ document: [String: Any]) -> Data {
    try! JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
  }

  static func standard(fillerUsers: Int = 0, certificatePem: String? = nil) -> Data {
    data(document(fillerUsers: fillerUsers, certificatePem: certificatePem))
  }
}
