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
        "members": [alice, bob, guest, sg], "owners": [carol],
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
  func writeCapture(_ id: String, into folder: URL, smtp: String, type: String = "Distribution")
    throws
  {
    let capture: [String: Any] = [
      "ExternalDirectoryObjectId": id, "Name": "DL \(p)", "Alias": "\(p)dl",
      "PrimarySmtpAddress": smtp, "EmailAddresses": ["SMTP:\(smtp)"],
      "LegacyExchangeDN": legacyDN + id.prefix(4), "GroupType": type,
      // One owner as PowerShell 5's ConvertTo-Json may write a list of one: a plain string.
      "ManagedBy": "carol.castro@anchor.test", "HiddenFromAddressListsEnabled": true,
      "RequireSenderAuthenticationEnabled": false, "SendAs": ["alice.anders@anchor.test"],
      "Notes": "",
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

    /// Runs `body` with the scenario's AD groups in the test's own OU (deleted afterwards, also
    /// when the test fails) and an emulator tenant holding their cloud twins.
    static func withScenario(_ body: (GroupScenario, Rehearsal) async throws -> Void) async throws {
      let scenario = GroupScenario(DirectoryUsers(try TestDomainController.require()))
      let rehearsal = try await Self.rehearsal(scenario)
      defer { Task { try? await rehearsal.shutdown() } }
      do {
        try await scenario.createDirectoryGroups(rehearsal.fixture)
        try await body(scenario, rehearsal)
      } catch {
        try? await scenario.ad.deleteAll()
        throw error
      }
      try await scenario.ad.deleteAll()
    }

    /// The emulator's tenant state as JSON objects (Graph's names), and back.
    static func tenant(_ rehearsal: Rehearsal) async throws -> [String: Any] {
      let data = try await rehearsal.server.stateJSON()
      return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func setTenant(_ rehearsal: Rehearsal, _ root: [String: Any]) async throws {
      try await rehearsal.server.replaceState(try JSONSerialization.data(withJSONObject: root))
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

    @Test func planSnapshotsMatchesComparesMembersAndWritesTheScript() async throws {
      try await Self.withScenario { scenario, rehearsal in
        let ad = scenario.ad
        let planPath = rehearsal.temp.url.appendingPathComponent("groups.json").path
        let scriptPath = rehearsal.temp.url.appendingPathComponent("exchange.ps1").path
        let blocked = try await rehearsal.run([
          "groups", "plan", "--out", planPath, "--script", scriptPath, "--format", "json",
        ])
        #expect(blocked.status == 5, "\(blocked.stdout)\(blocked.stderr)")
        try await Rehearsal.validate(planPath, schema: "groups-plan.schema.json")
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
        // bob (a user in the cloud group, not in AD) and the nested security group.
        let additions = (members["addToDirectory"] as? [[String: Any]] ?? []).compactMap {
          $0["cloudId"] as? String
        }
        #expect(Set(additions) == [scenario.bob, scenario.sg])
        #expect(items[scenario.mesg]?["action"] as? String == "migrate")
        #expect(items[scenario.mesg]?["matchedBy"] as? String == "primarySmtp")
        let sg = try #require(items[scenario.sg])
        #expect(
          sg["action"] as? String == "migrate" && sg["matchedBy"] as? String == "mailNickname")
        let restore = try #require(sg["restoreAccess"] as? [String: Any])
        // The cloud parent through Graph; the DL (itself moving to AD) through its AD twin.
        let parents = (restore["parents"] as? [[String: Any]] ?? []).map {
          "\($0["id"] as? String ?? "") \($0["via"] as? String ?? "")"
        }
        #expect(Set(parents) == ["\(scenario.appsParent) graph", "\(scenario.dl) directory"])
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
          full.contains(
            "Save-AnchorBridgeCapture -Id '\(scenario.team)' -ExpectedSmtp '\(scenario.p)team@anchor.test' -Unified"
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
      }
    }

    /// objectSid of each test group by its DN, from `anchorbridge ad groups`.
    static func sids(_ rehearsal: Rehearsal) async throws -> [String: String] {
      let listed = try await rehearsal.run(["ad", "groups", "--format", "json"])
      #expect(listed.status == 0, "\(listed.stderr)")
      let groups = try #require(
        try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
      var out: [String: String] = [:]
      for group in groups {
        if let dn = group["dn"] as? String, let sid = group["objectSid"] as? String {
          out[dn.lowercased()] = sid
        }
      }
      return out
    }

    /// The admin runs the script with `-Remove` and sync runs: the DL and the MESG leave Exchange
    /// (and their parents), and the AD twins of the DL, the MESG and the security group appear as
    /// synced groups with new ids, their objectSid, their AD addresses and members.
    static func simulateSync(
      _ rehearsal: Rehearsal, _ scenario: GroupScenario, sids: [String: String],
      dropping dropped: String? = nil
    ) async throws -> [String: String] {
      var root = try await Self.tenant(rehearsal)
      var groups = root["groups"] as? [[String: Any]] ?? []
      let removed = Set([scenario.dl, scenario.mesg])
        .union(
          groups.compactMap {
            ($0["onPremisesSyncEnabled"] as? Bool) == true ? $0["id"] as? String : nil
          })
      groups.removeAll { removed.contains($0["id"] as? String ?? "") }
      for index in groups.indices {
        let members = groups[index]["members"] as? [String] ?? []
        groups[index]["members"] = members.filter { !removed.contains($0) }
      }
      let ad = scenario.ad
      var twins: [String: String] = [:]
      for (name, cloudId, mail, security) in [
        ("dl", scenario.dl, "\(scenario.p)dl@anchor.test", false),
        ("mesg", scenario.mesg, "\(scenario.p)mesg@anchor.test", true),
        ("sg", scenario.sg, nil, true),
      ] {
        let dn = ad.dn(name)
        let newId = Rehearsal.cloudID(scenario.p + name + "-synced")
        twins[cloudId] = newId
        let proxies = try await ad.values(dn, "proxyAddresses")
        let memberDNs = Set(try await ad.values(dn, "member").map { $0.lowercased() })
        var members: [String] = []
        for sam in ["alice.anders", "bob.brandt", "carol.castro"] {
          let userDN = try #require(rehearsal.fixture.users[sam]?["dn"]?.string).lowercased()
          if memberDNs.contains(userDN) { members.append(Rehearsal.cloudID(sam)) }
        }
        // A nested AD group syncs as the synced twin of that group.
        if memberDNs.contains(ad.dn("sg").lowercased()) {
          members.append(Rehearsal.cloudID(scenario.p + "sg-synced"))
        }
        members.removeAll { $0 == dropped }
        var group: [String: Any] = [
          "id": newId, "displayName": "\(ad.prefix)\(name)", "mailEnabled": mail != nil,
          "securityEnabled": security, "groupTypes": [], "onPremisesSyncEnabled": true,
          "onPremisesSecurityIdentifier": try #require(sids[dn.lowercased()]),
          "mailNickname": ad.sam(name), "proxyAddresses": proxies, "members": members,
        ]
        if let mail { group["mail"] = mail }
        groups.append(group)
      }
      root["groups"] = groups
      try await Self.setTenant(rehearsal, root)
      return twins
    }

    static func cloudGroup(_ rehearsal: Rehearsal, _ id: String) async throws -> [String: Any]? {
      let root = try await Self.tenant(rehearsal)
      return (root["groups"] as? [[String: Any]] ?? []).first {
        ($0["id"] as? String)?.lowercased() == id.lowercased()
      }
    }

    @Test func applyPreparesADDeletesWhatGraphMayThenVerifyRestoresAccess() async throws {
      try await Self.withScenario { scenario, rehearsal in
        let ad = scenario.ad
        let fixture = rehearsal.fixture
        let bobDN = try #require(fixture.users["bob.brandt"]?["dn"]?.string)
        let carolDN = try #require(fixture.users["carol.castro"]?["dn"]?.string)
        let planPath = rehearsal.temp.url.appendingPathComponent("groups.json").path
        let plan = try await rehearsal.run([
          "groups", "plan", "--out", planPath, "--allow-member-loss",
        ])
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")

        // Without --write-ad nothing is deleted: the AD groups are not prepared.
        let early = try await rehearsal.run(["groups", "apply", "--plan", planPath, "--yes"])
        #expect(early.status == 5, "\(early.stdout)\(early.stderr)")
        #expect(early.stdout.contains("apply with --write-ad first"), "\(early.stdout)")
        #expect(try await Self.cloudGroup(rehearsal, scenario.sg) != nil)

        // Without the Exchange capture the DL's AD group waits; the others are prepared.
        let captures = rehearsal.temp.url.appendingPathComponent("capture")
        try scenario.writeCapture(scenario.dl, into: captures, smtp: "\(scenario.p)dl@anchor.test")
        try scenario.writeCapture(
          scenario.mesg, into: captures, smtp: "\(scenario.p)mesg@anchor.test")
        try scenario.writeCapture(
          scenario.team, into: captures, smtp: "\(scenario.p)team@anchor.test", type: "Unified")
        let apply = try await rehearsal.run([
          "groups", "apply", "--plan", planPath, "--write-ad", "--exchange-capture", captures.path,
          "--yes",
        ])
        #expect(apply.status == 5, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("run the script with -Remove"), "\(apply.stdout)")

        // AD now carries the cloud group's secondary address, its X500, the member that had a
        // twin but was not in AD, and the owner.
        let dlProxies = try await ad.values(ad.dn("dl"), "proxyAddresses")
        #expect(
          Set(dlProxies) == [
            "SMTP:\(scenario.p)dl@anchor.test", "smtp:\(scenario.p)dl-old@anchor.test",
            "X500:" + scenario.legacyDN + scenario.dl.prefix(4),
          ])
        #expect(
          Set(try await ad.values(ad.dn("dl"), "member").map { $0.lowercased() }).contains(
            bobDN.lowercased()))
        #expect(
          try await ad.values(ad.dn("dl"), "managedBy").map { $0.lowercased() } == [
            carolDN.lowercased()
          ])
        #expect(try await ad.values(ad.dn("sg"), "member").count == 2)
        // The nested cloud member (the security group) is a member of the DL's AD twin now.
        #expect(
          Set(try await ad.values(ad.dn("dl"), "member").map { $0.lowercased() }).contains(
            ad.dn("sg").lowercased()))
        // The Microsoft 365 group's address was freed: purged from deleted items.
        #expect(
          try await ad.values(ad.dn("team"), "proxyAddresses").contains(
            "X500:" + scenario.legacyDN + scenario.team.prefix(4)))
        #expect(
          await rehearsal.server.requestLog().contains {
            $0.method == "DELETE" && $0.target.contains("deletedItems/\(scenario.team)")
          })
        #expect(
          try await ad.values(ad.dn("mesg"), "proxyAddresses").contains(
            "X500:" + scenario.legacyDN + scenario.mesg.prefix(4)))

        // Graph deleted the security and Microsoft 365 groups, never the Exchange ones.
        #expect(try await Self.cloudGroup(rehearsal, scenario.sg) == nil)
        #expect(try await Self.cloudGroup(rehearsal, scenario.team) == nil)
        #expect(try await Self.cloudGroup(rehearsal, scenario.dl) != nil)
        let deletes = await rehearsal.server.requestLog().filter {
          $0.method == "DELETE" && !$0.target.contains("deletedItems")
        }.map(\.target)
        #expect(
          deletes.count == 2
            && !deletes.contains { $0.contains(scenario.dl) || $0.contains(scenario.mesg) },
          "\(deletes)")

        // Again: nothing changes.
        let again = try await rehearsal.run([
          "groups", "apply", "--plan", planPath, "--write-ad", "--exchange-capture", captures.path,
          "--yes",
        ])
        #expect(again.status == 5, "\(again.stdout)\(again.stderr)")
        #expect(
          again.stdout.contains("already deleted") && !again.stdout.contains("done:")
            && !again.stdout.contains("failed:"), "\(again.stdout)")
        #expect(await rehearsal.server.requestLog().filter { $0.method == "DELETE" }.count == 3)

        // Before sync: not verified.
        let waiting = try await rehearsal.run(["groups", "verify", "--plan", planPath])
        #expect(waiting.status == 5, "\(waiting.stdout)\(waiting.stderr)")

        // Sync lost a member: verify fails (exit 4) and restores nothing.
        let sids = try await Self.sids(rehearsal)
        _ = try await Self.simulateSync(rehearsal, scenario, sids: sids, dropping: scenario.bob)
        let short = try await rehearsal.run([
          "groups", "verify", "--plan", planPath, "--restore-access", "--yes",
        ])
        #expect(short.status == 4, "\(short.stdout)\(short.stderr)")
        #expect(short.stdout.contains("members missing: bob.brandt"), "\(short.stdout)")
        #expect(!short.stdout.contains("restoreAccess"), "\(short.stdout)")

        let twins = try await Self.simulateSync(rehearsal, scenario, sids: sids)
        let verify = try await rehearsal.run([
          "groups", "verify", "--plan", planPath, "--restore-access", "--yes",
        ])
        // The DL's distribution-list parent is the script's (-RestoreAccess): still pending.
        #expect(verify.status == 5, "\(verify.stdout)\(verify.stderr)")
        #expect(
          verify.stdout.contains("done: \(scenario.sg) verify: synced as \(twins[scenario.sg]!)"),
          "\(verify.stdout)")
        #expect(verify.stdout.contains("done: \(scenario.dl) verify"), "\(verify.stdout)")
        #expect(
          verify.stdout.contains("pending: \(scenario.dl) restoreAccess: add to Everyone"),
          "\(verify.stdout)")
        let newSg = try #require(try await Self.cloudGroup(rehearsal, twins[scenario.sg]!))
        #expect(
          (newSg["assignedLicenses"] as? [[String: Any]])?.map { $0["skuId"] as? String } == [
            scenario.sku
          ])
        let roles = newSg["appRoleAssignments"] as? [[String: Any]] ?? []
        #expect(roles.map { $0["appRoleId"] as? String } == [scenario.appRole])
        #expect(roles.map { $0["resourceId"] as? String } == [scenario.resource])
        let apps = try #require(try await Self.cloudGroup(rehearsal, scenario.appsParent))
        #expect((apps["members"] as? [String])?.contains(twins[scenario.sg]!) == true)

        let twice = try await rehearsal.run([
          "groups", "verify", "--plan", planPath, "--restore-access", "--yes",
        ])
        #expect(!twice.stdout.contains("done: \(scenario.sg) restoreAccess"), "\(twice.stdout)")
        #expect(twice.stdout.contains("unchanged: \(scenario.sg) restoreAccess"), "\(twice.stdout)")
      }
    }

    /// Changes one cloud group in the emulator's state (as an admin would in the portal).
    static func editGroup(
      _ rehearsal: Rehearsal, _ id: String, _ change: (inout [String: Any]) -> Void
    ) async throws {
      var root = try await Self.tenant(rehearsal)
      var groups = root["groups"] as? [[String: Any]] ?? []
      let index = try #require(groups.firstIndex { $0["id"] as? String == id })
      change(&groups[index])
      root["groups"] = groups
      try await Self.setTenant(rehearsal, root)
    }

    static func groupNamed(_ rehearsal: Rehearsal, _ name: String) async throws -> [String: Any]? {
      let root = try await Self.tenant(rehearsal)
      return (root["groups"] as? [[String: Any]] ?? []).first {
        $0["displayName"] as? String == name
      }
    }

    @Test func restoreRebuildsEveryCapturedFieldOrWritesTheExchangeScript() async throws {
      try await Self.withScenario { scenario, rehearsal in
        let ad = scenario.ad
        let planPath = rehearsal.temp.url.appendingPathComponent("groups.json").path
        let plan = try await rehearsal.run([
          "groups", "plan", "--out", planPath, "--allow-member-loss",
        ])
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
        let captures = rehearsal.temp.url.appendingPathComponent("capture")
        try scenario.writeCapture(scenario.dl, into: captures, smtp: "\(scenario.p)dl@anchor.test")
        try scenario.writeCapture(
          scenario.team, into: captures, smtp: "\(scenario.p)team@anchor.test", type: "Unified")

        // An owner added to the team since the snapshot: deleting would lose it. Stale, kept.
        try await Self.editGroup(rehearsal, scenario.team) {
          $0["owners"] = [scenario.alice, scenario.carol]
        }
        let stale = try await rehearsal.run([
          "groups", "apply", "--plan", planPath, "--write-ad", "--exchange-capture", captures.path,
          "--yes",
        ])
        #expect(stale.status == 5, "\(stale.stdout)\(stale.stderr)")
        #expect(
          stale.stdout.contains(
            "stale: \(scenario.team) deleteCloudGroup: the group changed since its snapshot (owners: 1 added, 0 removed)"
          ),
          "\(stale.stdout)")
        #expect(try await Self.cloudGroup(rehearsal, scenario.team) != nil)
        try await Self.editGroup(rehearsal, scenario.team) { $0["owners"] = [scenario.alice] }

        let apply = try await rehearsal.run([
          "groups", "apply", "--plan", planPath, "--write-ad", "--exchange-capture", captures.path,
          "--yes",
        ])
        #expect(apply.status == 5, "\(apply.stdout)\(apply.stderr)")
        #expect(try await Self.cloudGroup(rehearsal, scenario.team) == nil)

        // Microsoft 365 group: every Graph field comes back; the script sets what Graph can't
        // (the X500 of its old legacyExchangeDN, hidden from address lists).
        let team = try await rehearsal.run(["groups", "restore", "--group", scenario.team, "--yes"])
        #expect(team.status == 5, "\(team.stdout)\(team.stderr)")
        let rebuilt = try #require(try await Self.groupNamed(rehearsal, "Team \(scenario.p)"))
        #expect(rebuilt["groupTypes"] as? [String] == ["Unified"])
        #expect(rebuilt["mailNickname"] as? String == "\(scenario.p)team")
        #expect(rebuilt["mail"] as? String == "\(scenario.p)team@anchor.test")
        #expect(rebuilt["description"] as? String == "Project team")
        #expect(rebuilt["visibility"] as? String == "Private")
        #expect(rebuilt["members"] as? [String] == [scenario.alice])
        #expect(rebuilt["owners"] as? [String] == [scenario.alice])
        let rebuiltId = try #require(rebuilt["id"] as? String)
        #expect(
          team.stdout.contains(
            "Set-UnifiedGroup -Identity '\(rebuiltId)' -EmailAddresses @{Add=@('X500:\(scenario.legacyDN)\(scenario.team.prefix(4))')} -HiddenFromAddressListsEnabled $true"
          ),
          "\(team.stdout)")

        // Security group: members, owner, parent, app role and licence come back.
        // (Its other parent, the DL, is an Exchange group: the script's, so exit 5.)
        let sg = try await rehearsal.run(["groups", "restore", "--group", scenario.sg, "--yes"])
        #expect(sg.status == 5, "\(sg.stdout)\(sg.stderr)")
        #expect(
          sg.stderr.contains("pending: \(scenario.sg) restoreAccess: add to DL"), "\(sg.stderr)")
        let security = try #require(try await Self.groupNamed(rehearsal, "SG \(scenario.p)"))
        let newId = try #require(security["id"] as? String)
        #expect(newId != scenario.sg)
        #expect(security["description"] as? String == "VPN access")
        #expect(security["mailNickname"] as? String == "\(scenario.p)sg")
        #expect(Set(security["members"] as? [String] ?? []) == [scenario.alice, scenario.bob])
        #expect(security["owners"] as? [String] == [scenario.carol])
        #expect(
          (security["assignedLicenses"] as? [[String: Any]])?.map { $0["skuId"] as? String } == [
            scenario.sku
          ])
        #expect(
          (security["appRoleAssignments"] as? [[String: Any]])?.map { $0["appRoleId"] as? String }
            == [scenario.appRole])
        let apps = try #require(try await Self.cloudGroup(rehearsal, scenario.appsParent))
        #expect(apps["members"] as? [String] == [newId])
        // Again: the same group, nothing created twice.
        let rerun = try await rehearsal.run(["groups", "restore", "--group", scenario.sg, "--yes"])
        #expect(rerun.stderr.contains("already restored as \(newId)"), "\(rerun.stderr)")
        let state = try await Self.tenant(rehearsal)
        #expect(
          (state["groups"] as? [[String: Any]] ?? []).filter {
            $0["displayName"] as? String == "SG \(scenario.p)"
          }.count == 1)

        // A group that still exists is not "restored"; an unknown one has no snapshot.
        let exists = try await rehearsal.run(["groups", "restore", "--group", scenario.dl, "--yes"])
        #expect(exists.status == 2 && exists.stderr.contains("still exists"), "\(exists.stderr)")
        let unknown = try await rehearsal.run([
          "groups", "restore", "--group", Rehearsal.cloudID("nobody"), "--yes",
        ])
        #expect(unknown.status == 2 && unknown.stderr.contains("no snapshot"), "\(unknown.stderr)")

        // The distribution list, once removed in Exchange: a restore script from the snapshot and
        // the capture (Graph cannot create it).
        var root = try await Self.tenant(rehearsal)
        root["groups"] = (root["groups"] as? [[String: Any]] ?? []).filter {
          $0["id"] as? String != scenario.dl
        }.map { group in
          var group = group
          group["members"] = (group["members"] as? [String] ?? []).filter { $0 != scenario.dl }
          return group
        }
        try await Self.setTenant(rehearsal, root)
        let scriptPath = rehearsal.temp.url.appendingPathComponent("restore.ps1").path
        let dl = try await rehearsal.run([
          "groups", "restore", "--group", scenario.dl, "--script", scriptPath, "--yes",
        ])
        #expect(dl.status == 5, "\(dl.stdout)\(dl.stderr)")
        let script = try String(contentsOfFile: scriptPath, encoding: .utf8)
        let p = scenario.p
        #expect(
          script.contains(
            "New-DistributionGroup -Name 'DL \(p)' -DisplayName 'DL \(p)' -Alias '\(p)dl' "
              + "-PrimarySmtpAddress '\(p)dl@anchor.test' -Type Distribution -Members "
              + "@('alice.anders@anchor.test','bob.brandt@anchor.test','\(p)guest@anchortest.onmicrosoft.com','\(scenario.sg)')"
          ),
          "\(script)")
        #expect(script.contains("'smtp:\(p)dl-old@anchor.test'"))
        #expect(script.contains("'X500:\(scenario.legacyDN)\(scenario.dl.prefix(4))'"))
        #expect(script.contains("-ManagedBy @('carol.castro@anchor.test')"))
        #expect(script.contains("-HiddenFromAddressListsEnabled $true"))
        #expect(script.contains("-Trustee 'alice.anders@anchor.test' -AccessRights SendAs"))
        #expect(
          script.contains(
            "Add-DistributionGroupMember -Identity '\(scenario.dlParent)' -Member $group.Identity"))
        #expect(!(try rehearsal.stateFilesText().contains(rehearsal.secret)))
      }
    }

    /// A synced group (the AD security group's twin) and a tenant with or without Group SOA.
    static func addSyncedTwin(
      _ rehearsal: Rehearsal, _ scenario: GroupScenario, capabilities: [String: Any]?
    ) async throws -> String {
      let sids = try await Self.sids(rehearsal)
      var root = try await Self.tenant(rehearsal)
      let id = Rehearsal.cloudID(scenario.p + "synced-sg")
      // Only the synced twin: the cloud-only groups would match the other AD groups.
      root["groups"] = [
        [
          "id": id, "displayName": "SG \(scenario.p)", "mailNickname": scenario.ad.sam("sg"),
          "mailEnabled": false, "securityEnabled": true, "groupTypes": [],
          "onPremisesSyncEnabled": true,
          "onPremisesSecurityIdentifier": try #require(sids[scenario.ad.dn("sg").lowercased()]),
          "members": [scenario.alice],
        ] as [String: Any]
      ]
      if let capabilities { root["capabilities"] = capabilities }
      try await Self.setTenant(rehearsal, root)
      return id
    }

    @Test func toCloudSwitchesSourceOfAuthorityOrPlansARecreation() async throws {
      try await Self.withScenario { scenario, rehearsal in
        let ad = scenario.ad
        let planPath = rehearsal.temp.url.appendingPathComponent("to-cloud.json").path

        _ = try await Self.addSyncedTwin(
          rehearsal, scenario, capabilities: ["groupSourceOfAuthority": false])
        let unsupported = try await rehearsal.run([
          "groups", "plan", "--direction", "to-cloud", "--out", planPath,
        ])
        #expect(unsupported.status == 0, "\(unsupported.stdout)\(unsupported.stderr)")
        var items = Self.items(try Self.plan(planPath))
        let id = Rehearsal.cloudID(scenario.p + "synced-sg")
        #expect(items[id]?["action"] as? String == "recreateInCloud")
        #expect(items[id]?["reason"] as? String == "sourceOfAuthorityUnsupported")

        _ = try await Self.addSyncedTwin(
          rehearsal, scenario, capabilities: ["groupSourceOfAuthority": true])
        let supported = try await rehearsal.run([
          "groups", "plan", "--direction", "to-cloud", "--out", planPath,
        ])
        #expect(supported.status == 0, "\(supported.stdout)\(supported.stderr)")
        items = Self.items(try Self.plan(planPath))
        #expect(items[id]?["action"] as? String == "switchSourceOfAuthority")
        try await Rehearsal.validate(planPath, schema: "groups-plan.schema.json")

        let before = try await rehearsal.run(["groups", "verify", "--plan", planPath])
        #expect(
          before.status == 5 && before.stdout.contains("isCloudManaged is false"),
          "\(before.stdout)")
        let apply = try await rehearsal.run(["groups", "apply", "--plan", planPath, "--yes"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(apply.stdout.contains("done: \(id) switchSourceOfAuthority"), "\(apply.stdout)")
        let group = try #require(try await Self.cloudGroup(rehearsal, id))
        #expect(group["onPremisesSyncEnabled"] == nil || group["onPremisesSyncEnabled"] is NSNull)
        let verify = try await rehearsal.run(["groups", "verify", "--plan", planPath])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let again = try await rehearsal.run(["groups", "apply", "--plan", planPath, "--yes"])
        #expect(
          again.stdout.contains("unchanged: \(id) switchSourceOfAuthority"), "\(again.stdout)")
      }
    }
  }
}
