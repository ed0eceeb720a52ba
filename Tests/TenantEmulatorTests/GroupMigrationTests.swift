import Foundation
import TenantEmulator
import Testing

/// The Graph surface group migration needs: parent groups, app role assignments, group-based
/// licences and Group Source of Authority (graph-facts §4).
@Suite("Group migration: memberOf, app roles, licences, source of authority")
struct GroupMigrationTests {
  static let payroll = "5b1c6a2e-7f3d-4e8a-9c0b-1d2e3f4a5b6c"
  static let payrollRole = "0e6a1d2c-3b4f-4a5e-8d7c-6b5a4f3e2d1c"
  static let readerRole = "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d"
  static let e3 = "6fd2c87f-b296-42f0-b197-1e91e994b900"
  static let e5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"
  static let exchangePlan = "efb87545-963c-4e0d-99df-69c6916d9eb0"

  /// The standard tenant plus a parent chain (g-grand ⊃ g-parent ⊃ g-sec, g-other ⊃ g-sec),
  /// an app role assignment on g-sec, a licensed group and a synced distribution list.
  static func document(capabilities: [String: Any]? = nil) -> [String: Any] {
    var document = TestTenant.document()
    var groups = document["groups"] as! [[String: Any]]
    groups[2]["appRoleAssignments"] = [
      [
        "id": "QmVmb3JlLWFzc2lnbm1lbnQtb2YtdnBuLXVzZXJzLWdyb3Vw", "appRoleId": payrollRole,
        "resourceId": payroll, "resourceDisplayName": "Payroll",
        "createdDateTime": "2024-03-01T10:00:00Z",
      ]
    ]
    groups[2]["onPremisesSecurityIdentifier"] = NSNull()
    groups[4]["assignedLicenses"] = [["skuId": e3, "disabledPlans": [exchangePlan]]]
    groups[4]["onPremisesSecurityIdentifier"] = "S-1-5-21-1-2-3-2201"
    groups[4]["onPremisesSamAccountName"] = "HR-Staff"
    groups += [
      TestTenant.group(
        "g-parent", "All Remote", mailEnabled: false, securityEnabled: true, members: ["g-sec"]),
      TestTenant.group(
        "g-grand", "Everyone", mailEnabled: false, securityEnabled: true,
        members: ["g-parent", "u-alice"]),
      TestTenant.group(
        "g-other", "Network Access", mailEnabled: false, securityEnabled: true,
        members: ["g-sec"]),
      TestTenant.group(
        "g-synced-dl", "Synced List", mailEnabled: true, securityEnabled: false,
        members: ["u-erin"], extra: ["onPremisesSyncEnabled": true]),
    ]
    document["groups"] = groups
    if let capabilities { document["capabilities"] = capabilities }
    return document
  }

  static func run<T>(
    capabilities: [String: Any]? = nil, _ body: (Emulator, String) async throws -> T
  ) async throws -> T {
    try await Emulator.run(state: TestTenant.data(document(capabilities: capabilities))) {
      emulator in try await body(emulator, try await emulator.token())
    }
  }

  static func ids(_ reply: HTTPReply) -> [String] {
    reply.values.compactMap { $0["id"] as? String }
  }

  @Test func memberOfListsParentGroupsPageByPage() async throws {
    try await Self.run { emulator, token in
      let first = try await emulator.call(
        "GET", "/v1.0/groups/g-sec/memberOf?$select=id,displayName&$top=1", token: token)
      #expect(first.status == 200, "\(first.text)")
      #expect(first.values.count == 1)
      #expect(first.values.first?["@odata.type"] as? String == "#microsoft.graph.group")
      #expect(
        Set(first.values.first.map { Array($0.keys) } ?? [])
          == ["id", "displayName", "@odata.type"])
      let next = try #require(first.object["@odata.nextLink"] as? String)
      let second = try await emulator.call("GET", emulator.target(of: next), token: token)
      #expect(Set(Self.ids(first) + Self.ids(second)) == ["g-parent", "g-other"])
      #expect(second.object["@odata.nextLink"] == nil)

      let nested = try await emulator.call("GET", "/v1.0/groups/g-parent/memberOf", token: token)
      #expect(Self.ids(nested) == ["g-grand"])
      let top = try await emulator.call("GET", "/v1.0/groups/g-grand/memberOf", token: token)
      #expect(top.status == 200 && top.values.isEmpty)
      let missing = try await emulator.call("GET", "/v1.0/groups/g-none/memberOf", token: token)
      #expect(missing.status == 404)
      let write = try await emulator.call(
        "POST", "/v1.0/groups/g-sec/memberOf", token: token, json: [:])
      #expect(write.status == 405)
    }
  }

  @Test func appRoleAssignmentsAreListedCreatedAndDeleted() async throws {
    try await Self.run { emulator, token in
      let list = try await emulator.call(
        "GET", "/v1.0/groups/g-sec/appRoleAssignments", token: token)
      #expect(list.status == 200 && list.values.count == 1)
      let existing = try #require(list.values.first)
      #expect(existing["principalId"] as? String == "g-sec")
      #expect(existing["principalType"] as? String == "Group")
      #expect(existing["principalDisplayName"] as? String == "VPN Users")
      #expect(existing["resourceDisplayName"] as? String == "Payroll")

      let created = try await emulator.call(
        "POST", "/v1.0/groups/g-sec/appRoleAssignments", token: token,
        json: ["principalId": "g-sec", "resourceId": Self.payroll, "appRoleId": Self.readerRole])
      #expect(created.status == 201, "\(created.text)")
      let id = try #require(created.object["id"] as? String)
      #expect(id.count == 43)
      #expect(created.object["appRoleId"] as? String == Self.readerRole)
      #expect(created.object["resourceDisplayName"] as? String == "Payroll")
      #expect(created.object["createdDateTime"] is String)

      let again = try await emulator.call(
        "POST", "/v1.0/groups/g-sec/appRoleAssignments", token: token,
        json: ["principalId": "g-sec", "resourceId": Self.payroll, "appRoleId": Self.readerRole])
      #expect(again.status == 400 && again.errorCode == "Request_BadRequest")

      let one = try await emulator.call(
        "GET", "/v1.0/groups/g-sec/appRoleAssignments/\(id)?$select=id,appRoleId", token: token)
      #expect(Set(one.object.keys) == ["@odata.context", "id", "appRoleId"])
      let both = try await emulator.call(
        "GET", "/v1.0/groups/g-sec/appRoleAssignments", token: token)
      #expect(Set(Self.ids(both)) == [existing["id"] as! String, id])

      let delete = try await emulator.call(
        "DELETE", "/v1.0/groups/g-sec/appRoleAssignments/\(id)", token: token)
      #expect(delete.status == 204)
      let deleteAgain = try await emulator.call(
        "DELETE", "/v1.0/groups/g-sec/appRoleAssignments/\(id)", token: token)
      #expect(deleteAgain.status == 404 && deleteAgain.errorCode == "Request_ResourceNotFound")
      let after = try await emulator.call(
        "GET", "/v1.0/groups/g-sec/appRoleAssignments", token: token)
      #expect(Self.ids(after) == [existing["id"] as! String])
    }
  }

  static let badAssignments: [(String, [String: String])] = [
    (
      "another principal",
      ["principalId": "u-alice", "resourceId": payroll, "appRoleId": readerRole]
    ),
    ("no principal", ["resourceId": payroll, "appRoleId": readerRole]),
    (
      "resource not a GUID",
      ["principalId": "g-sec", "resourceId": "payroll", "appRoleId": readerRole]
    ),
    ("role not a GUID", ["principalId": "g-sec", "resourceId": payroll, "appRoleId": "reader"]),
  ]

  @Test(arguments: badAssignments)
  func malformedAppRoleAssignmentsAreRefused(_ name: String, _ body: [String: String]) async throws
  {
    try await Self.run { emulator, token in
      let reply = try await emulator.call(
        "POST", "/v1.0/groups/g-sec/appRoleAssignments", token: token, json: body)
      #expect(reply.status == 400 && reply.errorCode == "Request_BadRequest", "\(name)")
      let stored = try await emulator.storedGroup("g-sec")
      #expect((stored?["appRoleAssignments"] as? [Any])?.count == 1)
    }
  }

  @Test func syncedGroupsMayBeAssignedAndLicensed() async throws {
    try await Self.run { emulator, token in
      let assign = try await emulator.call(
        "POST", "/v1.0/groups/g-synced/appRoleAssignments", token: token,
        json: [
          "principalId": "g-synced", "resourceId": Self.payroll, "appRoleId": Self.payrollRole,
        ])
      #expect(assign.status == 201, "\(assign.text)")
      let license = try await emulator.call(
        "POST", "/v1.0/groups/g-synced/assignLicense", token: token,
        json: ["addLicenses": [["skuId": Self.e5, "disabledPlans": []]], "removeLicenses": []])
      #expect(license.status == 200, "\(license.text)")
    }
  }

  @Test func assignLicenseAddsReplacesAndRemoves() async throws {
    try await Self.run { emulator, token in
      let add = try await emulator.call(
        "POST", "/v1.0/groups/g-sec/assignLicense", token: token,
        json: [
          "addLicenses": [["skuId": Self.e3, "disabledPlans": [Self.exchangePlan]]],
          "removeLicenses": [],
        ])
      #expect(add.status == 200, "\(add.text)")
      #expect(add.object["id"] as? String == "g-sec")
      let swap = try await emulator.call(
        "POST", "/v1.0/groups/g-sec/assignLicense", token: token,
        json: [
          "addLicenses": [["skuId": Self.e5, "disabledPlans": []]], "removeLicenses": [Self.e3],
        ])
      #expect(swap.status == 200)
      let read = try await emulator.call(
        "GET", "/v1.0/groups/g-sec?$select=id,assignedLicenses", token: token)
      let licenses = read.object["assignedLicenses"] as? [[String: Any]]
      #expect(licenses?.count == 1)
      #expect(licenses?.first?["skuId"] as? String == Self.e5)
      #expect(licenses?.first?["disabledPlans"] as? [String] == [])

      let notHeld = try await emulator.call(
        "POST", "/v1.0/groups/g-sec/assignLicense", token: token,
        json: ["addLicenses": [], "removeLicenses": [Self.e3]])
      #expect(notHeld.status == 400)
      let missing = try await emulator.call(
        "POST", "/v1.0/groups/g-sec/assignLicense", token: token,
        json: ["addLicenses": [["skuId": Self.e3]]])
      #expect(missing.status == 400 && missing.errorMessage?.contains("removeLicenses") == true)
      let badSku = try await emulator.call(
        "POST", "/v1.0/groups/g-sec/assignLicense", token: token,
        json: ["addLicenses": [["skuId": "E3"]], "removeLicenses": []])
      #expect(badSku.status == 400)
      let patch = try await emulator.call(
        "PATCH", "/v1.0/groups/g-sec", token: token,
        json: ["assignedLicenses": [["skuId": Self.e3, "disabledPlans": []]]])
      #expect(patch.status == 400 && patch.errorMessage?.contains("read-only") == true)
    }
  }

  @Test(arguments: ["g-dl", "g-m365"])
  func groupsThatAreNotSecurityEnabledCannotHoldLicences(_ id: String) async throws {
    try await Self.run { emulator, token in
      let reply = try await emulator.call(
        "POST", "/v1.0/groups/\(id)/assignLicense", token: token,
        json: ["addLicenses": [["skuId": Self.e3, "disabledPlans": []]], "removeLicenses": []])
      #expect(reply.status == 400 && reply.errorCode == "Request_BadRequest")
      #expect(try await emulator.storedGroup(id)?["assignedLicenses"] == nil)
    }
  }

  @Test func sourceOfAuthorityMovesASyncedGroupToTheCloudAndBack() async throws {
    try await Self.run { emulator, token in
      let path = "/v1.0/groups/g-synced/onPremisesSyncBehavior"
      let before = try await emulator.call("GET", path + "?$select=isCloudManaged", token: token)
      #expect(before.status == 200, "\(before.text)")
      #expect(before.object["isCloudManaged"] as? Bool == false)
      #expect(before.object["id"] == nil)
      let refused = try await emulator.call(
        "PATCH", "/v1.0/groups/g-synced", token: token, json: ["description": "cloud now"])
      #expect(refused.status == 400)

      let convert = try await emulator.call(
        "PATCH", path, token: token, json: ["isCloudManaged": true])
      #expect(convert.status == 204, "\(convert.text)")
      let after = try await emulator.call("GET", path, token: token)
      #expect(after.object["isCloudManaged"] as? Bool == true)
      #expect(after.object["id"] as? String == "g-synced")
      let beta = try await emulator.call(
        "GET", "/beta/groups/g-synced/onPremisesSyncBehavior", token: token)
      #expect(beta.status == 200 && beta.object["isCloudManaged"] as? Bool == true)
      #expect((beta.object["@odata.context"] as? String)?.contains("/beta/") == true)
      let group = try await emulator.call(
        "GET", "/v1.0/groups/g-synced?$select=id,onPremisesSyncEnabled", token: token)
      #expect(group.object["onPremisesSyncEnabled"] is NSNull)
      let writable = try await emulator.call(
        "PATCH", "/v1.0/groups/g-synced", token: token, json: ["description": "cloud now"])
      #expect(writable.status == 204, "\(writable.text)")
      let member = try await emulator.call(
        "POST", "/v1.0/groups/g-synced/members/$ref", token: token,
        json: ["@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/u-alice"])
      #expect(member.status == 204)

      let rollback = try await emulator.call(
        "PATCH", "/beta/groups/g-synced/onPremisesSyncBehavior", token: token,
        json: ["isCloudManaged": false])
      #expect(rollback.status == 204)
      let synced = try await emulator.call(
        "GET", "/v1.0/groups/g-synced?$select=id,onPremisesSyncEnabled", token: token)
      #expect(synced.object["onPremisesSyncEnabled"] as? Bool == true)
      let readOnlyAgain = try await emulator.call(
        "PATCH", "/v1.0/groups/g-synced", token: token, json: ["description": "x"])
      #expect(readOnlyAgain.status == 400)
      let otherBeta = try await emulator.call("GET", "/beta/groups/g-synced", token: token)
      #expect(otherBeta.status == 400)
    }
  }

  @Test func aConvertedDistributionListStaysExchangeManaged() async throws {
    try await Self.run { emulator, token in
      let convert = try await emulator.call(
        "PATCH", "/v1.0/groups/g-synced-dl/onPremisesSyncBehavior", token: token,
        json: ["isCloudManaged": true])
      #expect(convert.status == 204)
      let patch = try await emulator.call(
        "PATCH", "/v1.0/groups/g-synced-dl", token: token, json: ["description": "x"])
      #expect(patch.status == 400 && patch.errorCode == "Request_BadRequest")
      let delete = try await emulator.call("DELETE", "/v1.0/groups/g-synced-dl", token: token)
      #expect(delete.status == 400)
      let dl = try await emulator.call("DELETE", "/v1.0/groups/g-dl", token: token)
      #expect(dl.status == 400)
      #expect(try await emulator.storedGroup("g-synced-dl") != nil)
      #expect(try await emulator.storedGroup("g-dl") != nil)
    }
  }

  @Test func sourceOfAuthorityRefusesCloudGroupsAndBadBodies() async throws {
    try await Self.run { emulator, token in
      let cloud = try await emulator.call(
        "GET", "/v1.0/groups/g-sec/onPremisesSyncBehavior", token: token)
      #expect(cloud.object["isCloudManaged"] as? Bool == false)
      let convert = try await emulator.call(
        "PATCH", "/v1.0/groups/g-sec/onPremisesSyncBehavior", token: token,
        json: ["isCloudManaged": true])
      #expect(convert.status == 400)
      for body: [String: Any] in [["isCloudManaged": "yes"], ["blockSync": true], [:]] {
        let reply = try await emulator.call(
          "PATCH", "/v1.0/groups/g-synced/onPremisesSyncBehavior", token: token, json: body)
        #expect(reply.status == 400, "\(body)")
      }
      let select = try await emulator.call(
        "GET", "/v1.0/groups/g-synced/onPremisesSyncBehavior?$select=isManaged", token: token)
      #expect(select.status == 400)
    }
  }

  @Test func tenantsWithoutGroupSourceOfAuthorityDoNotKnowTheSegment() async throws {
    try await Self.run(capabilities: ["groupSourceOfAuthority": false]) { emulator, token in
      for (method, body) in [("GET", nil), ("PATCH", ["isCloudManaged": true] as [String: Any]?)] {
        let reply = try await emulator.call(
          method, "/v1.0/groups/g-synced/onPremisesSyncBehavior", token: token, json: body)
        #expect(reply.status == 400 && reply.errorCode == "BadRequest", "\(method)")
        #expect(
          reply.errorMessage == "Resource not found for the segment 'onPremisesSyncBehavior'.")
      }
      #expect(try await emulator.storedGroup("g-synced")?["onPremisesSyncEnabled"] as? Bool == true)
    }
  }

  @Test func deletingAGroupRemovesItFromParentsAndDropsItsAssignments() async throws {
    try await Self.run { emulator, token in
      let delete = try await emulator.call("DELETE", "/v1.0/groups/g-sec", token: token)
      #expect(delete.status == 204)
      let parents = try await emulator.call("GET", "/v1.0/groups/g-parent/members", token: token)
      #expect(parents.values.isEmpty)
      let text = String(decoding: try await emulator.server.stateJSON(), as: UTF8.self)
      #expect(!text.contains("QmVmb3JlLWFzc2lnbm1lbnQtb2YtdnBuLXVzZXJzLWdyb3Vw"))
      let gone = try await emulator.call(
        "GET", "/v1.0/groups/g-sec/appRoleAssignments", token: token)
      #expect(gone.status == 404)
    }
  }

  @Test func groupsSelectTheMigrationProperties() async throws {
    let names = [
      "onPremisesSecurityIdentifier", "onPremisesSamAccountName", "assignedLicenses",
      "classification", "preferredLanguage", "isAssignableToRole", "membershipRule",
      "membershipRuleProcessingState", "resourceProvisioningOptions", "visibility", "description",
      "mailNickname", "createdDateTime",
    ]
    try await Self.run { emulator, token in
      let select = (["id"] + names).joined(separator: ",")
      let one = try await emulator.call(
        "GET", "/v1.0/groups/g-synced?$select=\(select)", token: token)
      #expect(one.status == 200, "\(one.text)")
      #expect(Set(one.object.keys) == Set(names + ["id", "@odata.context"]))
      #expect(one.object["onPremisesSecurityIdentifier"] as? String == "S-1-5-21-1-2-3-2201")
      #expect(one.object["onPremisesSamAccountName"] as? String == "HR-Staff")
      #expect(
        (one.object["assignedLicenses"] as? [[String: Any]])?.first?["skuId"] as? String == Self.e3)
      #expect(one.object["resourceProvisioningOptions"] as? [Any] != nil)
      let list = try await emulator.call("GET", "/v1.0/groups?$select=\(select)", token: token)
      #expect(list.values.count == 9)
      #expect(list.values.allSatisfy { Set($0.keys) == Set(names + ["id"]) })
    }
  }

  @Test func theStateRoundTripsTheNewFields() async throws {
    try await Self.run(capabilities: ["groupSourceOfAuthority": true]) { emulator, token in
      _ = try await emulator.call(
        "PATCH", "/v1.0/groups/g-synced/onPremisesSyncBehavior", token: token,
        json: ["isCloudManaged": true])
      _ = try await emulator.call(
        "POST", "/v1.0/groups/g-sec/appRoleAssignments", token: token,
        json: ["principalId": "g-sec", "resourceId": Self.payroll, "appRoleId": Self.readerRole])
      _ = try await emulator.call(
        "POST", "/v1.0/groups/g-sec/assignLicense", token: token,
        json: ["addLicenses": [["skuId": Self.e5, "disabledPlans": []]], "removeLicenses": []])
      let exported = try await emulator.server.stateJSON()
      let root = try #require(try JSONSerialization.jsonObject(with: exported) as? [String: Any])
      #expect(root["capabilities"] as? [String: Bool] == ["groupSourceOfAuthority": true])

      let copy = Emulator(server: try await TenantEmulatorServer.start(stateJSON: exported))
      let sec = try #require(try await copy.storedGroup("g-sec"))
      #expect((sec["appRoleAssignments"] as? [Any])?.count == 2)
      #expect((sec["assignedLicenses"] as? [[String: Any]])?.first?["skuId"] as? String == Self.e5)
      let synced = try #require(try await copy.storedGroup("g-synced"))
      #expect(synced["onPremisesSyncBehavior"] as? [String: Bool] == ["isCloudManaged": true])
      #expect(synced["onPremisesSyncEnabled"] is NSNull)
      let copyToken = try await copy.token()
      let behavior = try await copy.call(
        "GET", "/v1.0/groups/g-synced/onPremisesSyncBehavior", token: copyToken)
      #expect(behavior.object["isCloudManaged"] as? Bool == true)
      let reExported = try await copy.server.stateJSON()
      #expect(
        try JSONSerialization.jsonObject(with: reExported) as? NSDictionary
          == JSONSerialization.jsonObject(with: exported) as? NSDictionary)
      try await copy.server.shutdown()
    }
  }

  static func mutateGroup(_ index: Int, _ key: String, _ value: Any)
    -> @Sendable (inout [String: Any]) -> Void
  {
    let box = SendableBox(value)
    return { document in
      var groups = document["groups"] as! [[String: Any]]
      groups[index][key] = box.value
      document["groups"] = groups
    }
  }

  static let badStates: [StateTests.BadState] = [
    .init(
      description: "licences not an array", path: "$.groups[2].assignedLicenses",
      mutate: mutateGroup(2, "assignedLicenses", ["skuId": e3])),
    .init(
      description: "licence skuId not a GUID", path: "$.groups[2].assignedLicenses[0].skuId",
      mutate: mutateGroup(2, "assignedLicenses", [["skuId": "ENTERPRISEPACK"]])),
    .init(
      description: "disabled plan not a GUID",
      path: "$.groups[2].assignedLicenses[0].disabledPlans[0]",
      mutate: mutateGroup(2, "assignedLicenses", [["skuId": e3, "disabledPlans": ["EXCHANGE"]]])),
    .init(
      description: "unknown licence key", path: "$.groups[2].assignedLicenses[0].sku",
      mutate: mutateGroup(2, "assignedLicenses", [["skuId": e3, "sku": "E3"]])),
    .init(
      description: "assignment for another principal",
      path: "$.groups[2].appRoleAssignments[0].principalId",
      mutate: mutateGroup(
        2, "appRoleAssignments",
        [["id": "a1", "appRoleId": readerRole, "resourceId": payroll, "principalId": "u-alice"]])),
    .init(
      description: "assignment without resource",
      path: "$.groups[2].appRoleAssignments[0].resourceId",
      mutate: mutateGroup(2, "appRoleAssignments", [["id": "a1", "appRoleId": readerRole]])),
    .init(
      description: "sync behavior without flag",
      path: "$.groups[4].onPremisesSyncBehavior.isCloudManaged",
      mutate: mutateGroup(4, "onPremisesSyncBehavior", [:] as [String: Any])),
    .init(
      description: "unknown capability", path: "$.capabilities.groupSOA",
      mutate: { $0["capabilities"] = ["groupSOA": true] }),
    .init(
      description: "capability not a boolean", path: "$.capabilities.groupSourceOfAuthority",
      mutate: { $0["capabilities"] = ["groupSourceOfAuthority": "yes"] }),
  ]

  @Test(arguments: badStates)
  func malformedMigrationStateNamesTheJSONPath(_ bad: StateTests.BadState) async throws {
    var document = TestTenant.document()
    bad.mutate(&document)
    let error = await #expect(throws: TenantEmulatorError.self) {
      let server = try await TenantEmulatorServer.start(stateJSON: TestTenant.data(document))
      try await server.shutdown()
    }
    guard case .some(.invalidState(let path, _)) = error else {
      Issue.record("unexpected \(String(describing: error))")
      return
    }
    #expect(path == bad.path, "\(String(describing: error))")
  }
}
