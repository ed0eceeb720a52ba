import Foundation
import TenantEmulator
import Testing

@Suite("PATCH /users: ImmutableID and UPN traps")
struct UserPatchTests {
  static let anchor = "AAECAwQFBgcICQoLDA0ODw=="

  @Test func setThenClearAnImmutableIdOnACloudUser() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let set = try await emulator.call(
        "PATCH", "/v1.0/users/u-alice", token: token, json: ["onPremisesImmutableId": Self.anchor])
      #expect(set.status == 204 && set.body.isEmpty)
      let read = try await emulator.call(
        "GET", "/v1.0/users/u-alice?$select=onPremisesImmutableId", token: token)
      #expect(read.object["onPremisesImmutableId"] as? String == Self.anchor)
      let clear = try await emulator.call(
        "PATCH", "/v1.0/users/alice@contoso.com", token: token,
        json: ["onPremisesImmutableId": NSNull()])
      #expect(clear.status == 204)
      #expect(try await emulator.storedUser("u-alice")["onPremisesImmutableId"] is NSNull)
    }
  }

  static let invalidAnchors = ["", "abc$def", "abc_def"]

  @Test(arguments: invalidAnchors)
  func emptyDollarAndUnderscoreAnchorsAreInvalidValues(_ value: String) async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let reply = try await emulator.call(
        "PATCH", "/v1.0/users/u-alice", token: token, json: ["onPremisesImmutableId": value])
      #expect(reply.status == 400)
      #expect(reply.errorCode == "Request_BadRequest")
      #expect(
        reply.errorMessage
          == "Invalid value specified for property 'onPremisesImmutableId' of resource 'User'.")
      #expect(try await emulator.storedUser("u-alice")["onPremisesImmutableId"] is NSNull)
    }
  }

  @Test func immutableIdsAndUserPrincipalNamesAreUnique() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let anchor = try await emulator.call(
        "PATCH", "/v1.0/users/u-alice", token: token,
        json: ["onPremisesImmutableId": TestTenant.carolAnchor])
      #expect(anchor.status == 400 && anchor.errorCode == "Request_BadRequest")
      #expect(anchor.errorMessage?.contains("onPremisesImmutableId") == true)
      let upn = try await emulator.call(
        "PATCH", "/v1.0/users/u-alice", token: token,
        json: ["userPrincipalName": "Bob@contoso.com"])
      #expect(upn.status == 400 && upn.errorMessage?.contains("userPrincipalName") == true)
      let domain = try await emulator.call(
        "PATCH", "/v1.0/users/u-alice", token: token,
        json: ["userPrincipalName": "alice@unknown.example"])
      #expect(domain.status == 400 && domain.errorMessage?.contains("verified domain") == true)
    }
  }

  @Test(arguments: [
    ["onPremisesImmutableId": "bmV3QW5jaG9y"], ["userPrincipalName": "erin2@contoso.com"],
    ["displayName": "Erin Renamed"],
  ])
  func syncedUsersRefuseOnPremisesMasteredWrites(_ patch: [String: String]) async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token(privileged: true)
      let reply = try await emulator.call("PATCH", "/v1.0/users/u-erin", token: token, json: patch)
      #expect(reply.status == 400)
      #expect(reply.errorCode == "Request_BadRequest")
      #expect(
        reply.errorMessage
          == "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration."
      )
      #expect(
        try await emulator.storedUser("u-erin")["onPremisesImmutableId"] as? String
          == TestTenant.erinAnchor)
    }
  }

  @Test func syncedUsersStillTakeCloudMasteredProperties() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let reply = try await emulator.call(
        "PATCH", "/v1.0/users/u-erin", token: token, json: ["usageLocation": "DE"])
      #expect(reply.status == 204)
    }
  }

  static var federatedRefusals: [[String: Any]] {
    [
      ["onPremisesImmutableId": NSNull()],
      ["onPremisesImmutableId": "Y2hhbmdlZEluUGxhY2U="],
    ]
  }

  @Test(arguments: 0..<2)
  func aFederatedUserCannotLoseOrChangeItsAnchorInPlace(_ index: Int) async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let reply = try await emulator.call(
        "PATCH", "/v1.0/users/dave@fabrikam.com", token: token, json: Self.federatedRefusals[index])
      #expect(reply.status == 400 && reply.errorCode == "Request_BadRequest")
      #expect(reply.errorMessage?.contains("FederatedUser.SourceAnchor") == true)
      #expect(
        try await emulator.storedUser("u-dave")["onPremisesImmutableId"] as? String
          == TestTenant.daveAnchor)
    }
  }

  @Test func anAnchorlessUserCannotMoveIntoAFederatedDomain() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let reply = try await emulator.call(
        "PATCH", "/v1.0/users/u-alice", token: token,
        json: ["userPrincipalName": "alice@fabrikam.com"])
      #expect(reply.status == 400)
      #expect(reply.errorMessage?.contains("FederatedUser.SourceAnchor") == true)
    }
  }

  @Test func theDocumentedThreeStepWorkaroundChangesAFederatedAnchor() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let away = try await emulator.call(
        "PATCH", "/v1.0/users/u-dave", token: token,
        json: ["userPrincipalName": "dave@contoso.onmicrosoft.com"])
      #expect(away.status == 204)
      let change = try await emulator.call(
        "PATCH", "/v1.0/users/u-dave", token: token, json: ["onPremisesImmutableId": NSNull()])
      #expect(change.status == 204)
      let back = try await emulator.call(
        "PATCH", "/v1.0/users/u-dave", token: token,
        json: ["userPrincipalName": "dave@fabrikam.com", "onPremisesImmutableId": Self.anchor])
      #expect(back.status == 204)
      let user = try await emulator.storedUser("u-dave")
      #expect(user["userPrincipalName"] as? String == "dave@fabrikam.com")
      #expect(user["onPremisesImmutableId"] as? String == Self.anchor)
    }
  }

  @Test func roleHoldersNeedAPrivilegedApplicationForSensitiveProperties() async throws {
    try await Emulator.run { emulator in
      let plain = try await emulator.token()
      let refused = try await emulator.call(
        "PATCH", "/v1.0/users/u-frank", token: plain, json: ["onPremisesImmutableId": Self.anchor])
      #expect(refused.status == 403)
      #expect(refused.errorCode == "Authorization_RequestDenied")
      #expect(refused.errorMessage == "Insufficient privileges to complete the operation.")
      let upn = try await emulator.call(
        "PATCH", "/v1.0/users/u-frank", token: plain,
        json: ["userPrincipalName": "frank2@contoso.com"])
      #expect(upn.status == 403)
      let harmless = try await emulator.call(
        "PATCH", "/v1.0/users/u-frank", token: plain, json: ["jobTitle": "Chief Admin"])
      #expect(harmless.status == 204)
      let privileged = try await emulator.token(privileged: true)
      let allowed = try await emulator.call(
        "PATCH", "/v1.0/users/u-frank", token: privileged,
        json: ["onPremisesImmutableId": Self.anchor])
      #expect(allowed.status == 204)
    }
  }

  @Test func aRoleHeldThroughARoleAssignableGroupCountsToo() async throws {
    var document = TestTenant.document()
    document["roleAssignments"] = [
      [
        "id": "ra-group", "principalId": "g-sec",
        "roleDefinitionId": "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
        "roleName": "Privileged Authentication Administrator",
      ]
    ]
    try await Emulator.run(state: TestTenant.data(document)) { emulator in
      let plain = try await emulator.token()
      let refused = try await emulator.call(
        "PATCH", "/v1.0/users/u-alice", token: plain, json: ["onPremisesImmutableId": Self.anchor])
      #expect(refused.status == 403 && refused.errorCode == "Authorization_RequestDenied")
      let frank = try await emulator.call(
        "PATCH", "/v1.0/users/u-frank", token: plain, json: ["onPremisesImmutableId": Self.anchor])
      #expect(frank.status == 204)
    }
  }

  @Test func malformedUnknownReadOnlyAndMissingAreRefused() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let malformed = try await RawHTTP.send(
        port: emulator.port, method: "PATCH", target: "/v1.0/users/u-alice",
        headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
        body: Data("{\"onPremisesImmutableId\": ".utf8))
      #expect(malformed.status == 400 && malformed.errorCode == "BadRequest")
      let unknown = try await emulator.call(
        "PATCH", "/v1.0/users/u-alice", token: token, json: ["immutableId": Self.anchor])
      #expect(unknown.status == 400 && unknown.errorMessage?.contains("immutableId") == true)
      let readOnly = try await emulator.call(
        "PATCH", "/v1.0/users/u-alice", token: token, json: ["onPremisesSyncEnabled": false])
      #expect(readOnly.status == 400 && readOnly.errorMessage?.contains("read-only") == true)
      let wrongType = try await emulator.call(
        "PATCH", "/v1.0/users/u-alice", token: token, json: ["accountEnabled": "yes"])
      #expect(wrongType.status == 400)
      let missing = try await emulator.call(
        "PATCH", "/v1.0/users/ghost@contoso.com", token: token, json: ["jobTitle": "x"])
      #expect(missing.status == 404 && missing.errorCode == "Request_ResourceNotFound")
    }
  }
}
