import Crypto
import Foundation

/// An application registered in the tenant: how it authenticates and whether its service
/// principal holds Privileged Authentication Administrator / Global Administrator.
struct RegisteredApplication: Sendable {
  let clientId: String
  let displayName: String?
  /// SHA-256 of the client secret. State files may give `clientSecret` (hashed on load) or
  /// `clientSecretSHA256`; the emulator only ever writes the hash back out.
  let clientSecretSHA256: String?
  let certificate: ClientCertificate?
  let privilegedRole: Bool
  /// Granted application permissions (Graph's names, e.g. `User.ReadWrite.All`); nil when the
  /// state file gives none, which grants every permission (state files older than permissions).
  let permissions: [String]?

  /// The token's `roles` claim: the granted permissions, or every permission the emulator knows.
  var grantedRoles: [String] { permissions ?? PermissionTable.allApplicationPermissions }

  static func hash(secret: String) -> String {
    SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
  }

  var stateValue: JSONValue {
    var object: JSONObject = [
      "clientId": .string(clientId), "privilegedRole": .bool(privilegedRole),
    ]
    if let displayName { object["displayName"] = .string(displayName) }
    if let clientSecretSHA256 { object["clientSecretSHA256"] = .string(clientSecretSHA256) }
    if let certificate { object["certificatePem"] = .string(certificate.pem) }
    if let permissions { object["permissions"] = JSONCoding.strings(permissions) }
    return .object(object)
  }
}

/// The whole tenant, as the state file describes it. Users and groups are Graph property bags;
/// a group's `members`/`owners` are arrays of object ids, its `appRoleAssignments` an array of
/// appRoleAssignment objects and `onPremisesSyncBehavior` `{"isCloudManaged": Bool}` (set once
/// its source of authority moved to the cloud).
struct TenantState: Sendable {
  var tenantId: String
  var domains: [JSONObject]
  var applications: [RegisteredApplication]
  var users: [JSONObject]
  var groups: [JSONObject]
  var roleAssignments: [JSONObject]
  var features: JSONObject
  var organization: JSONObject
  /// What this tenant supports beyond the baseline (`$.capabilities`); absent keys take their
  /// defaults. Written back only when the file gave any.
  var capabilities: JSONObject = [:]

  /// Group Source of Authority (`groups/{id}/onPremisesSyncBehavior`); on unless switched off.
  var supportsGroupSourceOfAuthority: Bool {
    capabilities.bool("groupSourceOfAuthority") ?? true
  }

  /// The state in the file format (`Schemas/tenant-state.schema.json`); secrets appear only as
  /// hashes.
  func encoded() -> Data {
    var document: JSONObject = [
      "tenantId": .string(tenantId),
      "domains": .array(domains.map { .object($0) }),
      "applications": .array(applications.map(\.stateValue)),
      "users": .array(users.map { .object($0) }),
      "groups": .array(groups.map { .object($0) }),
      "roleAssignments": .array(roleAssignments.map { .object($0) }),
      "features": .object(features),
      "organization": .object(organization),
    ]
    if !capabilities.isEmpty { document["capabilities"] = .object(capabilities) }
    return JSONCoding.encode(.object(document), pretty: true)
  }
}

extension JSONObject {
  func string(_ key: String) -> String? { self[key]?.stringValue }
  func bool(_ key: String) -> Bool? { self[key]?.boolValue }
  func strings(_ key: String) -> [String] { self[key]?.stringArray ?? [] }
}

/// Rules shared by state validation and PATCH handling.
enum AnchorRules {
  /// Graph forbids `$` and `_` in onPremisesImmutableId; the empty string is not a clear.
  static func isValidImmutableId(_ value: String) -> Bool {
    !value.isEmpty && !value.contains("$") && !value.contains("_")
  }

  static func domainPart(ofUPN upn: String) -> String? {
    guard let at = upn.lastIndex(of: "@") else { return nil }
    let domain = upn[upn.index(after: at)...]
    return domain.isEmpty ? nil : domain.lowercased()
  }

  static func localPart(ofUPN upn: String) -> String {
    guard let at = upn.lastIndex(of: "@") else { return upn }
    return String(upn[..<at])
  }
}
