import Foundation
import TenantEmulator
import Testing
import Yams

/// Every property name the emulator returns must exist in the official schema subset
/// (`Schemas/graph-openapi-subset.yaml`, copied from the shared reference).
@Suite("Property names conform to the Graph OpenAPI subset")
struct GraphConformanceTests {
  static func schemaProperties(_ name: String) throws -> Set<String> {
    let url = StateTests.repositoryRoot.appendingPathComponent("Schemas/graph-openapi-subset.yaml")
    let root = try #require(
      try Yams.load(yaml: String(contentsOf: url, encoding: .utf8)) as? [String: Any])
    let schemas = try #require((root["components"] as? [String: Any])?["schemas"] as? [String: Any])
    func collect(_ schemaName: String) -> Set<String> {
      guard let schema = schemas[schemaName] as? [String: Any] else { return [] }
      var names = Set((schema["properties"] as? [String: Any] ?? [:]).keys)
      for part in schema["allOf"] as? [[String: Any]] ?? [] {
        if let ref = part["$ref"] as? String {
          names.formUnion(collect(String(ref.split(separator: "/").last!)))
        }
        names.formUnion((part["properties"] as? [String: Any] ?? [:]).keys)
      }
      return names
    }
    return collect(name)
  }

  static func unknownNames(_ objects: [[String: Any]], in allowed: Set<String>) -> Set<String> {
    var unknown = Set<String>()
    for object in objects {
      for key in object.keys
      where !key.hasPrefix("@odata.") && !key.hasSuffix("@delta")
        && key != "@removed" && !allowed.contains(key)
      {
        unknown.insert(key)
      }
    }
    return unknown
  }

  @Test func usersGroupsAndDomainsUseOfficialPropertyNames() async throws {
    let userNames = try Self.schemaProperties("microsoft.graph.user")
    let groupNames = try Self.schemaProperties("microsoft.graph.group")
    let domainNames = try Self.schemaProperties("microsoft.graph.domain")
    #expect(userNames.contains("onPremisesImmutableId") && userNames.contains("id"))
    #expect(groupNames.contains("mailEnabled"))

    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let onPremises =
        "id,userPrincipalName,onPremisesImmutableId,onPremisesSyncEnabled,onPremisesLastSyncDateTime,onPremisesSecurityIdentifier,onPremisesSamAccountName,onPremisesDistinguishedName,onPremisesDomainName,onPremisesUserPrincipalName,proxyAddresses,mail,mailNickname,accountEnabled,displayName"
      var users = try await emulator.call("GET", "/v1.0/users", token: token).values
      users += try await emulator.call("GET", "/v1.0/users?$select=\(onPremises)", token: token)
        .values
      users += try await emulator.call("GET", "/v1.0/users/delta", token: token).values
      users.append(try await emulator.call("GET", "/v1.0/users/u-erin", token: token).object)
      #expect(users.count > 10)
      #expect(
        Self.unknownNames(users, in: userNames).isEmpty,
        "\(Self.unknownNames(users, in: userNames))")

      var groups = try await emulator.call("GET", "/v1.0/groups", token: token).values
      groups += try await emulator.call("GET", "/v1.0/groups/delta", token: token).values
      groups.append(try await emulator.call("GET", "/v1.0/groups/g-m365", token: token).object)
      #expect(
        Self.unknownNames(groups, in: groupNames).isEmpty,
        "\(Self.unknownNames(groups, in: groupNames))")

      var domains = try await emulator.call("GET", "/v1.0/domains", token: token).values
      domains.append(
        try await emulator.call("GET", "/v1.0/domains/contoso.com", token: token).object)
      #expect(domains.count == 4)
      #expect(
        Self.unknownNames(domains, in: domainNames).isEmpty,
        "\(Self.unknownNames(domains, in: domainNames))")
    }
  }
}
