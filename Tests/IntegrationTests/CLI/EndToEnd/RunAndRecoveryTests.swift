import Foundation
import TestSupport
import Testing

extension EndToEnd {
  /// `anchorbridge run` (the cron job) and crash recovery, through the built binary against the test
  /// DC and the tenant emulator.
  @Suite(
    .serialized,
    .enabled(if: TestDomainController.shouldRun, "needs the test DC: Scripts/dc.sh start"))
  struct RunAndRecoveryTests {
    func report(_ rehearsal: Rehearsal) throws -> [String: Any] {
      let data = try Data(
        contentsOf: URL(fileURLWithPath: rehearsal.stateDirectory + "/reports/latest.json"))
      return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Validates the latest report against `Schemas/report.schema.json`.
    func validateReport(_ rehearsal: Rehearsal) async throws {
      try await Rehearsal.validate(
        rehearsal.stateDirectory + "/reports/latest.json", schema: "report.schema.json")
    }

    @Test func runConvergesThenReadsIncrementally() async throws {
      let prom = "PROM"
      // Only the two users this test links: other suites modify other Staff users meanwhile (the
      // AD reader's incremental test changes a description), which would rightly defeat the shortcut.
      let rehearsal = try await Rehearsal(
        config: "report: { prometheusTextfile: \(prom) }",
        usersFilter:
          "(&(objectClass=user)(|(sAMAccountName=alice.anders)(sAMAccountName=bob.brandt)))"
      ) { fixture in [try Rehearsal.twin(fixture, "alice.anders")] }
      defer { Task { try? await rehearsal.shutdown() } }
      // The textfile path is only known now; rewrite it into the config.
      let promPath = rehearsal.temp.url.appendingPathComponent("anchorbridge.prom").path
      let config = try String(contentsOfFile: rehearsal.configPath, encoding: .utf8)
      try config.replacingOccurrences(of: prom, with: promPath).write(
        toFile: rehearsal.configPath, atomically: true, encoding: .utf8)

      let first = try await rehearsal.run(["run"])
      #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
      #expect(
        try await rehearsal.cloudUser("alice.anders")["onPremisesImmutableId"] as? String
          == (try rehearsal.anchor("alice.anders")))
      var report = try report(rehearsal)
      #expect(report["outcome"] as? String == "converged")
      #expect((report["tenantRead"] as? [String: Any])?["mode"] as? String == "full")
      #expect((report["directoryRead"] as? [String: Any])?["mode"] as? String == "full")
      try await validateReport(rehearsal)
      // stderr is not a terminal here: every line (logs and messages) is a JSON object.
      #expect(!first.stderr.isEmpty)
      for line in first.stderr.split(separator: "\n") {
        #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "\(line)")
      }
      let metrics = try String(contentsOfFile: promPath, encoding: .utf8)
      #expect(metrics.contains("anchorbridge_last_run_exit_code 0"))
      #expect(metrics.contains("anchorbridge_last_run_items{outcome=\"applied\"} 1"))

      // Our own write comes back through delta: one more full plan, nothing to do.
      let second = try await rehearsal.run(["run"])
      #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
      // Nothing changed anywhere: the incremental shortcut.
      let third = try await rehearsal.run(["run"])
      #expect(third.status == 0, "\(third.stdout)\(third.stderr)")
      report = try self.report(rehearsal)
      #expect(report["outcome"] as? String == "unchanged")
      #expect((report["tenantRead"] as? [String: Any])?["mode"] as? String == "delta")
      #expect((report["directoryRead"] as? [String: Any])?["mode"] as? String == "unchanged")
      try await validateReport(rehearsal)
      #expect(await rehearsal.patches().count == 1)

      // A new cloud twin appears: the next run links it.
      var state = try #require(
        try JSONSerialization.jsonObject(with: try await rehearsal.server.stateJSON())
          as? [String: Any])
      var users = try #require(state["users"] as? [[String: Any]])
      let bob = try Rehearsal.twin(rehearsal.fixture, "bob.brandt")
      users.append(
        try #require(try JSONSerialization.jsonObject(with: Data(bob.utf8)) as? [String: Any]))
      state["users"] = users
      try await rehearsal.server.replaceState(try JSONSerialization.data(withJSONObject: state))
      let fourth = try await rehearsal.run(["run"])
      #expect(fourth.status == 0, "\(fourth.stdout)\(fourth.stderr)")
      #expect(
        try await rehearsal.cloudUser("bob.brandt")["onPremisesImmutableId"] as? String
          == (try rehearsal.anchor("bob.brandt")))
      // Every configured secret (the tenant's client secret, the LDAP bind password) appears in no
      // output, log line, journal, cache, plan or report; every state file is private.
      let secrets = [rehearsal.secret, try rehearsal.dc.servicePassword()]
      let stateText = try rehearsal.stateFilesText()
      for secret in secrets {
        for result in [first, second, third, fourth] {
          #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret))
        }
        #expect(!stateText.contains(secret))
        #expect(!(try String(contentsOfFile: promPath, encoding: .utf8)).contains(secret))
      }
      let enumerator = FileManager.default.enumerator(atPath: rehearsal.stateDirectory)
      while let relative = enumerator?.nextObject() as? String {
        let path = rehearsal.stateDirectory + "/" + relative
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let mode = (attributes[.posixPermissions] as? Int ?? 0) & 0o777
        let isFolder = attributes[.type] as? FileAttributeType == .typeDirectory
        #expect(
          mode == (isFolder ? 0o700 : 0o600), "\(relative) has mode \(String(mode, radix: 8))")
      }
    }

    @Test func runStopsAtTheSafetyThresholdAndSavesThePlan() async throws {
      let rehearsal = try await Rehearsal(config: "safety: { maxChanges: 1 }") { fixture in
        [try Rehearsal.twin(fixture, "alice.anders"), try Rehearsal.twin(fixture, "bob.brandt")]
      }
      defer { Task { try? await rehearsal.shutdown() } }
      let result = try await rehearsal.run(["run"])
      #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
      #expect(await rehearsal.patches().isEmpty)
      let report = try report(rehearsal)
      #expect(report["outcome"] as? String == "safetyThresholdExceeded")
      try await validateReport(rehearsal)
      let planFile = try #require(report["planFile"] as? String)
      #expect(FileManager.default.fileExists(atPath: planFile))
      #expect(result.stdout.contains("--max-changes 2"))
    }

    /// A crash (SIGKILL) at every journal point of a federated three-step sequence, then a rerun:
    /// the run converges, nothing is lost, and no user is left on the temporary UPN.
    @Test(arguments: ["afterRunStart", "afterIntent", "afterWrite", "afterDone", "afterVerify"])
    func crashAtEveryJournalPointThenRerunConverges(point: String) async throws {
      for occurrence in 1...3 {
        let rehearsal = try await Rehearsal(config: "matching: { allowRelink: true }") { fixture in
          [
            try Rehearsal.twin(
              fixture, "meta.user", upn: "meta.user@anchor.example",
              anchor: "legacy-anchor-from-adfs"
            ),
            try Rehearsal.twin(fixture, "alice.anders"),
          ]
        }
        let planPath = rehearsal.temp.url.appendingPathComponent("plan.json").path
        #expect(try await rehearsal.run(["plan", "--out", planPath]).status == 0)
        let crashed = try await rehearsal.run(
          ["apply", "--plan", planPath, "--yes"],
          environment: ["ANCHORBRIDGE_TEST_CRASH": "\(point):\(occurrence)"])
        // Every point is passed once per round (3 rounds: the federated sequence's steps), the run
        // start once: a point not reached that often lets the run finish.
        let reached = point != "afterRunStart" || occurrence == 1
        #expect(
          crashed.status == (reached ? 9 : 0),
          "\(point):\(occurrence) \(crashed.stdout)\(crashed.stderr)")

        let rerun = try await rehearsal.run(["apply", "--plan", planPath, "--yes"])
        #expect(rerun.status == 0, "\(point):\(occurrence) \(rerun.stdout)\(rerun.stderr)")
        let federated = try await rehearsal.cloudUser("meta.user")
        #expect(federated["userPrincipalName"] as? String == "meta.user@anchor.example")
        #expect(
          federated["onPremisesImmutableId"] as? String == (try rehearsal.anchor("meta.user")))
        #expect(
          try await rehearsal.cloudUser("alice.anders")["onPremisesImmutableId"] as? String
            == (try rehearsal.anchor("alice.anders")))
        let onTemporary = try await rehearsal.cloudUsers().filter {
          ($0["userPrincipalName"] as? String ?? "").hasSuffix("onmicrosoft.com")
        }
        #expect(onTemporary.isEmpty, "\(point):\(occurrence)")
        try await rehearsal.shutdown()
      }
    }
  }
}
