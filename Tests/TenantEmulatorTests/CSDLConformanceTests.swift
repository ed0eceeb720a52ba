import Foundation
import TenantEmulator
import Testing

/// Microsoft's v1.0 CSDL is the oracle: every response shape the emulator serves for the types
/// it models is checked property by property (declared through base types, JSON type
/// compatible, collections never null, non-nullable values never null).
@Suite("Responses conform to Microsoft's v1.0 CSDL")
struct CSDLConformanceTests {
  typealias Wire = CSDLModel.Wire

  /// The tenant with the on-premises and error properties filled in, so they are exercised.
  static func richState() -> Data {
    var document = TestTenant.document()
    var users = document["users"] as! [[String: Any]]
    let erin = users.firstIndex { $0["id"] as? String == "u-erin" }!
    users[erin]["onPremisesSamAccountName"] = "erin"
    users[erin]["onPremisesLastSyncDateTime"] = "2026-06-01T10:00:00Z"
    users[erin]["onPremisesDistinguishedName"] = "CN=Erin,OU=Staff,DC=contoso,DC=com"
    users[erin]["onPremisesProvisioningErrors"] = [
      [
        "category": "PropertyConflict", "occurredDateTime": "2026-06-01T10:00:00Z",
        "propertyCausingError": "ProxyAddress", "value": "SMTP:erin@contoso.com",
      ]
    ]
    document["users"] = users
    return TestTenant.data(document)
  }

  /// Structural property names of `type` through its base types.
  static func declared(_ model: CSDLModel, _ type: String) -> [String] {
    var names: [String] = []
    var next: String? = type
    while let current = next, let info = model.types[current] {
      names += info.properties.keys.sorted()
      next = info.baseType
    }
    return names
  }

  @Test func everyServedShapeFitsTheCSDL() async throws {
    let model = try CSDLModel.load()
    #expect(model.types["graph.user"]?.baseType == "graph.directoryObject")
    let allUser = Self.declared(model, "graph.user").joined(separator: ",")
    let allGroup = Self.declared(model, "graph.group").joined(separator: ",")
    try await Emulator.run(state: Self.richState()) { emulator in
      let token = try await emulator.token()
      var problems: [String] = []
      func check(_ target: String, _ type: String, single: Bool = false) async throws {
        let reply = try await emulator.call(
          "GET", target, token: token, headers: ["ConsistencyLevel": "eventual"])
        guard reply.status == 200 else {
          problems.append("\(target): HTTP \(reply.status) \(reply.errorMessage ?? "")")
          return
        }
        let body = Wire.parse(reply.body)
        let items = single ? [body] : (body["value"]?.arrayValue ?? []).compactMap(\.objectValue)
        if items.isEmpty { problems.append("\(target): nothing to check") }
        let label =
          String(target.prefix { $0 != "?" }) + (target.contains("$select") ? "?$select" : "")
        for item in items {
          for problem in model.problems(item, as: type, path: label)
          where !problems.contains(problem) {
            problems.append(problem)
          }
        }
      }
      try await check("/v1.0/users", "graph.user")
      try await check("/v1.0/users?$select=\(allUser)", "graph.user")
      try await check("/v1.0/users/u-erin?$select=\(allUser)", "graph.user", single: true)
      try await check("/v1.0/users/delta?$select=\(allUser)", "graph.user")
      try await check("/v1.0/users/u-alice/memberOf", "graph.directoryObject")
      try await check("/v1.0/groups", "graph.group")
      try await check("/v1.0/groups?$select=\(allGroup)", "graph.group")
      try await check("/v1.0/groups/g-m365", "graph.group", single: true)
      try await check("/v1.0/groups/delta", "graph.group")
      try await check("/v1.0/groups/g-sec/members", "graph.directoryObject")
      try await check("/v1.0/groups/g-sec/owners", "graph.directoryObject")
      try await check("/v1.0/domains", "graph.domain")
      try await check("/v1.0/domains/contoso.com", "graph.domain", single: true)
      try await check("/v1.0/organization", "graph.organization")
      try await check(
        "/v1.0/roleManagement/directory/roleAssignments?$expand=principal,roleDefinition",
        "graph.unifiedRoleAssignment")
      try await check(
        "/v1.0/groups/g-synced/onPremisesSyncBehavior", "graph.onPremisesSyncBehavior",
        single: true)
      #expect(try await emulator.call("DELETE", "/v1.0/users/u-bob", token: token).status == 204)
      #expect(try await emulator.call("DELETE", "/v1.0/groups/g-m365", token: token).status == 204)
      try await check("/v1.0/directory/deletedItems/microsoft.graph.user", "graph.user")
      try await check("/v1.0/directory/deletedItems/microsoft.graph.group", "graph.group")
      try await check("/v1.0/directory/deletedItems/u-bob", "graph.directoryObject", single: true)
      #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }
  }

  @Test func theTenantSyncSettingsFitTheCSDL() async throws {
    let model = try CSDLModel.load()
    var options = EmulatorOptions()
    options.autoApproveUser = "frank@contoso.com"
    options.deviceCodeApprovalPolls = 0
    try await Emulator.run(options: options) { emulator in
      let code = try await RawHTTP.send(
        port: emulator.port, method: "POST",
        target: "/\(TestTenant.tenantId)/oauth2/v2.0/devicecode",
        headers: ["Content-Type": "application/x-www-form-urlencoded"],
        body: Emulator.form([
          ("client_id", TestTenant.plainClientId), ("scope", DelegatedSignInTests.scope),
        ]))
      let granted = try await emulator.tokenRequest([
        ("client_id", TestTenant.plainClientId), ("grant_type", DelegatedSignInTests.deviceGrant),
        ("device_code", try #require(code.object["device_code"] as? String)),
      ])
      let token = try #require(granted.object["access_token"] as? String)
      let reply = try await emulator.call(
        "GET", "/v1.0/directory/onPremisesSynchronization", token: token)
      #expect(reply.status == 200)
      let items = (Wire.parse(reply.body)["value"]?.arrayValue ?? []).compactMap(\.objectValue)
      #expect(items.count == 1)
      var problems: [String] = []
      for item in items {
        problems += model.problems(
          item, as: "graph.onPremisesDirectorySynchronization", path: "onPremisesSynchronization")
      }
      #expect(problems.isEmpty, "\(problems)")
    }
  }
}
