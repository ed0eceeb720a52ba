import Foundation
import Testing

@testable import GraphClient

@Suite("Request building: group migration")
struct GroupAccessRequestTests {
  static let group = "22222222-3333-4444-5555-666666666666"
  static let apiBase = "https://graph.microsoft.us/v1.0"

  static func id(_ index: Int) -> String {
    "00000000-0000-4000-8000-" + String(format: "%012d", index)
  }

  func body(_ request: GraphRequest) throws -> [String: Any] {
    let data = try #require(request.bodyData)
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  @Test("owners bind first, 20 relationships at most; the rest are left for $ref, duplicates once")
  func bindsOwnersFirst() throws {
    let owners = (1...3).map(Self.id)
    let members = (4...28).map(Self.id) + [Self.id(4).uppercased()]
    let group = NewGroup(
      kind: .security, displayName: "Restored", mailNickname: "restored", memberIDs: members,
      ownerIDs: owners)
    let request = try GraphRequests.createGroup(group, apiBase: Self.apiBase)
    let object = try body(request)
    #expect(
      object["owners@odata.bind"] as? [String]
        == owners.map {
          "\(Self.apiBase)/directoryObjects/\($0)"
        })
    #expect(
      object["members@odata.bind"] as? [String]
        == (4...20).map {
          "\(Self.apiBase)/directoryObjects/\(Self.id($0))"
        })
    let later = try group.relationshipsAfterCreation()
    #expect(later.map(\.id) == (21...28).map(Self.id))
    #expect(later.allSatisfy { $0.relation == .members })
  }

  @Test("a group without members or owners sends no bind keys")
  func noBinds() throws {
    let object = try body(
      try GraphRequests.createGroup(
        NewGroup(kind: .security, displayName: "Empty", mailNickname: "empty")))
    #expect(object.keys.allSatisfy { !$0.contains("@odata.bind") })
  }

  @Test(
    "malformed ids are refused, naming the value",
    arguments: [
      (NewGroup(kind: .security, displayName: "A", mailNickname: "a", memberIDs: ["bob"]), "bob"),
      (
        NewGroup(
          kind: .security, displayName: "A", mailNickname: "a",
          ownerIDs: ["", GroupAccessRequestTests.id(1)]),
        "owner id \"\""
      ),
    ])
  func badRelationshipIDs(group: NewGroup, named: String) {
    let error = #expect(throws: GraphError.self) { try GraphRequests.createGroup(group) }
    #expect(error?.kind == .invalidInput)
    #expect(error?.message.contains(named) == true)
  }

  @Test("assignLicense, app role and sync behaviour bodies, byte for byte")
  func exactBodies() throws {
    let license = try GraphRequests.assignLicenses(
      toGroup: Self.group,
      add: [GraphAssignedLicense(skuId: Self.id(1).uppercased(), disabledPlans: [Self.id(2)])],
      remove: [Self.id(3)])
    #expect(license.method == .post)
    #expect(license.path == "/groups/\(Self.group)/assignLicense")
    #expect(
      license.bodyData
        == Data(
          #"{"addLicenses":[{"disabledPlans":["\#(Self.id(2))"],"skuId":"\#(Self.id(1))"}],"removeLicenses":["\#(Self.id(3))"]}"#
            .utf8))
    let role = try GraphRequests.assignAppRole(
      toGroup: Self.group, resourceId: Self.id(5), appRoleId: Self.id(6))
    #expect(
      role.bodyData
        == Data(
          #"{"appRoleId":"\#(Self.id(6))","principalId":"\#(Self.group)","resourceId":"\#(Self.id(5))"}"#
            .utf8))
    let soa = try GraphRequests.setSyncBehavior(ofGroup: Self.group, isCloudManaged: true)
    #expect(soa.method == .patch)
    #expect(soa.path == "/groups/\(Self.group)/onPremisesSyncBehavior")
    #expect(soa.bodyData == Data(#"{"isCloudManaged":true}"#.utf8))
    let read = try GraphRequests.syncBehavior(ofGroup: Self.group)
    #expect(read.path == "/groups/\(Self.group)/onPremisesSyncBehavior?$select=isCloudManaged")
    let parents = try GraphRequests.parentGroups(of: Self.group)
    #expect(parents.path.hasPrefix("/groups/\(Self.group)/memberOf?$select=id,displayName"))
  }

  @Test(
    "app role assignment ids are base64url text",
    arguments: ["", "a/b", "a b", "a+b", "ab==", "é"])
  func badAssignmentIDs(value: String) {
    let error = #expect(throws: GraphError.self) {
      try GraphRequests.removeAppRoleAssignment(value, fromGroup: Self.group)
    }
    #expect(error?.kind == .invalidInput)
  }

  @Test func goodAssignmentID() throws {
    let id = "QmVmb3JlLWFzc2lnbm1lbnQtb2YtZmluYW5jZS1ncm91cA_-9"
    let request = try GraphRequests.removeAppRoleAssignment(id, fromGroup: Self.group)
    #expect(request.path == "/groups/\(Self.group)/appRoleAssignments/\(id)")
    #expect(request.method == .delete)
  }

  @Test("snapshot fields are documented group properties and decode from Graph's shape")
  func snapshotFields() throws {
    let schema = try OpenAPIConformanceTests.schema("microsoft.graph.group")
    #expect(Set(GraphGroup.snapshotFields).subtracting(schema.keys).isEmpty)
    #expect(Set(GraphGroup.selectFields).isSubset(of: GraphGroup.snapshotFields))
    let json = #"""
      {"id":"g","assignedLicenses":[{"skuId":"s","disabledPlans":null}],
       "resourceProvisioningOptions":["Team"],"onPremisesSecurityIdentifier":"S-1-5-21-1"}
      """#
    let group = try JSONDecoder().decode(GraphGroup.self, from: Data(json.utf8))
    #expect(group.assignedLicenses == [GraphAssignedLicense(skuId: "s", disabledPlans: [])])
    #expect(group.onPremisesSecurityIdentifier == "S-1-5-21-1")
  }
}
