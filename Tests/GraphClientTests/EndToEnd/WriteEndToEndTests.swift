import Foundation
import GraphClient
import Testing

@Suite("E2E: writes, traps and verification", .serialized)
struct WriteEndToEndTests {
  static let anchor = "Lq9V+0PsRUuGf/ouYy8xAw=="

  @Test("set, then clear with a JSON null (exact bytes on the wire), verified by reading back")
  func setAndClear() async throws {
    try await EmulatorTenant.run(state: EmulatorTenant.state(users: EmulatorTenant.users(1...2))) {
      client, server in
      let id = EmulatorTenant.userID(1)
      let set = UserPatch(immutableID: .set(try ImmutableID(Self.anchor)))
      let afterSet = try await client.patchUserVerified(id, set)
      #expect(afterSet.onPremisesImmutableId == Self.anchor)
      #expect(
        try await EmulatorTenant.storedUser(server, id)?["onPremisesImmutableId"] as? String
          == Self.anchor)

      let afterClear = try await client.patchUserVerified(id, UserPatch(immutableID: .clear))
      #expect(afterClear.onPremisesImmutableId == nil)
      let stored = try await EmulatorTenant.storedUser(server, id)
      #expect(stored?["onPremisesImmutableId"] is NSNull)

      let patches = await server.requestLog().filter { $0.method == "PATCH" }
      #expect(
        patches.map(\.body) == [
          #"{"onPremisesImmutableId":"Lq9V+0PsRUuGf/ouYy8xAw=="}"#,
          #"{"onPremisesImmutableId":null}"#,
        ])
      #expect(patches.allSatisfy { $0.status == 204 })
    }
  }

  @Test("read-back verification reports a write that did not take")
  func notApplied() async throws {
    try await EmulatorTenant.run(
      state: EmulatorTenant.state(users: [EmulatorTenant.user(1, anchor: "b2xk")])
    ) { client, _ in
      // Nothing was sent: the read-back still shows the old value, as after a silent no-op.
      let expected = UserPatch(immutableID: .set(try ImmutableID(Self.anchor)))
      let error = await #expect(throws: GraphError.self) {
        try await client.verifyUser(EmulatorTenant.userID(1), applied: expected)
      }
      #expect(error?.kind == .notApplied)
      #expect(error?.code == "onPremisesImmutableId")
      #expect(error?.message.contains("\"b2xk\"") == true)
      let cleared = await #expect(throws: GraphError.self) {
        try await client.verifyUser(
          EmulatorTenant.userID(1), applied: UserPatch(immutableID: .clear))
      }
      #expect(cleared?.message.contains("expected null") == true)
    }
  }

  @Test("a federated user: clearing is refused (400), UPN move + anchor in one PATCH works")
  func federatedTrap() async throws {
    let federated = EmulatorTenant.user(1, domain: "contoso.com", anchor: "MjYwMDUx")
    try await EmulatorTenant.run(state: EmulatorTenant.state(users: [federated])) {
      client, server in
      let id = EmulatorTenant.userID(1)
      let refused = await #expect(throws: GraphError.self) {
        try await client.clearImmutableID(forUser: id)
      }
      #expect(refused?.kind == .service)
      #expect(refused?.status == 400)
      #expect(refused?.code == "Request_BadRequest")
      #expect(refused?.requestID != nil || refused?.clientRequestID != nil)

      // graph-facts §1 workaround: out to the initial domain, change, back in with the anchor.
      try await client.changeUserPrincipalName(ofUser: id, to: "user1@contoso.onmicrosoft.com")
      try await client.clearImmutableID(forUser: id)
      let back = UserPatch(
        immutableID: .set(try ImmutableID(Self.anchor)), userPrincipalName: "user1@contoso.com")
      try await client.patchUserVerified(id, back)
      let stored = try await EmulatorTenant.storedUser(server, id)
      #expect(stored?["userPrincipalName"] as? String == "user1@contoso.com")
      #expect(stored?["onPremisesImmutableId"] as? String == Self.anchor)
      let last = await server.requestLog().last { $0.method == "PATCH" }
      #expect(
        last?.body
          == #"{"onPremisesImmutableId":"Lq9V+0PsRUuGf/ouYy8xAw==","userPrincipalName":"user1@contoso.com"}"#
      )
    }
  }

  @Test("a synced user can't be written: 400 Request_BadRequest")
  func syncedTrap() async throws {
    try await EmulatorTenant.run(
      state: EmulatorTenant.state(users: [EmulatorTenant.user(1, anchor: "c3luY2Vk", synced: true)])
    ) { client, server in
      let error = await #expect(throws: GraphError.self) {
        try await client.setImmutableID(
          try ImmutableID(Self.anchor), forUser: EmulatorTenant.userID(1))
      }
      #expect(error?.status == 400)
      #expect(error?.code == "Request_BadRequest")
      let stored = try await EmulatorTenant.storedUser(server, EmulatorTenant.userID(1))
      #expect(stored?["onPremisesImmutableId"] as? String == "c3luY2Vk")
    }
  }

  @Test("$batch with mixed results: success, unknown user, synced user, failed dependency")
  func mixedBatch() async throws {
    let users = [
      EmulatorTenant.user(1), EmulatorTenant.user(2, synced: true), EmulatorTenant.user(3),
    ]
    try await EmulatorTenant.run(state: EmulatorTenant.state(users: users)) { client, server in
      let set = UserPatch(immutableID: .set(try ImmutableID(Self.anchor)))
      let results = try await client.batch([
        BatchItem(id: "ok", request: try GraphRequests.patchUser(EmulatorTenant.userID(1), set)),
        BatchItem(
          id: "missing", request: try GraphRequests.patchUser(EmulatorTenant.userID(404), set)),
        BatchItem(
          id: "synced", request: try GraphRequests.patchUser(EmulatorTenant.userID(2), set)),
        BatchItem(
          id: "after", request: try GraphRequests.user(EmulatorTenant.userID(3), select: ["id"]),
          dependsOn: ["missing"]),
        BatchItem(
          id: "read",
          request: try GraphRequests.user(
            EmulatorTenant.userID(1), select: ["id", "onPremisesImmutableId"]), dependsOn: ["ok"]),
      ])
      #expect(results.count == 5)
      #expect(try results["ok"]?.get().status == 204)
      #expect(results["missing"].flatMap(failure)?.status == 404)
      #expect(results["missing"].flatMap(failure)?.code == "Request_ResourceNotFound")
      #expect(results["synced"].flatMap(failure)?.code == "Request_BadRequest")
      #expect(results["after"].flatMap(failure)?.status == 424)
      let read = try #require(try results["read"]?.get().body?.decode(GraphUser.self))
      #expect(read.onPremisesImmutableId == Self.anchor)
      #expect(
        try await EmulatorTenant.storedUser(server, EmulatorTenant.userID(1))?[
          "onPremisesImmutableId"] as? String == Self.anchor)
    }
  }

  @Test("groups: create security and Microsoft 365, members and owners by $ref, update, delete")
  func groups() async throws {
    try await EmulatorTenant.run(state: EmulatorTenant.state(users: EmulatorTenant.users(1...3))) {
      client, _ in
      let security = try await client.createGroup(
        NewGroup(kind: .security, displayName: "Finance", mailNickname: "finance"))
      #expect(security.securityEnabled == true)
      #expect(security.mailEnabled == false)
      let unified = try await client.createGroup(
        NewGroup(
          kind: .microsoft365(securityEnabled: false), displayName: "Team", mailNickname: "team"))
      #expect(unified.isMicrosoft365)

      try await client.addMember(EmulatorTenant.userID(1), toGroup: security.id)
      try await client.addMember(EmulatorTenant.userID(2), toGroup: security.id)
      try await client.addOwner(EmulatorTenant.userID(3), toGroup: security.id)
      try await client.removeMember(EmulatorTenant.userID(1), fromGroup: security.id)
      let members = try await client.members(ofGroup: security.id).collect()
      #expect(members.map(\.id) == [EmulatorTenant.userID(2)])
      #expect(
        try await client.owners(ofGroup: security.id).collect().map(\.id) == [
          EmulatorTenant.userID(3)
        ])

      try await client.updateGroup(
        security.id, GroupPatch(displayName: "Finance EU", description: .some("eu")))
      #expect(try await client.group(security.id).displayName == "Finance EU")

      try await client.deleteGroup(security.id)
      #expect(try await client.groupExists(security.id) == false)
      #expect(try await client.groupExists(unified.id) == true)
      let again = await #expect(throws: GraphError.self) {
        try await client.deleteGroup(security.id)
      }
      #expect(again?.status == 404)
    }
  }
}

func failure(_ result: BatchResult) -> GraphError? {
  if case .failure(let error) = result { return error }
  return nil
}
