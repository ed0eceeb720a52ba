import Foundation
import TenantEmulator
import Testing

@Suite("Users: listing, $select, $filter, paging")
struct UserQueryTests {
  @Test func defaultPropertiesLeaveOnPremisesAndProxyAddressesOut() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let reply = try await emulator.call("GET", "/v1.0/users", token: token)
      #expect(reply.status == 200)
      let carol = try #require(reply.values.first { $0["id"] as? String == "u-carol" })
      #expect(carol["userPrincipalName"] as? String == "carol@contoso.com")
      #expect(carol["onPremisesImmutableId"] == nil)
      #expect(carol["proxyAddresses"] == nil)
      #expect(carol["onPremisesSyncEnabled"] == nil)
      #expect(carol["businessPhones"] as? [String] == [])
    }
  }

  @Test func selectReturnsExactlyTheSelectedProperties() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let reply = try await emulator.call(
        "GET",
        "/v1.0/users/u-erin?$select=id,userPrincipalName,onPremisesImmutableId,onPremisesSyncEnabled,proxyAddresses,onPremisesSecurityIdentifier",
        token: token)
      #expect(reply.status == 200)
      let object = reply.object
      #expect(object["onPremisesImmutableId"] as? String == TestTenant.erinAnchor)
      #expect(object["onPremisesSyncEnabled"] as? Bool == true)
      #expect(object["proxyAddresses"] as? [String] == ["SMTP:erin@contoso.com"])
      #expect(object["onPremisesSecurityIdentifier"] as? String == "S-1-5-21-1-2-3-1104")
      #expect(object["displayName"] == nil)
      let bad = try await emulator.call("GET", "/v1.0/users?$select=id,immutableId", token: token)
      #expect(bad.status == 400)
    }
  }

  @Test func getByIdOrUserPrincipalNameAndNotFound() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let byUPN = try await emulator.call("GET", "/v1.0/users/carol%40contoso.com", token: token)
      #expect(byUPN.status == 200 && byUPN.object["id"] as? String == "u-carol")
      let byId = try await emulator.call("GET", "/v1.0/users/u-carol", token: token)
      #expect(byId.object["userPrincipalName"] as? String == "carol@contoso.com")
      let missing = try await emulator.call("GET", "/v1.0/users/nobody@contoso.com", token: token)
      #expect(missing.status == 404)
      #expect(missing.errorCode == "Request_ResourceNotFound")
    }
  }

  struct FilterCase: Sendable {
    let filter: String
    let ids: [String]
  }

  static let filters: [FilterCase] = [
    FilterCase(filter: "onPremisesImmutableId eq '\(TestTenant.carolAnchor)'", ids: ["u-carol"]),
    FilterCase(filter: "userPrincipalName eq 'BOB@contoso.com'", ids: ["u-bob"]),
    FilterCase(filter: "mail eq 'dave@fabrikam.com'", ids: ["u-dave"]),
    FilterCase(filter: "proxyAddresses/any(p:p eq 'smtp:alice@contoso.com')", ids: ["u-alice"]),
    FilterCase(filter: "startswith(userPrincipalName,'er')", ids: ["u-erin"]),
    FilterCase(filter: "onPremisesSyncEnabled eq true", ids: ["u-erin"]),
    FilterCase(
      filter: "onPremisesImmutableId in ('\(TestTenant.daveAnchor)','\(TestTenant.erinAnchor)')",
      ids: ["u-dave", "u-erin"]),
    FilterCase(filter: "onPremisesImmutableId eq 'nothing-has-this'", ids: []),
  ]

  @Test(arguments: filters)
  func filterSelectsTheMatchingUsers(_ testCase: FilterCase) async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let reply = try await emulator.call(
        "GET", "/v1.0/users?$filter=\(q(testCase.filter))&$select=id", token: token)
      #expect(reply.status == 200, "\(reply.text)")
      #expect(reply.values.compactMap { $0["id"] as? String }.sorted() == testCase.ids)
    }
  }

  @Test func anUnencodedPlusInAnImmutableIdIsASpaceAsGraphReadsIt() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      // Carol's anchor contains '+'; sent raw, the query decodes it as a space: no match.
      let raw = "onPremisesImmutableId%20eq%20'\(TestTenant.carolAnchor)'"
      let reply = try await emulator.call("GET", "/v1.0/users?$filter=\(raw)", token: token)
      #expect(reply.status == 200)
      #expect(reply.values.isEmpty)
    }
  }

  static let unsupported: [String] = [
    "onPremisesImmutableId eq null", "jobTitle eq 'x'", "endswith(mail,'contoso.com')",
    "onPremisesSyncEnabled eq null",
  ]

  @Test(arguments: unsupported)
  func unsupportedFiltersAreRequestUnsupportedQuery(_ filter: String) async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let reply = try await emulator.call(
        "GET", "/v1.0/users?$filter=\(q(filter))", token: token)
      #expect(reply.status == 400)
      #expect(["Request_UnsupportedQuery", "BadRequest"].contains(reply.errorCode ?? ""))
    }
  }

  @Test(arguments: ["1000", "0", "abc"])
  func topOutsideOneTo999IsRefused(_ top: String) async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let reply = try await emulator.call("GET", "/v1.0/users?$top=\(top)", token: token)
      #expect(reply.status == 400)
      #expect(
        reply.errorMessage
          == "Invalid page size specified: '\(top)'. Must be between 1 and 999 inclusive.")
    }
  }

  @Test func pagingFollowsNextLinksAcrossSeveralPages() async throws {
    try await Emulator.run(state: TestTenant.standard(fillerUsers: 250)) { emulator in
      let token = try await emulator.token()
      var target = "/v1.0/users?$top=40&$select=id,userPrincipalName"
      var seen: [String] = []
      var pages = 0
      while true {
        let reply = try await emulator.call("GET", target, token: token)
        #expect(reply.status == 200)
        pages += 1
        seen += reply.values.compactMap { $0["id"] as? String }
        guard let next = reply.object["@odata.nextLink"] as? String else { break }
        #expect(next.contains("$skiptoken="))
        target = emulator.target(of: next)
      }
      #expect(pages == 7)  // 256 users / 40
      #expect(seen.count == 256)
      #expect(Set(seen).count == 256)

      let firstDefault = try await emulator.call("GET", "/v1.0/users", token: token)
      #expect(firstDefault.values.count == 100)
      let reused = try await emulator.call(
        "GET", "/v1.0/users?$skiptoken=forged-token", token: token)
      #expect(reused.status == 400 && reused.errorCode == "Directory_ExpiredPageToken")
    }
  }

  @Test func countNeedsConsistencyLevelEventual() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let plain = try await emulator.call("GET", "/v1.0/users?$count=true", token: token)
      #expect(plain.status == 400 && plain.errorMessage == "$count is not currently supported.")
      let advanced = try await emulator.call(
        "GET", "/v1.0/users?$count=true", token: token, headers: ["ConsistencyLevel": "eventual"])
      #expect(advanced.status == 200 && advanced.object["@odata.count"] as? Int == 6)
    }
  }
}
