import ArgumentParser
import Foundation
import Testing

@testable import anchorbridge

/// `run`'s total time budget: `run.maxSeconds` / `--max-seconds`, exit 6 when spent.
@Suite("Run time budget")
struct RunBudgetTests {
  @Test func aJobInsideTheBudgetReturnsItsResult() async throws {
    let value = try await RunBudget.within(seconds: 5) { 42 }
    #expect(value == 42)
  }

  @Test func aJobThatStopsOnCancellationEndsWithTheBudget() async throws {
    let started = ContinuousClock.now
    let error = await #expect(throws: RunBudget.Exhausted.self) {
      _ = try await RunBudget.within(seconds: 1) {
        try await Task.sleep(for: .seconds(600))
        return 0
      }
    }
    #expect(error?.seconds == 1)
    #expect(error?.description.contains("run.maxSeconds") == true)
    // Long before the job would have ended by itself; the margin absorbs a loaded machine (and
    // ThreadSanitizer), where a 1 s timer on a busy cooperative pool can fire many seconds late.
    #expect(ContinuousClock.now - started < .seconds(120))
  }

  @Test func aJobThatIgnoresCancellationIsAbandonedAfterTheGrace() async throws {
    let started = ContinuousClock.now
    await #expect(throws: RunBudget.Exhausted.self) {
      _ = try await RunBudget.within(seconds: 1, grace: .milliseconds(200)) {
        // Awaiting a detached task's value does not pass the cancellation on: a hung server.
        try await Task.detached { try await Task.sleep(for: .seconds(600)) }.value
        return 0
      }
    }
    #expect(ContinuousClock.now - started < .seconds(120))
  }

  @Test func theBudgetIsConfiguredWithADefault() throws {
    #expect(
      try Configuration(yaml: "safety: { maxChanges: 5 }\n", file: "r.yaml").run.maxSeconds == 3600)
    #expect(
      try Configuration(yaml: "run: { maxSeconds: 120 }\n", file: "r.yaml").run.maxSeconds == 120)
    #expect(throws: ConfigurationError.self) {
      _ = try Configuration(yaml: "run: { maxSeconds: 0 }\n", file: "r.yaml")
    }
    #expect(throws: ConfigurationError.self) {
      _ = try Configuration(yaml: "run: { maxMinutes: 5 }\n", file: "r.yaml")
    }
  }

  @Test func theFlagOverridesAndIsChecked() throws {
    let command = try RunCommand.parse(["--config", "/x.yaml", "--max-seconds", "30"])
    #expect(command.maxSeconds == 30)
    #expect(throws: (any Error).self) {
      _ = try RunCommand.parse(["--config", "/x.yaml", "--max-seconds", "0"])
    }
    #expect(ExitStatus.timeBudget == 6)
  }
}
