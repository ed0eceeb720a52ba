import Foundation
import TestSupport
import Testing

extension EndToEnd {
  /// `anchors writeback` → `apply` → `rollback` and `softmatch report` / `clear --all-cloud-only`
  /// against the test DC (users created for the test in its own OU, deleted at the end) and the emulator.
  @Suite(
    .enabled(if: TestDomainController.shouldRun, "needs the test DC: Scripts/dc.sh start"),
    .serialized)
  struct WritebackEndToEndTests {
    /// The items of a plan file by the twin's DN (lowercased): "action reason".
    static func items(_ path: String) throws -> [String: String] {
      let data = try Data(contentsOf: URL(fileURLWithPath: path))
      let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      #expect(root["kind"] as? String == "anchorWriteback")
      var out: [String: String] = [:]
      for item in root["items"] as? [[String: Any]] ?? [] {
        let dn = (item["directory"] as? [String: Any])?["distinguishedName"] as? String
        let key =
          dn?.lowercased() ?? "cloud:"
          + ((item["cloud"] as? [String: Any])?["id"] as? String ?? "?")
        out[key] = "\(item["action"] as? String ?? "?") \(item["reason"] as? String ?? "?")"
      }
      return out
    }

    static func lastRun(_ rehearsal: Rehearsal) async throws -> String {
      let history = try await rehearsal.run(["history", "--format", "json"])
      let runs = try #require(
        try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]])
      return try #require(runs.last?["id"] as? String)
    }

    @Test func writebackSetsTheExactBytesAndRollbackRestoresValueAndAbsence() async throws {
      let dc = try TestDomainController.require()
      let ad = DirectoryUsers(dc)
      let (first, second, previous) = (
        DirectoryUsers.randomGuid(), DirectoryUsers.randomGuid(), DirectoryUsers.randomGuid()
      )
      let rehearsal = try await Rehearsal(
        config: "matching: { includeDisabled: true }\nwriteback: { allowReplace: true }",
        anchor: "consistencyGuid", bindAsAdmin: true, usersBases: [ad.ou],
        usersFilter: "(&(objectClass=user)(sAMAccountName=\(ad.prefix)*))"
      ) { _ in
        [
          Rehearsal.user(
            id: Rehearsal.cloudID(ad.sam("a")), upn: ad.upn("a"), mail: nil,
            anchor: DirectoryUsers.base64(first)),
          Rehearsal.user(
            id: Rehearsal.cloudID(ad.sam("b")), upn: ad.upn("b"), mail: nil,
            anchor: DirectoryUsers.base64(second)),
        ]
      }
      defer { Task { try? await rehearsal.shutdown() } }
      try await ad.create("a")
      try await ad.create("b", consistencyGuid: previous)
      do {
        let planPath = rehearsal.temp.url.appendingPathComponent("writeback.json").path
        let plan = try await rehearsal.run([
          "anchors", "writeback", "--out", planPath, "--format", "json",
        ])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(
          try Self.items(planPath) == [
            ad.dn("a").lowercased(): "link consistencyGuidUnset",
            ad.dn("b").lowercased(): "relink consistencyGuidReplaced",
          ])
        #expect(try await ad.consistencyGuid("a") == nil, "planning must not write")

        let apply = try await rehearsal.run(["apply", "--plan", planPath, "--yes"])
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(try await ad.consistencyGuid("a") == first)
        #expect(try await ad.consistencyGuid("b") == second)

        let again = try await rehearsal.run(["apply", "--plan", planPath, "--yes"])
        #expect(
          again.status == 0 && again.stdout.contains("2 unchanged"),
          "\(again.stdout)\(again.stderr)")

        let runs = try await rehearsal.run(["history", "--format", "json"])
        let list = try #require(
          try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]])
        let applied = try #require(list.first?["id"] as? String)
        let rollback = try await rehearsal.run(["rollback", "--run", applied, "--yes"])
        #expect(rollback.status == 0, "\(rollback.stdout)\(rollback.stderr)")
        #expect(try await ad.consistencyGuid("a") == nil)
        #expect(try await ad.consistencyGuid("b") == previous)

        // The cloud side is never written by a writeback; no secret reaches output or state.
        #expect(await rehearsal.patches().isEmpty)
        for result in [plan, apply, again, rollback] {
          #expect(
            !result.stdout.contains(rehearsal.secret) && !result.stderr.contains(rehearsal.secret))
        }
        let adminPassword = try dc.adminPassword()
        #expect(!(try rehearsal.stateFilesText()).contains(adminPassword))
      } catch {
        try await ad.deleteAll()
        throw error
      }
      try await ad.deleteAll()
    }

    @Test func everyRefusalIsPlannedAsBlockedAndNothingIsWritten() async throws {
      let dc = try TestDomainController.require()
      let ad = DirectoryUsers(dc)
      let (taken, inUse, other) = (
        DirectoryUsers.randomGuid(), DirectoryUsers.randomGuid(), DirectoryUsers.randomGuid()
      )
      let cloud: [String] = [
        Rehearsal.user(
          id: Rehearsal.cloudID(ad.sam("r1")), upn: ad.upn("r1"), mail: nil,
          anchor: "EMP-\(ad.prefix)"),
        Rehearsal.user(
          id: Rehearsal.cloudID(ad.sam("r2")), upn: ad.upn("r2"), mail: nil,
          anchor: DirectoryUsers.base64(other)),
        Rehearsal.user(
          id: Rehearsal.cloudID(ad.sam("r3")), upn: ad.upn("r3"), mail: nil,
          anchor: DirectoryUsers.base64(inUse)),
      ]
      // The carrier of r3's bytes is outside the users read (another name): found by the domain search.
      let filter = "(&(objectClass=user)(sAMAccountName=\(ad.prefix)r*))"
      let rehearsal = try await Rehearsal(
        config: "matching: { includeDisabled: true }", anchor: "consistencyGuid", bindAsAdmin: true,
        usersBases: [ad.ou],
        usersFilter: filter
      ) { _ in cloud }
      defer { Task { try? await rehearsal.shutdown() } }
      let objectGUIDPolicy = try await Rehearsal(
        config: "matching: { includeDisabled: true }", anchor: "objectGUID", bindAsAdmin: true,
        usersBases: [ad.ou], usersFilter: filter
      ) { _ in [cloud[2]] }
      defer { Task { try? await objectGUIDPolicy.shutdown() } }
      try await ad.create("r1")
      try await ad.create("r2", consistencyGuid: taken)
      try await ad.create("r3")
      try await ad.create("carrier", consistencyGuid: inUse)
      do {
        let planPath = rehearsal.temp.url.appendingPathComponent("refusals.json").path
        let plan = try await rehearsal.run(["anchors", "writeback", "--out", planPath])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(
          try Self.items(planPath) == [
            ad.dn("r1").lowercased(): "blocked opaqueAnchor",
            ad.dn("r2").lowercased(): "blocked consistencyGuidAlreadySet",
            ad.dn("r3").lowercased(): "blocked consistencyGuidInUse",
          ])
        let apply = try await rehearsal.run(["apply", "--plan", planPath, "--yes"])
        #expect(apply.status == 5, "blocked items need a person: \(apply.stdout)\(apply.stderr)")
        #expect(try await ad.consistencyGuid("r1") == nil)
        #expect(try await ad.consistencyGuid("r2") == taken)
        #expect(try await ad.consistencyGuid("r3") == nil)

        let policyPath = objectGUIDPolicy.temp.url.appendingPathComponent("policy.json").path
        let policy = try await objectGUIDPolicy.run(["anchors", "writeback", "--out", policyPath])
        #expect(policy.status == 0, "\(policy.stderr)")
        #expect(
          try Self.items(policyPath) == [
            ad.dn("r3").lowercased(): "blocked anchorPolicyNotConsistencyGuid"
          ])
      } catch {
        try await ad.deleteAll()
        throw error
      }
      try await ad.deleteAll()
    }

    @Test func softMatchReportAndClearRefusal() async throws {
      let dc = try TestDomainController.require()
      let ad = DirectoryUsers(dc)
      let rehearsal = try await Rehearsal(
        roleHolders: [ad.sam("s3")], usersBases: [ad.ou],
        usersFilter: "(&(objectClass=user)(sAMAccountName=\(ad.prefix)*))"
      ) { _ in
        [
          // s1: one cloud user by UPN (cloud-only, with an ImmutableID a clear would remove).
          Rehearsal.user(
            id: Rehearsal.cloudID(ad.sam("s1")), upn: ad.upn("s1"), mail: nil,
            anchor: "old-forest-s1"
          ),
          // s2: its UPN names one cloud user and its primary SMTP another.
          Rehearsal.user(id: Rehearsal.cloudID(ad.sam("s2")), upn: ad.upn("s2"), mail: nil),
          Rehearsal.user(
            id: Rehearsal.cloudID(ad.sam("s2x")), upn: "\(ad.prefix)s2x@anchor.test",
            mail: "\(ad.prefix).s2@anchor.test"),
          // s3: a role holder.
          Rehearsal.user(id: Rehearsal.cloudID(ad.sam("s3")), upn: ad.upn("s3"), mail: nil),
          // s4: no cloud user at all.
        ]
      }
      defer { Task { try? await rehearsal.shutdown() } }
      try await ad.create("s1")
      try await ad.create("s2", mail: "\(ad.prefix).s2@anchor.test")
      try await ad.create("s3")
      try await ad.create("s4")
      do {
        let report = try await rehearsal.run(["softmatch", "report", "--format", "json"])
        #expect(report.status == 5, "blocking rows: \(report.stderr)")
        let root = try #require(
          try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        #expect(root["blockSoftMatchEnabled"] is NSNull, "an app-only token can't read the flag")
        #expect(root["blocking"] as? Bool == true)
        var rows: [String: String] = [:]
        for row in root["rows"] as? [[String: Any]] ?? [] {
          rows[(row["distinguishedName"] as? String ?? "").lowercased()] =
            "\(row["outcome"] as? String ?? "?") \(row["reason"] as? String ?? "-")"
        }
        #expect(
          rows == [
            ad.dn("s1").lowercased(): "willSoftMatch -",
            ad.dn("s2").lowercased(): "blocked duplicateMatch",
            ad.dn("s3").lowercased(): "blocked cloudUserHoldsRole",
            ad.dn("s4").lowercased(): "createsNewUser noCloudTwin",
          ])
        let table = try await rehearsal.run(["softmatch", "report"])
        #expect(
          table.stdout.contains("BLOCKING")
            && table.stdout.contains("blockSoftMatchEnabled: unknown")
        )

        let refused = try await rehearsal.run(["clear", "--all-cloud-only", "--yes"])
        #expect(refused.status == 5, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("refused") && refused.stderr.contains(ad.dn("s2")))
        #expect(await rehearsal.patches().isEmpty, "nothing written while the report blocks")

        let forced = try await rehearsal.run(
          ["clear", "--all-cloud-only", "--yes", "--ignore-softmatch-blocks"])
        #expect(forced.status == 0, "\(forced.stdout)\(forced.stderr)")
        #expect(
          try await rehearsal.cloudUser(ad.sam("s1"))["onPremisesImmutableId"] as? String == nil)
      } catch {
        try await ad.deleteAll()
        throw error
      }
      try await ad.deleteAll()
    }
  }
}
