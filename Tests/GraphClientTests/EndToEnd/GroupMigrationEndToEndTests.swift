import Foundation
import GraphClient
import Testing

@Suite("E2E: group migration surface", .serialized)
struct GroupMigrationEndToEndTests {
  static let finance = EmulatorTenant.groupID(1)
  static let allStaff = EmulatorTenant.groupID(2)
  static let hr = EmulatorTenant.groupID(3)
  static let salesList = EmulatorTenant.groupID(4)
  static let team = EmulatorTenant.groupID(5)
  static let payroll = "5b1c6a2e-7f3d-4e8a-9c0b-1d2e3f4a5b6c"
  static let payrollRole = "0e6a1d2c-3b4f-4a5e-8d7c-6b5a4f3e2d1c"
  static let readerRole = "7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d"
  static let e3 = "6fd2c87f-b296-42f0-b197-1e91e994b900"
  static let e5 = "06ebc4ee-1bb5-47dd-8120-11324bc54e06"
  static let exchangePlan = "efb87545-963c-4e0d-99df-69c6916d9eb0"
  static let assignment = "QmVmb3JlLWFzc2lnbm1lbnQtb2YtZmluYW5jZS1ncm91cA"

  /// Hand-written groups: a licensed cloud security group with an app role, its parent, a synced
  /// group, a distribution list and a dynamic team.
  static let groups = [
    #"""
    {"id":"\#(finance)","displayName":"Finance","mailNickname":"finance","mailEnabled":false,
     "securityEnabled":true,"groupTypes":[],"members":["\#(EmulatorTenant.userID(1))"],
     "classification":"Internal","preferredLanguage":"en-GB","createdDateTime":"2023-01-02T03:04:05Z",
     "assignedLicenses":[{"skuId":"\#(e3)","disabledPlans":["\#(exchangePlan)"]}],
     "appRoleAssignments":[{"id":"\#(assignment)","appRoleId":"\#(payrollRole)",
       "resourceId":"\#(payroll)","resourceDisplayName":"Payroll"}]}
    """#,
    #"""
    {"id":"\#(allStaff)","displayName":"All Staff","mailNickname":"allstaff","mailEnabled":false,
     "securityEnabled":true,"members":["\#(finance)"]}
    """#,
    #"""
    {"id":"\#(hr)","displayName":"HR","mailNickname":"hr","mailEnabled":false,"securityEnabled":true,
     "onPremisesSyncEnabled":true,"onPremisesSecurityIdentifier":"S-1-5-21-7-8-9-1201",
     "onPremisesSamAccountName":"HR","members":["\#(EmulatorTenant.userID(2))"]}
    """#,
    #"""
    {"id":"\#(salesList)","displayName":"Sales","mailNickname":"sales","mailEnabled":true,
     "securityEnabled":false,"mail":"sales@contoso.onmicrosoft.com"}
    """#,
    #"""
    {"id":"\#(team)","displayName":"Sales Team","mailNickname":"salesteam","mailEnabled":true,
     "securityEnabled":false,"groupTypes":["Unified","DynamicMembership"],"visibility":"Private",
     "membershipRule":"user.department -eq \"Sales\"","membershipRuleProcessingState":"On",
     "resourceProvisioningOptions":["Team"]}
    """#,
  ]

  static func state(users: ClosedRange<Int> = 1...3, soa: Bool? = nil) -> String {
    let text = EmulatorTenant.state(users: EmulatorTenant.users(users), groups: groups)
    guard let soa else { return text }
    return text.replacingOccurrences(
      of: #""features":{},"#,
      with: #""features":{},"capabilities":{"groupSourceOfAuthority":\#(soa)},"#)
  }

  @Test("a snapshot GET reads every property a rebuild needs; listings carry the SID")
  func snapshot() async throws {
    try await EmulatorTenant.run(state: Self.state()) { client, server in
      let finance = try await client.group(Self.finance, select: GraphGroup.snapshotFields)
      #expect(finance.classification == "Internal")
      #expect(finance.preferredLanguage == "en-GB")
      #expect(finance.createdDateTime == "2023-01-02T03:04:05Z")
      #expect(
        finance.assignedLicenses == [
          GraphAssignedLicense(skuId: Self.e3, disabledPlans: [Self.exchangePlan])
        ])
      let hr = try await client.group(Self.hr, select: GraphGroup.snapshotFields)
      #expect(hr.onPremisesSecurityIdentifier == "S-1-5-21-7-8-9-1201")
      #expect(hr.onPremisesSamAccountName == "HR")
      #expect(hr.onPremisesSyncEnabled == true)
      let team = try await client.group(Self.team, select: GraphGroup.snapshotFields)
      #expect(team.membershipRule == #"user.department -eq "Sales""#)
      #expect(team.membershipRuleProcessingState == "On")
      #expect(team.resourceProvisioningOptions == ["Team"])
      #expect(team.visibility == "Private")
      #expect(team.assignedLicenses == [])

      let snapshotGet = await server.requestLog().first { $0.target.contains(Self.team) }
      #expect(snapshotGet?.target.contains("membershipRuleProcessingState") == true)
      let listed = try await client.groups().collect()
      #expect(listed.count == 5)
      #expect(
        listed.first { $0.id == Self.hr }?.onPremisesSecurityIdentifier == "S-1-5-21-7-8-9-1201")
    }
  }

  @Test("parent groups come from memberOf")
  func parents() async throws {
    try await EmulatorTenant.run(state: Self.state()) { client, _ in
      let parents = try await client.parentGroups(ofGroup: Self.finance).collect()
      #expect(parents.map(\.id) == [Self.allStaff])
      #expect(parents.first?.odataType == "#microsoft.graph.group")
      #expect(parents.first?.displayName == "All Staff")
      #expect(try await client.parentGroups(ofGroup: Self.allStaff).collect().isEmpty)
      let bad = #expect(throws: GraphError.self) { try client.parentGroups(ofGroup: "finance") }
      #expect(bad?.kind == .invalidInput)
    }
  }

  @Test("app role assignments: list, assign, remove; bad ids never reach the wire")
  func appRoles() async throws {
    try await EmulatorTenant.run(state: Self.state()) { client, server in
      let before = try await client.appRoleAssignments(ofGroup: Self.finance).collect()
      #expect(before.map(\.id) == [Self.assignment])
      #expect(before.first?.resourceDisplayName == "Payroll")
      #expect(before.first?.principalType == "Group")
      #expect(before.first?.principalId == Self.finance)

      let created = try await client.assignAppRole(
        toGroup: Self.finance, resourceId: Self.payroll, appRoleId: Self.readerRole)
      #expect(created.principalId == Self.finance)
      #expect(created.appRoleId == Self.readerRole)
      #expect(created.resourceId == Self.payroll)
      #expect(created.principalDisplayName == "Finance")
      #expect(created.createdDateTime != nil)
      let both = try await client.appRoleAssignments(ofGroup: Self.finance).collect()
      #expect(Set(both.map(\.id)) == [Self.assignment, created.id])

      try await client.removeAppRoleAssignment(created.id, fromGroup: Self.finance)
      #expect(
        try await client.appRoleAssignments(ofGroup: Self.finance).collect().map(\.id) == [
          Self.assignment
        ])
      let gone = await #expect(throws: GraphError.self) {
        try await client.removeAppRoleAssignment(created.id, fromGroup: Self.finance)
      }
      #expect(gone?.status == 404)

      let sentBefore = await server.requestLog().count
      let badResource = await #expect(throws: GraphError.self) {
        try await client.assignAppRole(
          toGroup: Self.finance, resourceId: "payroll", appRoleId: Self.readerRole)
      }
      #expect(badResource?.kind == .invalidInput)
      #expect(badResource?.message.contains(#"resourceId "payroll""#) == true)
      let badAssignment = await #expect(throws: GraphError.self) {
        try await client.removeAppRoleAssignment("a/b", fromGroup: Self.finance)
      }
      #expect(badAssignment?.message.contains(#""a/b""#) == true)
      #expect(await server.requestLog().count == sentBefore)
    }
  }

  @Test("group-based licences: swap a SKU, read it back; a distribution list is refused")
  func licences() async throws {
    try await EmulatorTenant.run(state: Self.state()) { client, server in
      let returned = try await client.assignLicenses(
        toGroup: Self.finance, add: [GraphAssignedLicense(skuId: Self.e5)], remove: [Self.e3])
      #expect(returned.id == Self.finance)
      let body = await server.requestLog().last { $0.target.hasSuffix("/assignLicense") }?.body
      #expect(
        body
          == #"{"addLicenses":[{"disabledPlans":[],"skuId":"\#(Self.e5)"}],"removeLicenses":["\#(Self.e3)"]}"#
      )
      let after = try await client.group(Self.finance, select: GraphGroup.snapshotFields)
      #expect(after.assignedLicenses == [GraphAssignedLicense(skuId: Self.e5, disabledPlans: [])])

      let refused = await #expect(throws: GraphError.self) {
        try await client.assignLicenses(
          toGroup: Self.salesList, add: [GraphAssignedLicense(skuId: Self.e3)], remove: [])
      }
      #expect(refused?.status == 400)
      #expect(refused?.code == "Request_BadRequest")
      let badSku = await #expect(throws: GraphError.self) {
        try await client.assignLicenses(
          toGroup: Self.finance, add: [GraphAssignedLicense(skuId: "ENTERPRISEPACK")], remove: [])
      }
      #expect(badSku?.kind == .invalidInput)
      #expect(badSku?.message.contains("ENTERPRISEPACK") == true)
      let nothing = await #expect(throws: GraphError.self) {
        try await client.assignLicenses(toGroup: Self.finance, add: [], remove: [])
      }
      #expect(nothing?.kind == .invalidInput)
    }
  }

  @Test("source of authority: convert a synced group, write it, hand it back to sync")
  func sourceOfAuthority() async throws {
    try await EmulatorTenant.run(state: Self.state()) { client, server in
      #expect(try await client.isCloudManaged(group: Self.hr) == false)
      let readOnly = await #expect(throws: GraphError.self) {
        try await client.updateGroup(Self.hr, GroupPatch(description: .some("cloud")))
      }
      #expect(readOnly?.status == 400)

      try await client.setCloudManaged(true, group: Self.hr)
      #expect(try await client.isCloudManaged(group: Self.hr) == true)
      #expect(try await client.group(Self.hr).onPremisesSyncEnabled == nil)
      try await client.updateGroup(Self.hr, GroupPatch(description: .some("cloud")))
      #expect(try await client.group(Self.hr).description == "cloud")
      let patch = await server.requestLog().first {
        $0.method == "PATCH" && $0.target.hasSuffix("/onPremisesSyncBehavior")
      }
      #expect(patch?.body == #"{"isCloudManaged":true}"#)
      #expect(patch?.target == "/v1.0/groups/\(Self.hr)/onPremisesSyncBehavior")

      try await client.setCloudManaged(false, group: Self.hr)
      #expect(try await client.isCloudManaged(group: Self.hr) == false)
      #expect(try await client.group(Self.hr).onPremisesSyncEnabled == true)
      await #expect(throws: GraphError.self) {
        try await client.updateGroup(Self.hr, GroupPatch(description: .some("again")))
      }
    }
  }

  @Test("a tenant without Group SOA: both calls fail with 400 BadRequest")
  func noSourceOfAuthority() async throws {
    try await EmulatorTenant.run(state: Self.state(soa: false)) { client, _ in
      let read = await #expect(throws: GraphError.self) {
        try await client.isCloudManaged(group: Self.hr)
      }
      #expect(read?.status == 400)
      #expect(read?.code == "BadRequest")
      let write = await #expect(throws: GraphError.self) {
        try await client.setCloudManaged(true, group: Self.hr)
      }
      #expect(write?.status == 400)
    }
  }

  @Test("createGroup with 5 owners and 20 members binds 20 in the POST and adds 5 by $ref")
  func createWithMembersAndOwners() async throws {
    try await EmulatorTenant.run(state: Self.state(users: 1...25)) { client, server in
      let owners = (1...5).map(EmulatorTenant.userID)
      let members = (6...25).map(EmulatorTenant.userID)
      let created = try await client.createGroup(
        NewGroup(
          kind: .microsoft365(securityEnabled: true), displayName: "Finance (restored)",
          mailNickname: "financerestored", description: "restored", visibility: "Private",
          memberIDs: members, ownerIDs: owners))
      let log = await server.requestLog()
      let post = try #require(log.first { $0.method == "POST" && $0.target == "/v1.0/groups" })
      let body = try #require(
        try JSONSerialization.jsonObject(with: Data((post.body ?? "").utf8)) as? [String: Any])
      let boundOwners = try #require(body["owners@odata.bind"] as? [String])
      let boundMembers = try #require(body["members@odata.bind"] as? [String])
      #expect(boundOwners.count == 5 && boundMembers.count == 15)
      #expect(boundOwners.first == "\(server.baseURL)/v1.0/directoryObjects/\(owners[0])")
      let refs = log.filter { $0.target.hasSuffix("/members/$ref") }
      #expect(refs.count == 5)
      #expect(refs.allSatisfy { $0.status == 204 })

      let readMembers = try await client.members(ofGroup: created.id).collect()
      #expect(Set(readMembers.map(\.id)) == Set(members))
      #expect(Set(try await client.owners(ofGroup: created.id).collect().map(\.id)) == Set(owners))
      let read = try await client.group(created.id, select: GraphGroup.snapshotFields)
      #expect(read.description == "restored")
      #expect(read.visibility == "Private")
      #expect(read.securityEnabled == true)
    }
  }

  @Test("createGroup: a bad id is refused before sending; a failed $ref names the new group")
  func createFailures() async throws {
    try await EmulatorTenant.run(state: Self.state(users: 1...21)) { client, server in
      let bad = await #expect(throws: GraphError.self) {
        try await client.createGroup(
          NewGroup(
            kind: .security, displayName: "X", mailNickname: "x", memberIDs: ["alice"]))
      }
      #expect(bad?.kind == .invalidInput)
      #expect(bad?.message.contains(#"member id "alice""#) == true)
      #expect(
        await server.requestLog().allSatisfy { $0.method != "POST" || $0.target.contains("token") })

      let ghost = "00000000-0000-4000-8000-000000009999"
      let partial = await #expect(throws: GraphError.self) {
        try await client.createGroup(
          NewGroup(
            kind: .security, displayName: "Y", mailNickname: "y",
            memberIDs: (1...20).map(EmulatorTenant.userID) + [ghost]))
      }
      #expect(partial?.status == 404)
      let created = try #require(
        await server.requestLog().first { $0.target == "/v1.0/groups" && $0.status == 201 })
      #expect(created.method == "POST")
      #expect(partial?.message.contains("was created with 20 of 21") == true)
      let groups = try await client.groups().collect()
      let y = try #require(groups.first { $0.displayName == "Y" })
      #expect(partial?.message.contains(y.id) == true)
    }
  }
}
