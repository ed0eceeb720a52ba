import Foundation
import Testing

@testable import GraphClient

@Suite("Request building")
struct RequestBuildingTests {
  static let userID = "0f4c5a2e-8b1d-4e3a-9c7f-2d6e1b0a9f31"

  func bodyText(_ request: GraphRequest) -> String? {
    request.bodyData.map { String(decoding: $0, as: UTF8.self) }
  }

  @Test("clearing the anchor sends exactly {\"onPremisesImmutableId\":null}")
  func clearIsNull() throws {
    let request = try GraphRequests.patchUser(Self.userID, UserPatch(immutableID: .clear))
    #expect(request.method == .patch)
    #expect(request.path == "/users/\(Self.userID)")
    #expect(request.headers["Content-Type"] == "application/json")
    #expect(request.bodyData == Data(#"{"onPremisesImmutableId":null}"#.utf8))
  }

  @Test(
    "an empty anchor can't be built, so \"\" can't be sent",
    arguments: ["", "a$b", "a_b", "a b", "a\u{0}"])
  func emptyImpossible(value: String) {
    let error = #expect(throws: GraphError.self) { try ImmutableID(value) }
    #expect(error?.kind == .invalidInput)
  }

  @Test(
    "exact bytes of set, UPN, and UPN with anchor",
    arguments: [
      (
        UserPatch(immutableID: .set(try! ImmutableID("Lq9V+0PsRUuGf/ouYy8xAw=="))),
        #"{"onPremisesImmutableId":"Lq9V+0PsRUuGf/ouYy8xAw=="}"#
      ),
      (
        UserPatch(userPrincipalName: "alton@contoso.onmicrosoft.com"),
        #"{"userPrincipalName":"alton@contoso.onmicrosoft.com"}"#
      ),
      (
        UserPatch(
          immutableID: .set(try! ImmutableID("MjYwMDUx")), userPrincipalName: "alton@example.com"),
        #"{"onPremisesImmutableId":"MjYwMDUx","userPrincipalName":"alton@example.com"}"#
      ),
      (
        UserPatch(immutableID: .clear, userPrincipalName: "alton@contoso.onmicrosoft.com"),
        #"{"onPremisesImmutableId":null,"userPrincipalName":"alton@contoso.onmicrosoft.com"}"#
      ),
    ])
  func patchBytes(patch: UserPatch, expected: String) throws {
    #expect(bodyText(try GraphRequests.patchUser(Self.userID, patch)) == expected)
  }

  @Test("an empty patch and malformed ids are refused before sending")
  func badPatches() {
    #expect(throws: GraphError.self) { try GraphRequests.patchUser(Self.userID, UserPatch()) }
    for bad in ["", "not-a-guid", "alias@", "@contoso.com", "a/b@contoso.com", "a b@contoso.com"] {
      let error = #expect(throws: GraphError.self) {
        try GraphRequests.patchUser(bad, UserPatch(immutableID: .clear))
      }
      #expect(error?.kind == .invalidInput)
      #expect(error?.message.contains("\"\(bad)\"") == true)
    }
    #expect(throws: GraphError.self) { try GraphRequests.deleteGroup("group-1") }
  }

  @Test("UPN path segments are percent-encoded")
  func upnPath() throws {
    let request = try GraphRequests.user("o'neil#2@contoso.com", select: ["id"])
    #expect(request.path == "/users/o%27neil%232@contoso.com?$select=id")
  }

  @Test(
    "OData string literals double embedded quotes",
    arguments: [
      ("abc", "'abc'"), ("o'neil", "'o''neil'"), ("''", "''''''"), ("a=b+c/d", "'a=b+c/d'"),
    ])
  func literals(value: String, expected: String) {
    #expect(OData.literal(value) == expected)
  }

  @Test("the uniqueness lookup filters by the escaped anchor")
  func uniquenessQuery() {
    let request = GraphRequests.usersWithImmutableID(
      "x'y+z/==", select: ["id", "onPremisesImmutableId"])
    #expect(
      request.path
        == "/users?$filter=onPremisesImmutableId%20eq%20%27x%27%27y%2Bz%2F%3D%3D%27&$select=id,onPremisesImmutableId"
    )
    #expect(request.headers["ConsistencyLevel"] == nil)
  }

  @Test("list requests ask for $select and $top=999")
  func listQueries() {
    #expect(
      GraphRequests.listUsers().path
        == "/users?$select=id,userPrincipalName,mail,proxyAddresses,onPremisesImmutableId,"
        + "onPremisesSyncEnabled,accountEnabled,displayName,mailNickname&$top=999")
    #expect(GraphRequests.listUsers(select: ["id"], top: 5000).path == "/users?$select=id&$top=999")
    #expect(GraphRequests.usersDelta(select: ["id"]).path == "/users/delta?$select=id")
    #expect(
      GraphRequests.roleAssignments().path.hasPrefix(
        "/roleManagement/directory/roleAssignments?$select="))
  }

  @Test("group creation bodies for the two writable kinds")
  func groupBodies() throws {
    let security = try GraphRequests.createGroup(
      NewGroup(kind: .security, displayName: "Finance", mailNickname: "finance"))
    #expect(
      bodyText(security)
        == #"{"displayName":"Finance","groupTypes":[],"mailEnabled":false,"mailNickname":"finance","securityEnabled":true}"#
    )
    let unified = try GraphRequests.createGroup(
      NewGroup(
        kind: .microsoft365(securityEnabled: false), displayName: "Team", mailNickname: "team"))
    #expect(
      bodyText(unified)
        == #"{"displayName":"Team","groupTypes":["Unified"],"mailEnabled":true,"mailNickname":"team","securityEnabled":false}"#
    )
    #expect(throws: GraphError.self) {
      try GraphRequests.createGroup(
        NewGroup(kind: .security, displayName: "X", mailNickname: "has space"))
    }
    let clearDescription = try GraphRequests.patchGroup(
      "7d3e2a10-0000-4000-8000-000000000001", GroupPatch(description: .some(nil)))
    #expect(bodyText(clearDescription) == #"{"description":null}"#)
  }

  @Test("member $ref add and remove")
  func memberRefs() throws {
    let group = "7d3e2a10-0000-4000-8000-000000000001"
    let add = try GraphRequests.addGroupRelation(
      .members, groupID: group, memberID: Self.userID, apiBase: "https://graph.microsoft.com/v1.0")
    #expect(add.method == .post)
    #expect(add.path == "/groups/\(group)/members/$ref")
    #expect(
      bodyText(add)
        == #"{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/\#(Self.userID)"}"#)
    let remove = try GraphRequests.removeGroupRelation(
      .owners, groupID: group, memberID: Self.userID)
    #expect(remove.method == .delete)
    #expect(remove.path == "/groups/\(group)/owners/\(Self.userID)/$ref")
  }

  /// Paths are relative to the API base, which already ends in `/v1.0`.
  @Test("the tenant-flags read is a GET of /directory/onPremisesSynchronization")
  func synchronizationFeaturesRequest() {
    let request = GraphRequests.onPremisesSynchronization()
    #expect(request.method == .get)
    #expect(request.path == "/directory/onPremisesSynchronization")
    #expect(request.body == nil)
  }
}
