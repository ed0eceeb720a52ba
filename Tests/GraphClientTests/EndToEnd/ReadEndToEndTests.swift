import Foundation
import GraphClient
import Testing

@Suite("E2E: reads, paging and delta", .serialized)
struct ReadEndToEndTests {
  @Test("paging follows @odata.nextLink past several pages, page by page")
  func paging() async throws {
    let count = 2_600
    let pages = try await EmulatorTenant.run(
      state: EmulatorTenant.state(users: EmulatorTenant.users(1...count))
    ) { client, _ in
      var pages: [[GraphUser]] = []
      for try await page in client.users() { pages.append(page) }
      return pages
    }
    #expect(pages.count >= 3)
    #expect(pages.allSatisfy { $0.count <= 999 })
    let ids = pages.flatMap { $0.map(\.id) }
    #expect(ids.count == count)
    #expect(Set(ids).count == count)
    let first = try #require(pages.first?.first)
    #expect(first.userPrincipalName?.hasSuffix("@contoso.onmicrosoft.com") == true)
    #expect(first.proxyAddresses?.isEmpty == false)
  }

  @Test("delta: first round returns everything and a deltaLink; the next only the change")
  func delta() async throws {
    try await EmulatorTenant.run(
      state: EmulatorTenant.state(users: EmulatorTenant.users(1...30))
    ) { client, _ in
      guard case .changes(let initial, let link) = try await client.usersDelta(from: nil) else {
        Issue.record("expected changes")
        return
      }
      #expect(initial.count == 30)
      let anchor = try ImmutableID("Lq9V+0PsRUuGf/ouYy8xAw==")
      try await client.setImmutableID(anchor, forUser: EmulatorTenant.userID(7))
      guard case .changes(let changes, let next) = try await client.usersDelta(from: link) else {
        Issue.record("expected changes")
        return
      }
      #expect(changes.map(\.object.id) == [EmulatorTenant.userID(7)])
      #expect(changes.first?.object.onPremisesImmutableId == anchor.value)
      #expect(!next.isEmpty)
    }
  }

  @Test("an unknown delta token asks for a full resync")
  func deltaResync() async throws {
    try await EmulatorTenant.run(state: EmulatorTenant.state(users: EmulatorTenant.users(1...3))) {
      client, server in
      let stale = "\(server.baseURL)/v1.0/users/delta?$deltatoken=bm90LWEtcmVhbC10b2tlbg"
      guard case .fullResyncRequired(let error) = try await client.usersDelta(from: stale) else {
        Issue.record("expected fullResyncRequired")
        return
      }
      #expect(error.status == 410 || error.code == "syncStateNotFound")
    }
  }

  @Test("a nextLink to another host is not followed (the token stays home)")
  func foreignLink() async throws {
    try await EmulatorTenant.run(state: EmulatorTenant.state(users: [])) { client, _ in
      let error = await #expect(throws: GraphError.self) {
        _ = try await client.usersDelta(
          from: "https://evil.example.com/v1.0/users/delta?$deltatoken=x")
      }
      #expect(error?.kind == .invalidResponse)
    }
  }

  @Test("uniqueness lookup escapes quotes; groups, members, owners, roles, organization")
  func lookups() async throws {
    let users = [
      EmulatorTenant.user(1, anchor: "x'y+z/=="), EmulatorTenant.user(2, anchor: "X'Y+Z/=="),
      EmulatorTenant.user(3),
    ]
    let group = """
      {"id":"\(EmulatorTenant.groupID(1))","displayName":"Finance","mailEnabled":false,"securityEnabled":true,\
      "groupTypes":[],"mailNickname":"finance","members":["\(EmulatorTenant.userID(1))","\(EmulatorTenant.userID(2))"],\
      "owners":["\(EmulatorTenant.userID(3))"]}
      """
    let role = """
      {"id":"ra-1","principalId":"\(EmulatorTenant.userID(3))","roleDefinitionId":"62e90394-69f5-4237-9190-012177145e10","roleName":"Global Administrator"}
      """
    try await EmulatorTenant.run(
      state: EmulatorTenant.state(users: users, groups: [group], roleAssignments: [role])
    ) { client, _ in
      let matches = try await client.users(withImmutableID: "x'y+z/==")
      #expect(matches.map(\.id) == [EmulatorTenant.userID(1)])
      #expect(try await client.users(withImmutableID: "nobody").isEmpty)
      let groups = try await client.groups().collect()
      #expect(groups.map(\.displayName) == ["Finance"])
      let members = try await client.members(ofGroup: EmulatorTenant.groupID(1)).collect()
      #expect(Set(members.map(\.id)) == [EmulatorTenant.userID(1), EmulatorTenant.userID(2)])
      let owners = try await client.owners(ofGroup: EmulatorTenant.groupID(1)).collect()
      #expect(owners.map(\.id) == [EmulatorTenant.userID(3)])
      let roles = try await client.roleAssignments()
      #expect(roles.map(\.principalId) == [EmulatorTenant.userID(3)])
      let organization = try await client.organization()
      #expect(organization.first?.onPremisesSyncEnabled == true)
    }
  }

  @Test("unknown users are 404 Request_ResourceNotFound; malformed ids never leave the client")
  func badInput() async throws {
    try await EmulatorTenant.run(state: EmulatorTenant.state(users: EmulatorTenant.users(1...1))) {
      client, server in
      let missing = await #expect(throws: GraphError.self) {
        _ = try await client.user(EmulatorTenant.userID(404))
      }
      #expect(missing?.status == 404)
      #expect(missing?.code == "Request_ResourceNotFound")
      #expect(missing?.clientRequestID != nil)
      let before = await server.requestLog().count
      let malformed = await #expect(throws: GraphError.self) {
        try await client.clearImmutableID(forUser: "not a user id")
      }
      #expect(malformed?.kind == .invalidInput)
      #expect(malformed?.message.contains("not a user id") == true)
      #expect(await server.requestLog().count == before)
    }
  }
}
