import Foundation
import TenantEmulator
import Testing

/// Each endpoint demands what Microsoft's permission tables say: the least privileged
/// permission admits, a higher one admits, none of them answers 403 Authorization_RequestDenied.
@Suite("Application permissions")
struct PermissionTests {
  /// A tenant whose plain app holds exactly `permissions`.
  static func state(_ permissions: [String]) -> Data {
    var document = TestTenant.document()
    var applications = document["applications"] as! [[String: Any]]
    applications[0]["permissions"] = permissions
    document["applications"] = applications
    return TestTenant.data(document)
  }

  struct Case: Sendable, CustomTestStringConvertible {
    let method: String
    let target: String
    let json: [String: String]?
    /// The least privileged application permission of the Graph reference page.
    let least: String
    /// A permission of a neighbouring endpoint that must not be enough.
    let notEnough: String
    var testDescription: String { "\(method) \(target) needs \(least)" }
  }

  static let cases: [Case] = [
    Case(
      method: "GET", target: "/v1.0/users", json: nil, least: "User.Read.All",
      notEnough: "Group.Read.All"),
    Case(
      method: "GET", target: "/v1.0/users/delta", json: nil, least: "User.Read.All",
      notEnough: "Domain.Read.All"),
    Case(
      method: "PATCH", target: "/v1.0/users/u-alice", json: ["jobTitle": "x"],
      least: "User.ReadWrite.All", notEnough: "User.Read.All"),
    Case(
      method: "DELETE", target: "/v1.0/users/u-bob", json: nil, least: "User.DeleteRestore.All",
      notEnough: "User.Read.All"),
    Case(
      method: "GET", target: "/v1.0/groups", json: nil, least: "GroupMember.Read.All",
      notEnough: "User.Read.All"),
    Case(
      method: "PATCH", target: "/v1.0/groups/g-sec", json: ["description": "x"],
      least: "Group.ReadWrite.All", notEnough: "GroupMember.ReadWrite.All"),
    Case(
      method: "GET", target: "/v1.0/domains", json: nil, least: "Domain.Read.All",
      notEnough: "User.Read.All"),
    Case(
      method: "GET", target: "/v1.0/organization", json: nil, least: "Organization.Read.All",
      notEnough: "Domain.Read.All"),
    Case(
      method: "GET", target: "/v1.0/roleManagement/directory/roleAssignments", json: nil,
      least: "RoleManagement.Read.Directory", notEnough: "User.Read.All"),
    Case(
      method: "GET", target: "/v1.0/groups/g-synced/onPremisesSyncBehavior", json: nil,
      least: "Group-OnPremisesSyncBehavior.Read.All", notEnough: "Group.Read.All"),
  ]

  @Test(arguments: cases)
  func leastPrivilegedAdmitsAndANeighbourIsRefused(_ item: Case) async throws {
    for (permissions, admitted) in [([item.least], true), ([item.notEnough], false), ([], false)] {
      try await Emulator.run(state: Self.state(permissions)) { emulator in
        let token = try await emulator.token()
        let reply = try await emulator.call(item.method, item.target, token: token, json: item.json)
        if admitted {
          #expect(reply.status < 300, "\(permissions): \(reply.text)")
        } else {
          #expect(reply.status == 403, "\(permissions): \(reply.text)")
          #expect(reply.errorCode == "Authorization_RequestDenied")
          #expect(reply.errorMessage == "Insufficient privileges to complete the operation.")
        }
      }
    }
  }

  @Test func higherPermissionsAreAccepted() async throws {
    try await Emulator.run(state: Self.state(["Directory.ReadWrite.All"])) { emulator in
      let token = try await emulator.token()
      #expect(try await emulator.call("GET", "/v1.0/users", token: token).status == 200)
      let patch = try await emulator.call(
        "PATCH", "/v1.0/users/u-alice", token: token, json: ["jobTitle": "x"])
      #expect(patch.status == 204)
      #expect(try await emulator.call("GET", "/v1.0/groups", token: token).status == 200)
    }
  }

  @Test func refusedCallsChangeNothingAndBatchItemsAreJudgedOneByOne() async throws {
    try await Emulator.run(state: Self.state(["User.Read.All"])) { emulator in
      let token = try await emulator.token()
      let reply = try await emulator.call(
        "POST", "/v1.0/$batch", token: token,
        json: [
          "requests": [
            ["id": "1", "method": "GET", "url": "/users/u-alice"],
            [
              "id": "2", "method": "PATCH", "url": "/users/u-alice",
              "headers": ["Content-Type": "application/json"], "body": ["jobTitle": "Boss"],
            ],
          ]
        ] as [String: Any])
      #expect(reply.status == 200)
      let responses = reply.object["responses"] as? [[String: Any]] ?? []
      let statuses = Dictionary(
        uniqueKeysWithValues: responses.map {
          ($0["id"] as? String ?? "", $0["status"] as? Int ?? 0)
        })
      #expect(statuses == ["1": 200, "2": 403])
      #expect(try await emulator.storedUser("u-alice")["jobTitle"] == nil)
    }
  }

  @Test func anApplicationWithoutPermissionsInTheStateHoldsThemAll() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let payload = RealClientTests.decodeSegment(token.split(separator: ".")[1])
      let roles = payload["roles"] as? [String] ?? []
      #expect(roles.contains("User.ReadWrite.All") && roles.contains("Group.ReadWrite.All"))
      let state =
        try JSONSerialization.jsonObject(with: try await emulator.server.stateJSON())
        as? [String: Any]
      let first = (state?["applications"] as? [[String: Any]])?.first
      #expect(first?["permissions"] == nil)
    }
  }
}
