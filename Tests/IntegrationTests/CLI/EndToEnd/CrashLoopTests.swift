import Foundation
import TenantEmulator
import TestSupport
import Testing

extension EndToEnd {
  /// `apply` and `run` killed with SIGKILL at random moments, 50 times, each time run again: the
  /// tenant ends exactly as the plan intends, nobody is left on a temporary UPN, and rolling back
  /// every run restores the starting state exactly.
  @Suite(.enabled(if: TestDomainController.shouldRun, "needs the test DC: Scripts/dc.sh start"))
  struct CrashLoopTests {
    @Test func killedFiftyTimesConvergesAndRollsBackExactly() async throws {
      // 15 ms per Graph request stretches a run to about a second, so kills land mid-run.
      let rehearsal = try await Rehearsal(
        config: "matching: { allowRelink: true }",
        emulator: EmulatorOptions(latency: .milliseconds(15))
      ) { fixture in
        [
          try Rehearsal.twin(fixture, "alice.anders"), try Rehearsal.twin(fixture, "bob.brandt"),
          try Rehearsal.twin(fixture, "zoe.mueller"),
          try Rehearsal.twin(
            fixture, "meta.user", upn: "meta.user@anchor.example", anchor: "legacy-anchor-x"),
        ]
      }
      defer { Task { try? await rehearsal.shutdown() } }
      let before = try await rehearsal.cloudUsers()
      let planPath = rehearsal.temp.url.appendingPathComponent("plan.json").path
      #expect(try await rehearsal.run(["plan", "--out", planPath]).status == 0)

      var state: UInt64 = 2026
      func next(_ bound: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(bound))
      }
      // Until 50 runs were killed mid-run (a run that finished before its kill doesn't count).
      var killed = 0
      var round = 0
      while killed < 50 && round < 200 {
        defer { round += 1 }
        let command = round % 2 == 0 ? ["apply", "--plan", planPath, "--yes"] : ["run"]
        let status = try await rehearsal.runKilled(command, afterMilliseconds: 10 + next(400))
        if status == 9 { killed += 1 }
        // Each round either was killed or finished: converged (0), or a lock left by nobody (never 75).
        #expect(status == 9 || status == 0, "round \(round) \(command[0]) exited \(status)")
      }
      #expect(killed == 50, "only \(killed) of \(round) rounds were killed mid-run")

      let apply = try await rehearsal.run(["apply", "--plan", planPath, "--yes"])
      #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
      let run = try await rehearsal.run(["run"])
      #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
      for sam in ["alice.anders", "bob.brandt", "zoe.mueller", "meta.user"] {
        #expect(
          try await rehearsal.cloudUser(sam)["onPremisesImmutableId"] as? String
            == (try rehearsal.anchor(sam)), "\(sam)")
      }
      #expect(
        try await rehearsal.cloudUser("meta.user")["userPrincipalName"] as? String
          == "meta.user@anchor.example")
      let temporary = try await rehearsal.cloudUsers().filter {
        ($0["userPrincipalName"] as? String ?? "").hasSuffix(".onmicrosoft.com")
      }
      #expect(temporary.isEmpty)

      // Roll back every run that applied something, newest first: the starting state, exactly.
      let history = try await rehearsal.run(["history", "--format", "json"])
      let runs = try #require(
        try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]])
      for entry in runs.reversed() where entry["kind"] as? String == "apply" {
        guard let id = entry["id"] as? String,
          (entry["counts"] as? [String: Int])?["applied", default: 0] ?? 0 > 0
            || entry["status"] as? String == "interrupted"
        else { continue }
        let rollback = try await rehearsal.run(["rollback", "--run", id, "--yes"])
        #expect(
          rollback.status == 0 || rollback.stderr.contains("nothing to roll back"),
          "\(id): \(rollback.stdout)\(rollback.stderr)")
      }
      #expect(
        ApplyEndToEndTests.essentials(try await rehearsal.cloudUsers())
          == ApplyEndToEndTests.essentials(before))
    }
  }
}
