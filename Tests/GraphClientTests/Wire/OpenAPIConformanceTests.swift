import Foundation
import GraphClient
import TenantEmulator
import Testing
import Yams

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The client's requests and the emulator's responses, both checked against the official Graph
/// schema subset (`Schemas/graph-openapi-subset.yaml`): every property name exists and every value
/// has the documented type. Neither side's own types are the reference.
@Suite struct OpenAPIConformanceTests {
  struct Property {
    var type: String?
    var nullable: Bool
  }

  static let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static func schema(_ name: String) throws -> [String: Property] {
    let url = repositoryRoot.appendingPathComponent("Schemas/graph-openapi-subset.yaml")
    let root = try #require(
      try Yams.load(yaml: String(contentsOf: url, encoding: .utf8)) as? [String: Any])
    let schemas = try #require((root["components"] as? [String: Any])?["schemas"] as? [String: Any])
    func collect(_ schemaName: String) -> [String: Property] {
      guard let schema = schemas[schemaName] as? [String: Any] else { return [:] }
      var out: [String: Property] = [:]
      func add(_ properties: [String: Any]) {
        for (key, value) in properties {
          let spec = value as? [String: Any] ?? [:]
          out[key] = Property(
            type: spec["type"] as? String, nullable: spec["nullable"] as? Bool ?? false)
        }
      }
      add(schema["properties"] as? [String: Any] ?? [:])
      for part in schema["allOf"] as? [[String: Any]] ?? [] {
        if let ref = part["$ref"] as? String {
          out.merge(collect(String(ref.split(separator: "/").last!))) { a, _ in a }
        }
        add(part["properties"] as? [String: Any] ?? [:])
      }
      return out
    }
    return collect(name)
  }

  /// Problems with one JSON object against a schema: unknown names and wrong types.
  static func problems(_ object: [String: Any], _ schema: [String: Property]) -> [String] {
    var problems: [String] = []
    for (key, value) in object where !key.hasPrefix("@odata.") && !key.contains("@") {
      guard let property = schema[key] else {
        problems.append("\(key): not in the schema")
        continue
      }
      if value is NSNull {
        if !property.nullable && property.type != nil {
          problems.append("\(key): null but not nullable")
        }
        continue
      }
      let ok: Bool
      switch property.type {
      case "string": ok = value is String
      case "boolean": ok = value is Bool
      case "array": ok = value is [Any]
      case "integer", "number": ok = value is NSNumber && !(value is Bool)
      case "object": ok = value is [String: Any]
      default: ok = true  // complex types ($ref / x-ms-graph-type): name checked only
      }
      if !ok { problems.append("\(key): \(type(of: value)) is not \(property.type ?? "?")") }
    }
    return problems
  }

  static func object(_ data: Data?) throws -> [String: Any] {
    let bytes = try #require(data)
    let value = try JSONSerialization.jsonObject(with: bytes)
    return try #require(value as? [String: Any])
  }

  @Test func clientRequestBodiesUseOfficialNamesAndTypes() throws {
    let user = try Self.schema("microsoft.graph.user")
    let group = try Self.schema("microsoft.graph.group")
    #expect(user["onPremisesImmutableId"]?.nullable == true)
    let anchor = try ImmutableID("yYuRNW0Z6kCXeYidebdT8A==")
    let userPatches = [
      UserPatch(immutableID: .set(anchor)), UserPatch(immutableID: .clear),
      UserPatch(userPrincipalName: "alias@contoso.onmicrosoft.com"),
      UserPatch(immutableID: .set(anchor), userPrincipalName: "alias@contoso.com"),
    ]
    for patch in userPatches {
      let request = try GraphRequests.patchUser("11111111-2222-3333-4444-555555555555", patch)
      let body = try Self.object(request.bodyData)
      #expect(!body.isEmpty)
      #expect(Self.problems(body, user).isEmpty, "\(Self.problems(body, user))")
    }
    let groups = [
      NewGroup(kind: .security, displayName: "Sec", mailNickname: "sec", description: "d"),
      NewGroup(
        kind: .microsoft365(securityEnabled: false), displayName: "M", mailNickname: "m",
        visibility: "Private"),
    ]
    for new in groups {
      let body = try Self.object(try GraphRequests.createGroup(new).bodyData)
      #expect(Self.problems(body, group).isEmpty, "\(Self.problems(body, group))")
    }
    let patch = try Self.object(
      try GraphRequests.patchGroup(
        "22222222-2222-3333-4444-555555555555",
        GroupPatch(displayName: "x", description: .some(nil))
      ).bodyData)
    #expect(Self.problems(patch, group).isEmpty, "\(Self.problems(patch, group))")

    // $select lists name only documented properties.
    #expect(Set(GraphUser.selectFields).subtracting(user.keys).isEmpty)
    #expect(Set(GraphGroup.selectFields).subtracting(group.keys).isEmpty)
  }

  @Test func emulatorResponsesUseOfficialNamesAndTypes() async throws {
    let user = try Self.schema("microsoft.graph.user")
    let group = try Self.schema("microsoft.graph.group")
    let domain = try Self.schema("microsoft.graph.domain")
    let state = try Data(
      contentsOf: Self.repositoryRoot.appendingPathComponent("Schemas/examples/tenant-demo.json"))
    let server = try await TenantEmulatorServer.start(stateJSON: state)
    defer { Task { try? await server.shutdown() } }
    let stateObject = try Self.object(state)
    let tenant = try #require(stateObject["tenantId"] as? String)
    let app = try #require((stateObject["applications"] as? [[String: Any]])?.first)
    let clientID = try #require(app["clientId"] as? String)
    // The demo state carries demo-only secrets; the emulator exports only their hashes.
    let secret = "demo-only-secret-1"

    var tokenRequest = URLRequest(
      url: URL(string: "\(server.baseURL)/\(tenant)/oauth2/v2.0/token")!)
    tokenRequest.httpMethod = "POST"
    tokenRequest.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
    tokenRequest.httpBody = Data(
      "grant_type=client_credentials&client_id=\(clientID)&client_secret=\(secret)&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
        .utf8)
    let (tokenData, _) = try await URLSession.shared.data(for: tokenRequest)
    let token = try #require(try Self.object(tokenData)["access_token"] as? String)

    func values(_ path: String) async throws -> [[String: Any]] {
      var request = URLRequest(url: URL(string: server.baseURL + path)!)
      request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
      let (data, _) = try await URLSession.shared.data(for: request)
      return try #require(try Self.object(data)["value"] as? [[String: Any]])
    }
    let userSelect = GraphUser.selectFields.joined(separator: ",")
    let groupSelect = GraphGroup.selectFields.joined(separator: ",")
    let checks: [([[String: Any]], [String: Property])] = [
      (try await values("/v1.0/users?$select=\(userSelect)"), user),
      (try await values("/v1.0/users"), user),
      (try await values("/v1.0/groups?$select=\(groupSelect)"), group),
      (try await values("/v1.0/domains"), domain),
    ]
    for (objects, schema) in checks {
      #expect(!objects.isEmpty)
      for object in objects {
        #expect(Self.problems(object, schema).isEmpty, "\(Self.problems(object, schema))")
      }
    }
  }
}
