import Foundation
import TenantEmulator
import TestSupport
import Testing

extension EndToEnd {
  /// `anchorbridge run` against a tenant that never answers: the time budget stops it with exit 6
  /// and the lock is released, so cron's next run is not locked out (75).
  @Suite(
    .serialized,
    .enabled(if: TestDomainController.shouldRun, "needs the test DC: Scripts/dc.sh start"))
  struct RunBudgetEndToEndTests {
    @Test func aHangingTenantEndsWithExit6AndReleasesTheLock() async throws {
      let rehearsal = try await Rehearsal(
        config: "run: { maxSeconds: 30 }",
        usersFilter: "(&(objectClass=user)(sAMAccountName=alice.anders))",
        emulator: EmulatorOptions(
          faultRate: 1.0, faults: [.timeout], seed: 21, timeoutHold: .seconds(600))
      ) { fixture in [try Rehearsal.twin(fixture, "alice.anders")] }
      defer { Task { try? await rehearsal.shutdown() } }

      let started = ContinuousClock.now
      let first = try await rehearsal.run(["run", "--max-seconds", "2"])
      #expect(first.status == 6, "\(first.stdout)\(first.stderr)")
      #expect(first.stderr.contains("time budget of 2 s"))
      #expect(ContinuousClock.now - started < .seconds(60))
      let second = try await rehearsal.run(["run", "--max-seconds", "1"])
      #expect(second.status == 6, "\(second.stdout)\(second.stderr)")
    }
  }
}
