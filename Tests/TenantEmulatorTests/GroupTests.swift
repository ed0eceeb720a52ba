import Foundation
import TenantEmulator
import Testing

@Suite("Groups, members, owners and the directory")
struct GroupTests {
  static let mailEnabledRefusal =
    "The service does not currently support writes of mail-enabled groups. Please ensure that the mail-enablement property is unset and the security-enablement property is set."
  static let exchangeMembershipRefusal =
    "Cannot Update a mail-enabled security groups and or distribution list."

  @Test func listAndGetGroups() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let list = try await emulator.call("GET", "/v1.0/groups", token: token)
      #expect(list.status == 200 && list.values.count == 5)
      let unified = try await emulator.call(
        "GET", "/v1.0/groups?$filter=\(q("groupTypes/any(c:c eq 'Unified')"))", token: token)
      #expect(unified.values.compactMap { $0["id"] as? String } == ["g-m365"])
      let one = try await emulator.call("GET", "/v1.0/groups/g-dl", token: token)
      #expect(one.object["mailEnabled"] as? Bool == true)
      #expect(one.object["securityEnabled"] as? Bool == false)
      #expect(one.object["members"] == nil)
      let missing = try await emulator.call("GET", "/v1.0/groups/g-none", token: token)
      #expect(missing.status == 404 && missing.errorCode == "Request_ResourceNotFound")
    }
  }

  @Test func createSecurityAndMicrosoft365Groups() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let security = try await emulator.call(
        "POST", "/v1.0/groups", token: token,
        json: [
          "displayName": "Rebuilt VPN", "mailEnabled": false, "mailNickname": "rebuiltvpn",
          "securityEnabled": true,
          "members@odata.bind": ["https://graph.microsoft.com/v1.0/directoryObjects/u-alice"],
          "owners@odata.bind": ["https://graph.microsoft.com/v1.0/users/u-frank"],
        ])
      #expect(security.status == 201, "\(security.text)")
      let id = try #require(security.object["id"] as? String)
      let members = try await emulator.call("GET", "/v1.0/groups/\(id)/members", token: token)
      #expect(members.values.compactMap { $0["id"] as? String } == ["u-alice"])
      #expect(members.values.first?["@odata.type"] as? String == "#microsoft.graph.user")
      let owners = try await emulator.call("GET", "/v1.0/groups/\(id)/owners", token: token)
      #expect(owners.values.compactMap { $0["id"] as? String } == ["u-frank"])

      let unified = try await emulator.call(
        "POST", "/v1.0/groups", token: token,
        json: [
          "displayName": "Team Rocket", "mailEnabled": true, "mailNickname": "teamrocket",
          "securityEnabled": false, "groupTypes": ["Unified"],
        ])
      #expect(unified.status == 201)
      #expect(unified.object["mail"] as? String == "teamrocket@contoso.com")
    }
  }

  @Test func mailEnabledNonUnifiedCreationIsRefused() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let reply = try await emulator.call(
        "POST", "/v1.0/groups", token: token,
        json: [
          "displayName": "New DL", "mailEnabled": true, "mailNickname": "newdl",
          "securityEnabled": false,
        ])
      #expect(reply.status == 400 && reply.errorCode == "Request_BadRequest")
      #expect(reply.errorMessage == Self.mailEnabledRefusal)
      let nickname = try await emulator.call(
        "POST", "/v1.0/groups", token: token,
        json: [
          "displayName": "Bad", "mailEnabled": false, "mailNickname": "bad nick",
          "securityEnabled": true,
        ])
      #expect(nickname.status == 400)
    }
  }

  @Test(arguments: ["members", "owners"])
  func addAndRemoveReferences(_ relation: String) async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let reference = ["@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/u-carol"]
      let add = try await emulator.call(
        "POST", "/v1.0/groups/g-sec/\(relation)/$ref", token: token, json: reference)
      #expect(add.status == 204)
      let again = try await emulator.call(
        "POST", "/v1.0/groups/g-sec/\(relation)/$ref", token: token, json: reference)
      #expect(again.status == 400 && again.errorMessage?.contains("already exist") == true)
      #expect(try await emulator.storedGroup("g-sec")?[relation] as? [String] != nil)
      let remove = try await emulator.call(
        "DELETE", "/v1.0/groups/g-sec/\(relation)/u-carol/$ref", token: token)
      #expect(remove.status == 204)
      let removeAgain = try await emulator.call(
        "DELETE", "/v1.0/groups/g-sec/\(relation)/u-carol/$ref", token: token)
      #expect(removeAgain.status == 404)
      let ghost = try await emulator.call(
        "POST", "/v1.0/groups/g-sec/\(relation)/$ref", token: token,
        json: ["@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/u-ghost"])
      #expect(ghost.status == 404)
    }
  }

  @Test(arguments: ["g-dl", "g-mesg"])
  func distributionListsAndMailEnabledSecurityGroupsAreReadOnly(_ id: String) async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let add = try await emulator.call(
        "POST", "/v1.0/groups/\(id)/members/$ref", token: token,
        json: ["@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/u-carol"])
      #expect(add.status == 400 && add.errorMessage == Self.exchangeMembershipRefusal)
      let remove = try await emulator.call(
        "DELETE", "/v1.0/groups/\(id)/members/u-alice/$ref", token: token)
      #expect(remove.status == 400)
      let delete = try await emulator.call("DELETE", "/v1.0/groups/\(id)", token: token)
      #expect(delete.status == 400 && delete.errorCode == "Request_BadRequest")
      let patch = try await emulator.call(
        "PATCH", "/v1.0/groups/\(id)", token: token, json: ["description": "x"])
      #expect(patch.status == 400)
      #expect(try await emulator.storedGroup(id) != nil)
    }
  }

  @Test func syncedGroupsAreReadOnly() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      for (method, target, body) in [
        ("PATCH", "/v1.0/groups/g-synced", ["description": "x"] as [String: String]?),
        ("DELETE", "/v1.0/groups/g-synced", nil),
        (
          "POST", "/v1.0/groups/g-synced/members/$ref",
          ["@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/u-alice"]
        ),
      ] {
        let reply = try await emulator.call(method, target, token: token, json: body)
        #expect(reply.status == 400, "\(method) \(target)")
        #expect(reply.errorMessage?.contains("on-premises mastered") == true)
      }
    }
  }

  @Test func deleteASecurityGroupAndPatchAnother() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let patch = try await emulator.call(
        "PATCH", "/v1.0/groups/g-m365", token: token, json: ["description": "renamed"])
      #expect(patch.status == 204)
      let mail = try await emulator.call(
        "PATCH", "/v1.0/groups/g-m365", token: token, json: ["mail": "x@contoso.com"])
      #expect(mail.status == 400 && mail.errorMessage?.contains("read-only") == true)
      let delete = try await emulator.call("DELETE", "/v1.0/groups/g-sec", token: token)
      #expect(delete.status == 204)
      #expect(try await emulator.call("GET", "/v1.0/groups/g-sec", token: token).status == 404)
    }
  }

  @Test func domainsOrganizationAndRoleAssignments() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let domains = try await emulator.call("GET", "/v1.0/domains", token: token)
      let types = Dictionary(
        uniqueKeysWithValues: domains.values.map {
          ($0["id"] as! String, $0["authenticationType"] as! String)
        })
      #expect(
        types == [
          "contoso.onmicrosoft.com": "Managed", "contoso.com": "Managed",
          "fabrikam.com": "Federated",
        ])
      let initial = domains.values.filter { $0["isInitial"] as? Bool == true }
      #expect(initial.count == 1)
      let one = try await emulator.call("GET", "/v1.0/domains/fabrikam.com", token: token)
      #expect(one.object["authenticationType"] as? String == "Federated")
      let organization = try await emulator.call("GET", "/v1.0/organization", token: token)
      #expect(organization.values.first?["onPremisesSyncEnabled"] as? Bool == true)
      let roles = try await emulator.call(
        "GET",
        "/v1.0/roleManagement/directory/roleAssignments?$filter=\(q("principalId eq 'u-frank'"))&$expand=roleDefinition",
        token: token)
      #expect(roles.values.count == 1)
      let definition = roles.values.first?["roleDefinition"] as? [String: Any]
      #expect(definition?["displayName"] as? String == "Global Administrator")
      let none = try await emulator.call(
        "GET",
        "/v1.0/roleManagement/directory/roleAssignments?$filter=\(q("principalId eq 'u-alice'"))",
        token: token)
      #expect(none.status == 200 && none.values.isEmpty)
      let sync = try await emulator.call(
        "GET", "/v1.0/directory/onPremisesSynchronization", token: token)
      #expect(sync.status == 403 && sync.errorCode == "Authorization_RequestDenied")
    }
  }

  @Test func memberOfListsTheGroupsOfAUser() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let reply = try await emulator.call(
        "GET", "/v1.0/users/alice@contoso.com/memberOf?$select=id,displayName", token: token)
      #expect(reply.status == 200)
      #expect(reply.values.compactMap { $0["id"] as? String }.sorted() == ["g-dl", "g-sec"])
      #expect(reply.values.allSatisfy { $0["@odata.type"] as? String == "#microsoft.graph.group" })
    }
  }
}

@Suite("Deleted Microsoft 365 groups")
struct DeletedItemsTests {
  @Test func softDeletedAddressStaysTakenUntilPurged() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let delete = try await emulator.call("DELETE", "/v1.0/groups/g-m365", token: token)
      #expect(delete.status == 204)
      let deleted = try await emulator.call(
        "GET", "/v1.0/directory/deletedItems/g-m365", token: token)
      #expect(deleted.status == 200 && deleted.object["deletedDateTime"] is String)
      let body: [String: Any] = [
        "displayName": "Falcon again", "mailEnabled": true, "mailNickname": "ProjectFalcon",
        "securityEnabled": false, "groupTypes": ["Unified"],
      ]
      let taken = try await emulator.call("POST", "/v1.0/groups", token: token, json: body)
      #expect(taken.status == 400, "\(taken.text)")
      let purge = try await emulator.call(
        "DELETE", "/v1.0/directory/deletedItems/g-m365", token: token)
      #expect(purge.status == 204)
      let gone = try await emulator.call(
        "GET", "/v1.0/directory/deletedItems/g-m365", token: token)
      #expect(gone.status == 404)
      let created = try await emulator.call("POST", "/v1.0/groups", token: token, json: body)
      #expect(created.status == 201, "\(created.text)")
    }
  }

  @Test func restoreBringsTheGroupBackWithItsId() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      _ = try await emulator.call("DELETE", "/v1.0/groups/g-m365", token: token)
      let restored = try await emulator.call(
        "POST", "/v1.0/directory/deletedItems/g-m365/restore", token: token)
      #expect(restored.status == 200)
      let group = try await emulator.call("GET", "/v1.0/groups/g-m365", token: token)
      #expect(group.status == 200 && group.object["displayName"] as? String == "Project Falcon")
      // A security group is gone for good: nothing in deleted items.
      _ = try await emulator.call("DELETE", "/v1.0/groups/g-sec", token: token)
      let security = try await emulator.call(
        "GET", "/v1.0/directory/deletedItems/g-sec", token: token)
      #expect(security.status == 404)
    }
  }
}
