import Foundation
import TenantEmulator
import Testing

/// Deleted items for users and groups, role assignment expansions, the `$filter` operators and
/// the `@odata.context` suffixes Graph writes.
@Suite("Deleted items, expansions and filters as Graph serves them")
struct DirectoryGapTests {
  @Test func aDeletedUserIsListedReadRestoredAndPurged() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let start = try await emulator.call("GET", "/v1.0/users/delta?$select=id", token: token)
      var link = try #require(start.object["@odata.deltaLink"] as? String)
      #expect(try await emulator.call("DELETE", "/v1.0/users/u-bob", token: token).status == 204)

      let listed = try await emulator.call(
        "GET", "/v1.0/directory/deletedItems/microsoft.graph.user?$select=id,userPrincipalName",
        token: token)
      #expect(listed.status == 200)
      #expect(listed.values.map { $0["id"] as? String } == ["u-bob"])
      #expect(
        (listed.object["@odata.context"] as? String)?.hasSuffix(
          "$metadata#directory/deletedItems/microsoft.graph.user(id,userPrincipalName)") == true)
      let one = try await emulator.call("GET", "/v1.0/directory/deletedItems/u-bob", token: token)
      #expect(one.status == 200)
      #expect(one.object["@odata.type"] as? String == "#microsoft.graph.user")
      #expect(one.object["deletedDateTime"] is String)
      #expect(try await emulator.call("GET", "/v1.0/users/u-bob", token: token).status == 404)

      let delta = try await emulator.call("GET", emulator.target(of: link), token: token)
      let removed = delta.values.first { $0["id"] as? String == "u-bob" }
      #expect((removed?["@removed"] as? [String: Any])?["reason"] as? String == "changed")
      link = try #require(delta.object["@odata.deltaLink"] as? String)

      let restored = try await emulator.call(
        "POST", "/v1.0/directory/deletedItems/u-bob/restore", token: token)
      #expect(restored.status == 200)
      #expect(restored.object["userPrincipalName"] as? String == "bob@contoso.com")
      #expect(try await emulator.call("GET", "/v1.0/users/u-bob", token: token).status == 200)
      let again = try await emulator.call("GET", emulator.target(of: link), token: token)
      #expect(again.values.contains { $0["id"] as? String == "u-bob" && $0["@removed"] == nil })
      link = try #require(again.object["@odata.deltaLink"] as? String)

      #expect(try await emulator.call("DELETE", "/v1.0/users/u-bob", token: token).status == 204)
      let purge = try await emulator.call(
        "DELETE", "/v1.0/directory/deletedItems/u-bob", token: token)
      #expect(purge.status == 204)
      let gone = try await emulator.call(
        "GET", "/v1.0/directory/deletedItems/u-bob", token: token)
      #expect(gone.status == 404 && gone.errorCode == "Request_ResourceNotFound")
      let last = try await emulator.call("GET", emulator.target(of: link), token: token)
      let reasons = last.values.filter { $0["id"] as? String == "u-bob" }.compactMap {
        ($0["@removed"] as? [String: Any])?["reason"] as? String
      }
      #expect(reasons.last == "deleted")
    }
  }

  @Test func deletedMicrosoft365GroupsAreListedByTheirCast() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      #expect(try await emulator.call("DELETE", "/v1.0/groups/g-m365", token: token).status == 204)
      let groups = try await emulator.call(
        "GET", "/v1.0/directory/deletedItems/microsoft.graph.group", token: token)
      #expect(groups.values.map { $0["id"] as? String } == ["g-m365"])
      let users = try await emulator.call(
        "GET", "/v1.0/directory/deletedItems/microsoft.graph.user", token: token)
      #expect(users.status == 200 && users.values.isEmpty)
    }
  }

  @Test func roleAssignmentsExpandThePrincipalAndTheFullDefinition() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let reply = try await emulator.call(
        "GET", "/v1.0/roleManagement/directory/roleAssignments?$expand=principal,roleDefinition",
        token: token)
      #expect(reply.status == 200)
      #expect(
        (reply.object["@odata.context"] as? String)?.hasSuffix(
          "#roleManagement/directory/roleAssignments(principal(),roleDefinition())") == true)
      let assignment = try #require(reply.values.first)
      let principal = try #require(assignment["principal"] as? [String: Any])
      #expect(principal["@odata.type"] as? String == "#microsoft.graph.user")
      #expect(principal["id"] as? String == "u-frank")
      let definition = try #require(assignment["roleDefinition"] as? [String: Any])
      #expect(definition["displayName"] as? String == "Global Administrator")
      #expect(definition["isBuiltIn"] as? Bool == true)
      #expect(definition["templateId"] as? String == "62e90394-69f5-4237-9190-012177145e10")
      #expect(definition["resourceScopes"] as? [String] == ["/"])
      #expect((definition["rolePermissions"] as? [[String: Any]])?.isEmpty == false)
    }
  }

  struct FilterCase: Sendable, CustomTestStringConvertible {
    let filter: String
    let advanced: Bool
    /// Expected ids, or nil for a 400 Request_UnsupportedQuery.
    let ids: [String]?
    var testDescription: String { "\(filter)\(advanced ? " (advanced)" : "")" }
  }

  static let filterCases: [FilterCase] = [
    FilterCase(
      filter: "userPrincipalName eq 'alice@contoso.com' or userPrincipalName eq 'bob@contoso.com'",
      advanced: false, ids: ["u-alice", "u-bob"]),
    FilterCase(
      filter:
        "startsWith(displayName,'a') or (startswith(displayName,'b') and accountEnabled eq true)",
      advanced: false, ids: ["u-alice", "u-bob"]),
    FilterCase(
      filter: "proxyAddresses/any(p:startsWith(p,'SMTP:carol'))", advanced: false,
      ids: ["u-carol"]),
    FilterCase(filter: "endsWith(mail,'@fabrikam.com')", advanced: false, ids: nil),
    FilterCase(filter: "endsWith(mail,'@fabrikam.com')", advanced: true, ids: ["u-dave"]),
    FilterCase(
      filter: "proxyAddresses/any(p:endsWith(p,'fabrikam.com'))", advanced: true, ids: ["u-dave"]),
    FilterCase(filter: "onPremisesSyncEnabled ne true", advanced: false, ids: nil),
    FilterCase(
      filter: "onPremisesSyncEnabled ne true and startsWith(userPrincipalName,'e')",
      advanced: true, ids: []),
    FilterCase(
      filter: "not(startsWith(userPrincipalName,'u')) and userPrincipalName ne 'frank@contoso.com'",
      advanced: true, ids: ["u-alice", "u-bob", "u-carol", "u-dave", "u-erin"]),
    FilterCase(filter: "onPremisesSamAccountName eq 'erin'", advanced: false, ids: nil),
    FilterCase(filter: "onPremisesSamAccountName eq 'erin'", advanced: true, ids: ["u-erin"]),
    FilterCase(
      filter:
        "onPremisesLastSyncDateTime ge 2026-01-01T00:00:00Z and onPremisesLastSyncDateTime le 2026-12-31T00:00:00Z",
      advanced: false, ids: ["u-erin"]),
    FilterCase(
      filter: "id in ('u-alice','u-carol')", advanced: false, ids: ["u-alice", "u-carol"]),
  ]

  @Test(arguments: filterCases)
  func filterOperatorsAndTheAdvancedQuerySplit(_ item: FilterCase) async throws {
    var document = TestTenant.document()
    var users = document["users"] as! [[String: Any]]
    let erin = users.firstIndex { $0["id"] as? String == "u-erin" }!
    users[erin]["onPremisesSamAccountName"] = "erin"
    users[erin]["onPremisesLastSyncDateTime"] = "2026-06-01T10:00:00Z"
    document["users"] = users
    try await Emulator.run(state: TestTenant.data(document)) { emulator in
      let token = try await emulator.token()
      let count = item.advanced ? "&$count=true" : ""
      let reply = try await emulator.call(
        "GET", "/v1.0/users?$filter=\(q(item.filter))\(count)", token: token,
        headers: item.advanced ? ["ConsistencyLevel": "eventual"] : [:])
      if let ids = item.ids {
        #expect(reply.status == 200, "\(reply.text)")
        #expect(reply.values.compactMap { $0["id"] as? String }.sorted() == ids.sorted())
      } else {
        #expect(reply.status == 400)
        #expect(reply.errorCode == "Request_UnsupportedQuery")
      }
    }
  }

  @Test func contextCarriesTheSelectSuffix() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let list = try await emulator.call(
        "GET", "/v1.0/users?$select=id,displayName", token: token)
      #expect(
        (list.object["@odata.context"] as? String)?.hasSuffix("$metadata#users(id,displayName)")
          == true)
      let one = try await emulator.call(
        "GET", "/v1.0/users/u-alice?$select=id,displayName", token: token)
      #expect(
        (one.object["@odata.context"] as? String)?.hasSuffix(
          "$metadata#users(id,displayName)/$entity") == true)
      let plain = try await emulator.call("GET", "/v1.0/users/u-alice", token: token)
      #expect(
        (plain.object["@odata.context"] as? String)?.hasSuffix("$metadata#users/$entity") == true)
    }
  }
}
