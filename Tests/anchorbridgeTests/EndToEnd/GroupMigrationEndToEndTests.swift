import Foundation
import TestSupport
import Testing

/// A distribution list, a mail-enabled security group, a security group and a Microsoft 365 group,
/// each cloud-only with an AD twin created for the test in its own OU, with members that do and
/// don't exist on-prem, owners, a cloud parent, app roles and licences. Written by hand from the
/// Graph property names (never from the CLI's types).
struct GroupScenario {
  let ad: DirectoryUsers
  let p: String
  let dl: String
  let mesg: String
  let sg: String
  let team: String
  let dlParent: String
  let appsParent: String
  let guest: String
  let sku = "c7df2760-2c81-4ef7-b578-5b5392b571df"
  let appRole = "3c3a1b2e-9f1d-4b43-8e39-7b0d54c1c0aa"
  let resource = "5f2d9a3e-1b7c-4c3e-9d1a-2e4f6a8b0c1d"
  let legacyDN =
    "/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=0a1b2c3d-dl"

  init(_ ad: DirectoryUsers) {
    self.ad = ad
    p = ad.prefix
    dl = Rehearsal.cloudID(p + "dl")
    mesg = Rehearsal.cloudID(p + "mesg")
    sg = Rehearsal.cloudID(p + "sg")
    team = Rehearsal.cloudID(p + "team")
    dlParent = Rehearsal.cloudID(p + "dlparent")
    appsParent = Rehearsal.cloudID(p + "apps")
    guest = Rehearsal.cloudID(p + "guest")
  }

  var alice: String { Rehearsal.cloudID("alice.anders") }
  var bob: String { Rehearsal.cloudID("bob.brandt") }
  var carol: String { Rehearsal.cloudID("carol.castro") }

  func users(_ fixture: TestFixture) throws -> [String] {
    try ["alice.anders", "bob.brandt", "carol.castro"].map { try Rehearsal.twin(fixture, $0) }
      + [Rehearsal.user(id: guest, upn: "\(p)guest@anchortest.onmicrosoft.com", mail: nil)]
  }

  static func json(_ object: [String: Any]) -> String {
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
  }

  var cloudGroups: [String] {
    [
      Self.json([
        "id": dl, "displayName": "DL \(p)", "mail": "\(p)dl@anchor.test", "mailNickname": "\(p)dl",
        "mailEnabled": true, "securityEnabled": false, "groupTypes": [],
        "proxyAddresses": ["SMTP:\(p)dl@anchor.test", "smtp:\(p)dl-old@anchor.test"],
        "members": [alice, bob, guest], "owners": [carol],
      ]),
      Self.json([
        "id": dlParent, "displayName": "Everyone \(p)", "mail": "\(p)everyone@anchor.test",
        "mailNickname": "\(p)everyone", "mailEnabled": true, "securityEnabled": false,
        "groupTypes": [], "proxyAddresses": ["SMTP:\(p)everyone@anchor.test"], "members": [dl],
      ]),
      Self.json([
        "id": mesg, "displayName": "MESG \(p)", "mail": "\(p)mesg@anchor.test",
        "mailNickname": "\(p)mesg", "mailEnabled": true, "securityEnabled": true, "groupTypes": [],
        "proxyAddresses": ["SMTP:\(p)mesg@anchor.test"], "members": [alice],
      ]),
      Self.json([
        "id": sg, "displayName": "SG \(p)", "mailNickname": "\(p)sg", "mailEnabled": false,
        "securityEnabled": true, "groupTypes": [], "description": "VPN access",
        "members": [alice, bob], "owners": [carol],
        "appRoleAssignments": [
          [
            "id": "ra-\(p)", "appRoleId": appRole, "resourceId": resource,
            "resourceDisplayName": "Payroll",
          ]
        ],
        "assignedLicenses": [["skuId": sku, "disabledPlans": []]],
      ]),
      Self.json([
        "id": appsParent, "displayName": "Apps \(p)", "mailNickname": "\(p)apps",
        "mailEnabled": false, "securityEnabled": true, "groupTypes": [], "members": [sg],
      ]),
      Self.json([
        "id": team, "displayName": "Team \(p)", "mail": "\(p)team@anchor.test",
        "mailNickname": "\(p)team", "mailEnabled": true, "securityEnabled": false,
        "groupTypes": ["Unified"], "proxyAddresses": ["SMTP:\(p)team@anchor.test"],
        "visibility": "Private", "description": "Project team", "members": [alice],
        "owners": [alice],
      ]),
    ]
  }

  /// The AD twins: DL and team as universal distribution groups, MESG as a mail-enabled universal
  /// security group, SG as a global security group (matched by mailNickname = sAMAccountName).
  func createDirectoryGroups(_ fixture: TestFixture) async throws {
    let aliceDN = try #require(fixture.users["alice.anders"]?["dn"]?.string)
    try await ad.createGroup(
      "dl", groupType: 8, mail: "\(p)dl@anchor.test", proxyAddresses: ["SMTP:\(p)dl@anchor.test"],
      members: [aliceDN])
    try await ad.createGroup(
      "mesg", groupType: -2_147_483_640, mail: "\(p)mesg@anchor.test",
      proxyAddresses: ["SMTP:\(p)mesg@anchor.test"], members: [aliceDN])
    try await ad.createGroup("sg", groupType: -2_147_483_646, members: [aliceDN])
    try await ad.createGroup(
      "team", groupType: 8, mail: "\(p)team@anchor.test",
      proxyAddresses: ["SMTP:\(p)team@anchor.test"], members: [aliceDN])
  }

  /// What the Exchange script writes for a group before `-Remove`.
  func writeCapture(_ id: String, into folder: URL, smtp: String) throws {
    let capture: [String: Any] = [
      "ExternalDirectoryObjectId": id, "Name": "DL \(p)", "Alias": "\(p)dl",
      "PrimarySmtpAddress": smtp, "EmailAddresses": ["SMTP:\(smtp)"],
      "LegacyExchangeDN": legacyDN + id.prefix(4), "GroupType": "Distribution",
      "ManagedBy": ["carol.castro@anchor.test"], "HiddenFromAddressListsEnabled": true,
      "RequireSenderAuthenticationEnabled": false, "SendAs": ["alice.anders@anchor.test"],
    ]
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    // PowerShell's Set-Content -Encoding UTF8 writes a byte order mark.
    let data = Data([0xEF, 0xBB, 0xBF]) + (try JSONSerialization.data(withJSONObject: capture))
    try data.write(to: folder.appendingPathComponent("\(id).json"))
  }
}

extension EndToEnd {
  @Suite(
    .enabled(if: TestDomainController.shouldRun, "needs the test DC: Scripts/dc.sh start"),
    .serialized)
  struct GroupMigrationEndToEndTests {
    static func rehearsal(_ scenario: GroupScenario) async throws -> Rehearsal {
      try await Rehearsal(
        bindAsAdmin: true, groupsBases: [scenario.ad.ou], cloudGroups: scenario.cloudGroups
      ) { try scenario.users($0) }
    }

    static func plan(_ path: String) throws -> [String: Any] {
      let data = try Data(contentsOf: URL(fileURLWithPath: path))
      return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Items by cloud group id (or AD DN when there is no cloud twin).
    static func items(_ plan: [String: Any]) -> [String: [String: Any]] {
      var out: [String: [String: Any]] = [:]
      for item in plan["items"] as? [[String: Any]] ?? [] {
        let key =
          (item["cloud"] as? [String: Any])?["id"] as? String
          ?? (item["directory"] as? [String: Any])?["distinguishedName"] as? String ?? "?"
        out[key] = item
      }
      return out
    }

    static func validate(_ path: String, schema: String) async throws {
      let root = TestDomainController.repositoryRoot.appendingPathComponent("Schemas/\(schema)")
        .path
      let result = try await Rehearsal.offPool {
        try Subprocess.run(
          "/usr/bin/python3",
          [
            "-c",
            """
            import json, sys, jsonschema
            jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))
            """, root, path,
          ])
      }
      #expect(result.status == 0, "\(path) against \(schema): \(result.stderr)")
    }

    @Test func planSnapshotsMatchesComparesMembersAndWritesTheScript() async throws {
      let dc = try TestDomainController.require()
      let ad = DirectoryUsers(dc)
      let scenario = GroupScenario(ad)
      let rehearsal = try await Self.rehearsal(scenario)
      defer { Task { try? await rehearsal.shutdown() } }
      do {
        try await scenario.createDirectoryGroups(rehearsal.fixture)
        let planPath = rehearsal.temp.url.appendingPathComponent("groups.json").path
        let scriptPath = rehearsal.temp.url.appendingPathComponent("exchange.ps1").path
        let blocked = try await rehearsal.run([
          "groups", "plan", "--out", planPath, "--script", scriptPath, "--format", "json",
        ])
        #expect(blocked.status == 5, "\(blocked.stdout)\(blocked.stderr)")
        try await Self.validate(planPath, schema: "groups-plan.schema.json")
        var items = Self.items(try Self.plan(planPath))
        let dl = try #require(items[scenario.dl])
        #expect(dl["action"] as? String == "blocked")
        #expect(dl["reason"] as? String == "membersWithoutDirectoryTwin")
        let members = try #require(dl["members"] as? [String: Any])
        #expect(
          (members["withoutDirectoryTwin"] as? [[String: Any]])?.map { $0["id"] as? String } == [
            scenario.guest
          ])
        #expect(
          (members["inBoth"] as? [[String: Any]])?.map { $0["cloudId"] as? String } == [
            scenario.alice
          ])
        #expect(
          (members["addToDirectory"] as? [[String: Any]])?.map { $0["cloudId"] as? String } == [
            scenario.bob
          ])
        #expect(items[scenario.mesg]?["action"] as? String == "migrate")
        #expect(items[scenario.mesg]?["matchedBy"] as? String == "primarySmtp")
        let sg = try #require(items[scenario.sg])
        #expect(
          sg["action"] as? String == "migrate" && sg["matchedBy"] as? String == "mailNickname")
        let restore = try #require(sg["restoreAccess"] as? [String: Any])
        #expect(
          (restore["parents"] as? [[String: Any]])?.map { $0["id"] as? String } == [
            scenario.appsParent
          ])
        #expect(
          (restore["licenses"] as? [[String: Any]])?.first?["skuId"] as? String == scenario.sku)
        #expect(
          (restore["appRoleAssignments"] as? [[String: Any]])?.first?["appRoleId"] as? String
            == scenario.appRole)
        let team = try #require(items[scenario.team])
        #expect(team["action"] as? String == "migrate")
        #expect(team["resultingKind"] as? String == "distribution")
        #expect(
          (team["diagnostics"] as? [[String: Any]])?.contains {
            $0["code"] as? String == "groupKindChanges"
          } == true)
        let steps = (team["steps"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(
          steps == [
            "snapshot", "prepareDirectory", "deleteCloudGroup", "waitForSync", "verify",
            "restoreAccess",
          ])

        // The snapshot is in the journal and next to it; nothing was written anywhere.
        let snapshots =
          FileManager.default.enumerator(atPath: rehearsal.stateDirectory + "/groups")?
          .compactMap { $0 as? String }.filter { $0.hasSuffix(".json") } ?? []
        #expect(snapshots.count == 4, "\(snapshots)")
        #expect(try rehearsal.stateFilesText().contains(scenario.guest))
        #expect(
          await rehearsal.server.requestLog().allSatisfy {
            $0.method == "GET" || $0.method == "POST" && $0.target.contains("token")
          })
        #expect(try await ad.values(ad.dn("dl"), "member").count == 1)

        let script = try String(contentsOfFile: scriptPath, encoding: .utf8)
        #expect(
          script.contains(
            "Save-AnchorBridgeCapture -Id '\(scenario.mesg)' -ExpectedSmtp '\(scenario.p)mesg@anchor.test'"
          ))
        #expect(!script.contains("'\(scenario.dl)'"), "a blocked group is not in the script")
        #expect(!script.contains("-Identity '\(scenario.sg)'"), "Graph deletes security groups")

        let allowed = try await rehearsal.run([
          "groups", "plan", "--out", planPath, "--script", scriptPath, "--allow-member-loss",
        ])
        #expect(allowed.status == 0, "\(allowed.stdout)\(allowed.stderr)")
        items = Self.items(try Self.plan(planPath))
        #expect(items[scenario.dl]?["action"] as? String == "migrate")
        let full = try String(contentsOfFile: scriptPath, encoding: .utf8)
        #expect(
          full.contains(
            "Remove-DistributionGroup -Identity '\(scenario.dl)' -BypassSecurityGroupManagerCheck -Confirm:$false"
          ))
        #expect(
          full.contains(
            "Add-DistributionGroupMember -Identity '\(scenario.dlParent)' -Member '\(scenario.p)dl@anchor.test'"
          ))
        #expect(
          full.contains("LegacyExchangeDN") && full.contains("ManagedBy")
            && full.contains("Get-RecipientPermission"))

        // An edited plan is refused before anything is touched.
        var text = try String(contentsOfFile: planPath, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"migrate\"", with: "\"noop\"")
        try text.write(toFile: planPath, atomically: true, encoding: .utf8)
        let tampered = try await rehearsal.run(["groups", "apply", "--plan", planPath, "--yes"])
        #expect(tampered.status == 2 && tampered.stderr.contains("checksum"), "\(tampered.stderr)")
      } catch {
        try? await ad.deleteAll()
        throw error
      }
      try await ad.deleteAll()
    }
  }
}
