import Foundation
import TenantEmulator
import Testing

@Suite("State file: validation, round trip, control endpoints")
struct StateTests {
  static let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  @Test func theDemoStateLoadsAndServes() async throws {
    let data = try Data(
      contentsOf: Self.repositoryRoot.appendingPathComponent("Schemas/examples/tenant-demo.json"))
    let server = try await TenantEmulatorServer.start(stateJSON: data)
    let emulator = Emulator(server: server)
    let reply = try await emulator.tokenRequest(
      [
        ("client_id", "0f5c7a3e-2d41-4c8b-9e61-5a7d3b2c1e90"),
        ("scope", "https://graph.microsoft.com/.default"),
        ("client_secret", "demo-only-secret-1"), ("grant_type", "client_credentials"),
      ], tenant: "8b2f6a0e-6a3c-4f7e-9a43-0d2c1b5e7f10")
    let token = try #require(reply.object["access_token"] as? String)
    let users = try await emulator.call("GET", "/v1.0/users", token: token)
    #expect(users.values.count == 10)
    let domains = try await emulator.call("GET", "/v1.0/domains", token: token)
    #expect(domains.values.count == 3)
    try await server.shutdown()
  }

  @Test func stateRoundTripsWithoutSecrets() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      _ = try await emulator.call(
        "PATCH", "/v1.0/users/u-alice", token: token, json: ["onPremisesImmutableId": "Um91bmQ="])
      let exported = try await emulator.server.stateJSON()
      let text = String(decoding: exported, as: UTF8.self)
      #expect(!text.contains(TestTenant.plainSecret))
      #expect(text.contains("clientSecretSHA256"))

      let second = try await TenantEmulatorServer.start(stateJSON: exported)
      let copy = Emulator(server: second)
      #expect(
        try await copy.storedUser("u-alice")["onPremisesImmutableId"] as? String == "Um91bmQ=")
      // The hashed secret still authenticates.
      _ = try await copy.token()
      let reExported = try await second.stateJSON()
      #expect(
        try JSONSerialization.jsonObject(with: reExported) as? NSDictionary
          == JSONSerialization.jsonObject(with: exported) as? NSDictionary)
      try await second.shutdown()
    }
  }

  @Test func controlEndpointsReadAndReplaceTheState() async throws {
    try await Emulator.run { emulator in
      let read = try await RawHTTP.send(
        port: emulator.port, method: "GET", target: "/_emulator/state")
      #expect(read.status == 200 && (read.object["users"] as? [Any])?.count == 6)
      var document = TestTenant.document()
      document["users"] = [TestTenant.user("u-only", "only@contoso.com")]
      document["groups"] = []
      document["roleAssignments"] = []
      let put = try await RawHTTP.send(
        port: emulator.port, method: "PUT", target: "/_emulator/state",
        headers: ["Content-Type": "application/json"], body: TestTenant.data(document))
      #expect(put.status == 204)
      let token = try await emulator.token()
      let users = try await emulator.call("GET", "/v1.0/users", token: token)
      #expect(users.values.compactMap { $0["id"] as? String } == ["u-only"])
      document["tenantId"] = "not-a-guid"
      let bad = try await RawHTTP.send(
        port: emulator.port, method: "PUT", target: "/_emulator/state",
        body: TestTenant.data(document))
      #expect(bad.status == 400 && bad.errorMessage?.contains("$.tenantId") == true)
      let log = try await RawHTTP.send(
        port: emulator.port, method: "GET", target: "/_emulator/requests")
      let records = try JSONSerialization.jsonObject(with: log.body) as? [[String: Any]]
      #expect(records?.contains { $0["target"] as? String == "/v1.0/users" } == true)
    }
  }

  struct BadState: Sendable, CustomStringConvertible {
    let description: String
    let path: String
    let mutate: @Sendable (inout [String: Any]) -> Void
  }

  static func mutateUser(_ index: Int, _ key: String, _ value: Any)
    -> @Sendable (inout [String: Any]) -> Void
  {
    let box = SendableBox(value)
    return { document in
      var users = document["users"] as! [[String: Any]]
      users[index][key] = box.value
      document["users"] = users
    }
  }

  static let badStates: [BadState] = [
    BadState(
      description: "unknown user property", path: "$.users[0].immutableId",
      mutate: mutateUser(0, "immutableId", "x")),
    BadState(
      description: "federated user without anchor", path: "$.users[3].onPremisesImmutableId",
      mutate: mutateUser(3, "onPremisesImmutableId", NSNull())),
    BadState(
      description: "duplicate anchor", path: "$.users[5].onPremisesImmutableId",
      mutate: mutateUser(5, "onPremisesImmutableId", TestTenant.carolAnchor)),
    BadState(
      description: "anchor with underscore", path: "$.users[0].onPremisesImmutableId",
      mutate: mutateUser(0, "onPremisesImmutableId", "a_b")),
    BadState(
      description: "UPN outside the domains", path: "$.users[0].userPrincipalName",
      mutate: mutateUser(0, "userPrincipalName", "alice@elsewhere.example")),
    BadState(
      description: "wrong type", path: "$.users[2].accountEnabled",
      mutate: mutateUser(2, "accountEnabled", "yes")),
    BadState(
      description: "bad authenticationType", path: "$.domains[1].authenticationType",
      mutate: { document in
        var domains = document["domains"] as! [[String: Any]]
        domains[1]["authenticationType"] = "Hybrid"
        document["domains"] = domains
      }),
    BadState(
      description: "member that does not exist", path: "$.groups[2].members[2]",
      mutate: { document in
        var groups = document["groups"] as! [[String: Any]]
        groups[2]["members"] = ["u-alice", "u-bob", "u-nobody"]
        document["groups"] = groups
      }),
    BadState(
      description: "unknown feature flag", path: "$.features.blockHardMatch",
      mutate: { $0["features"] = ["blockHardMatch": true] }),
    BadState(
      description: "application without credentials", path: "$.applications[0]",
      mutate: { $0["applications"] = [["clientId": "x"]] }),
    BadState(
      description: "certificate that is not PEM", path: "$.applications[0].certificatePem",
      mutate: { $0["applications"] = [["clientId": "x", "certificatePem": "hello"]] }),
    BadState(
      description: "unknown permission name", path: "$.applications[0].permissions[1]",
      mutate: {
        $0["applications"] = [
          ["clientId": "x", "clientSecret": "s", "permissions": ["User.Read.All", "User.Read"]]
        ]
      }),
    BadState(
      description: "unknown top-level key", path: "$.userz",
      mutate: { $0["userz"] = [] }),
  ]

  @Test(arguments: badStates)
  func invalidStatesNameTheJSONPath(_ bad: BadState) async throws {
    var document = TestTenant.document()
    bad.mutate(&document)
    do {
      let server = try await TenantEmulatorServer.start(stateJSON: TestTenant.data(document))
      try await server.shutdown()
      Issue.record("\(bad) was accepted")
    } catch let error as TenantEmulatorError {
      guard case .invalidState(let path, _) = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(path == bad.path, "\(error)")
    }
  }

  @Test func malformedJSONIsReportedAsSuch() async throws {
    await #expect(throws: TenantEmulatorError.self) {
      _ = try await TenantEmulatorServer.start(stateJSON: Data("{\"tenantId\": ".utf8))
    }
  }
}

/// Carries a JSON value (always a property-list type here) into a @Sendable closure.
struct SendableBox: @unchecked Sendable {
  // Only Foundation JSON values (String, NSNull, NSNumber, arrays of them) are stored; they are
  // immutable, so sharing them across tasks is safe.
  let value: Any
  init(_ value: Any) { self.value = value }
}
