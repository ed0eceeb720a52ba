import Foundation
import TestSupport
import Testing

extension EndToEnd {
  /// plan → apply → history → rollback against the test DC and the tenant emulator, through the
  /// built binary (issue 5's end-to-end list).
  @Suite(
    .serialized,
    .enabled(if: TestDomainController.shouldRun, "needs the test DC: Scripts/dc.sh start"))
  struct ApplyEndToEndTests {
    @Test func hardMatchIsAppliedVerifiedIdempotentAndRolledBack() async throws {
      let rehearsal = try await Rehearsal { fixture in
        [
          try Rehearsal.twin(fixture, "alice.anders"), try Rehearsal.twin(fixture, "bob.brandt"),
        ]
      }
      defer { Task { try? await rehearsal.shutdown() } }
      let before = try await rehearsal.cloudUsers()
      let planPath = rehearsal.temp.url.appendingPathComponent("plan.json").path

      let plan = try await rehearsal.run(["plan", "--out", planPath, "--format", "json"])
      #expect(plan.status == 0, "\(plan.stderr)")
      #expect(try await rehearsal.patches().isEmpty, "plan must not write")

      let apply = try await rehearsal.run(["apply", "--plan", planPath, "--yes"])
      #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
      for sam in ["alice.anders", "bob.brandt"] {
        let user = try await rehearsal.cloudUser(sam)
        #expect(user["onPremisesImmutableId"] as? String == (try rehearsal.anchor(sam)))
      }
      let writes = await rehearsal.patches().count
      #expect(writes == 2)

      // The same plan again: positioned by state, every item is already done, nothing is written.
      let again = try await rehearsal.run(["apply", "--plan", planPath, "--yes"])
      #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
      #expect(again.stdout.contains("2 unchanged"), "\(again.stdout)")
      #expect(await rehearsal.patches().count == writes)

      // history: JSON array of runs, oldest first, each with its id.
      let history = try await rehearsal.run(["history", "--format", "json"])
      #expect(history.status == 0, "\(history.stderr)")
      let runs = try #require(
        try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]])
      #expect(runs.count == 2)
      let firstRun = try #require(runs.first?["id"] as? String)
      #expect(
        runs.map { $0["startedAt"] as? String ?? "" }
          == runs.map { $0["startedAt"] as? String ?? "" }.sorted())

      let rollback = try await rehearsal.run(["rollback", "--run", firstRun, "--yes"])
      #expect(rollback.status == 0, "\(rollback.stdout)\(rollback.stderr)")
      let after = try await rehearsal.cloudUsers()
      #expect(Self.essentials(after) == Self.essentials(before))

      // Secrets appear in no output and no file of the state folder (journal, plans, reports).
      for result in [plan, apply, again, history, rollback] {
        #expect(
          !result.stdout.contains(rehearsal.secret) && !result.stderr.contains(rehearsal.secret))
      }
      #expect(!(try rehearsal.stateFilesText()).contains(rehearsal.secret))
      #expect(!(try String(contentsOfFile: planPath, encoding: .utf8)).contains(rehearsal.secret))
      let journal = rehearsal.stateDirectory + "/journal.sqlite"
      let mode =
        try FileManager.default.attributesOfItem(atPath: journal)[.posixPermissions] as? Int
      #expect(mode == 0o600)
    }

    @Test func federatedUserIsRelinkedThroughTheInitialDomainAndBack() async throws {
      let rehearsal = try await Rehearsal(config: "matching: { allowRelink: true }") { fixture in
        [
          try Rehearsal.twin(
            fixture, "meta.user", upn: "meta.user@anchor.example", anchor: "legacy-anchor-from-adfs"
          )
        ]
      }
      defer { Task { try? await rehearsal.shutdown() } }
      let planPath = rehearsal.temp.url.appendingPathComponent("plan.json").path
      #expect(try await rehearsal.run(["plan", "--out", planPath]).status == 0)
      let apply = try await rehearsal.run(["apply", "--plan", planPath, "--yes"])
      #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
      let user = try await rehearsal.cloudUser("meta.user")
      #expect(user["userPrincipalName"] as? String == "meta.user@anchor.example")
      #expect(user["onPremisesImmutableId"] as? String == (try rehearsal.anchor("meta.user")))
      let bodies = await rehearsal.patches().compactMap(\.body)
      #expect(bodies.count == 3)
      #expect(bodies.first?.contains("anchortest.onmicrosoft.com") == true)
      #expect(bodies.last?.contains("meta.user@anchor.example") == true)
      #expect(bodies.last?.contains("onPremisesImmutableId") == true)

      let runs = try await rehearsal.run(["history", "--format", "json"])
      let id = try #require(
        (try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]])?
          .first?["id"] as? String)
      let rollback = try await rehearsal.run(["rollback", "--run", id, "--yes"])
      #expect(rollback.status == 0, "\(rollback.stdout)\(rollback.stderr)")
      let restored = try await rehearsal.cloudUser("meta.user")
      #expect(restored["userPrincipalName"] as? String == "meta.user@anchor.example")
      #expect(restored["onPremisesImmutableId"] as? String == "legacy-anchor-from-adfs")
    }

    @Test func clearSendsExplicitNullAndDryRunWritesNothing() async throws {
      let rehearsal = try await Rehearsal { fixture in
        [
          try Rehearsal.twin(
            fixture, "alice.anders",
            anchor: fixture.users["alice.anders"]?["objectGuidBase64"]?.string)
        ]
      }
      defer { Task { try? await rehearsal.shutdown() } }
      let dry = try await rehearsal.run([
        "clear", "--user", "alice.anders@anchor.test", "--dry-run",
      ])
      #expect(dry.status == 0, "\(dry.stderr)")
      #expect(await rehearsal.patches().isEmpty)

      let clear = try await rehearsal.run(["clear", "--user", "alice.anders@anchor.test", "--yes"])
      #expect(clear.status == 0, "\(clear.stdout)\(clear.stderr)")
      let user = try await rehearsal.cloudUser("alice.anders")
      #expect(user["onPremisesImmutableId"] is NSNull || user["onPremisesImmutableId"] == nil)
      let body = try #require(await rehearsal.patches().first?.body)
      #expect(
        body.replacingOccurrences(of: " ", with: "").contains("\"onPremisesImmutableId\":null"))

      let unknown = try await rehearsal.run(["clear", "--user", "nobody@anchor.test", "--yes"])
      #expect(unknown.status == 2)
      #expect(unknown.stderr.contains("nobody@anchor.test"))
    }

    @Test func staleItemsAreSkippedWithBothValues() async throws {
      let rehearsal = try await Rehearsal { fixture in
        [try Rehearsal.twin(fixture, "alice.anders"), try Rehearsal.twin(fixture, "bob.brandt")]
      }
      defer { Task { try? await rehearsal.shutdown() } }
      let planPath = rehearsal.temp.url.appendingPathComponent("plan.json").path
      #expect(try await rehearsal.run(["plan", "--out", planPath]).status == 0)
      // Someone else sets alice's anchor between review and apply.
      var state = try #require(
        try JSONSerialization.jsonObject(with: try await rehearsal.server.stateJSON())
          as? [String: Any])
      var users = try #require(state["users"] as? [[String: Any]])
      let alice = Rehearsal.cloudID("alice.anders")
      for index in users.indices where (users[index]["id"] as? String) == alice {
        users[index]["onPremisesImmutableId"] = "set-by-someone-else"
      }
      state["users"] = users
      try await rehearsal.server.replaceState(try JSONSerialization.data(withJSONObject: state))

      let apply = try await rehearsal.run(["apply", "--plan", planPath, "--yes"])
      #expect(apply.status == 5, "\(apply.stdout)\(apply.stderr)")
      #expect(apply.stdout.contains("stale"))
      #expect(apply.stdout.contains("set-by-someone-else"))
      #expect(
        try await rehearsal.cloudUser("alice.anders")["onPremisesImmutableId"] as? String
          == "set-by-someone-else")
      #expect(
        try await rehearsal.cloudUser("bob.brandt")["onPremisesImmutableId"] as? String
          == (try rehearsal.anchor("bob.brandt")))
    }

    @Test func safetyThresholdRefusesBeforeAnyWrite() async throws {
      let rehearsal = try await Rehearsal(config: "safety: { maxChanges: 1 }") { fixture in
        [try Rehearsal.twin(fixture, "alice.anders"), try Rehearsal.twin(fixture, "bob.brandt")]
      }
      defer { Task { try? await rehearsal.shutdown() } }
      let planPath = rehearsal.temp.url.appendingPathComponent("plan.json").path
      #expect(try await rehearsal.run(["plan", "--out", planPath]).status == 0)
      let refused = try await rehearsal.run(["apply", "--plan", planPath, "--yes"])
      #expect(refused.status == 3, "\(refused.stdout)\(refused.stderr)")
      #expect(refused.stderr.contains("maxChanges"))
      #expect(await rehearsal.patches().isEmpty)
      let raised = try await rehearsal.run([
        "apply", "--plan", planPath, "--yes", "--max-changes", "2",
      ])
      #expect(raised.status == 0, "\(raised.stdout)\(raised.stderr)")
      #expect(await rehearsal.patches().count == 2)
    }

    @Test func confirmationLockTamperingAndBadConfigAreRefused() async throws {
      let rehearsal = try await Rehearsal { fixture in [try Rehearsal.twin(fixture, "alice.anders")]
      }
      defer { Task { try? await rehearsal.shutdown() } }
      let planPath = rehearsal.temp.url.appendingPathComponent("plan.json").path
      #expect(try await rehearsal.run(["plan", "--out", planPath]).status == 0)

      // No terminal and no --yes: a usage error, nothing written.
      let unconfirmed = try await rehearsal.run(["apply", "--plan", planPath])
      #expect(unconfirmed.status == 2, "\(unconfirmed.stderr)")
      #expect(unconfirmed.stderr.contains("--yes"))

      // Another process holds the lock: 75 at once.
      try FileManager.default.createDirectory(
        atPath: rehearsal.stateDirectory, withIntermediateDirectories: true)
      let descriptor = open(
        rehearsal.stateDirectory + "/anchorbridge.lock", O_RDWR | O_CREAT, 0o600)
      #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
      let locked = try await rehearsal.run(["apply", "--plan", planPath, "--yes"])
      let lockedRun = try await rehearsal.run(["run"])
      flock(descriptor, LOCK_UN)
      close(descriptor)
      #expect(locked.status == 75 && lockedRun.status == 75, "\(locked.stderr)")
      #expect(locked.stderr.contains("lock"))

      // A tampered plan is refused by its checksum.
      var text = try String(contentsOfFile: planPath, encoding: .utf8)
      text = text.replacingOccurrences(of: "alice.anders@anchor.test", with: "mallory@anchor.test")
      let tampered = try rehearsal.temp.write("tampered.json", text)
      let refused = try await rehearsal.run(["apply", "--plan", tampered, "--yes"])
      #expect(refused.status == 2, "\(refused.stderr)")
      #expect(refused.stderr.contains("checksum"))
      #expect(await rehearsal.patches().isEmpty)

      // Bad configuration: exit 2 naming the key; unknown option: exit 2 (usage).
      let badConfig = try rehearsal.temp.write(
        "bad.yaml",
        try String(contentsOfFile: rehearsal.configPath, encoding: .utf8)
          + "safety: { maxChanges: lots }\n")
      let bad = try await Rehearsal.offPool {
        try Subprocess.anchorbridge(["plan", "--config", badConfig])
      }
      #expect(bad.status == 2)
      #expect(bad.stderr.contains("safety.maxChanges"))
      let configPath = rehearsal.configPath
      let usage = try await Rehearsal.offPool {
        try Subprocess.anchorbridge(["apply", "--config", configPath])
      }
      #expect(usage.status == 2, "\(usage.stderr)")
    }

    /// The fields a rollback must restore, per user id.
    static func essentials(_ users: [[String: Any]]) -> [String: String] {
      var out: [String: String] = [:]
      for user in users {
        let id = user["id"] as? String ?? ""
        out[id] =
          "\(user["userPrincipalName"] as? String ?? "")|\(user["onPremisesImmutableId"] as? String ?? "null")"
      }
      return out
    }
  }
}
