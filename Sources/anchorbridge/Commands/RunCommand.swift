import ArgumentParser
import Foundation
import StateStore

/// `anchorbridge run`: the cron / systemd-timer job.
struct RunCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract:
      "The unattended job: read incrementally, plan, apply within the safety threshold, report.",
    discussion: "Exit codes: 0 converged, 1 unexpected error, 2 configuration error, 3 safety "
      + "threshold exceeded (plan saved, nothing written), 4 some items failed, 5 items need a "
      + "person, 6 the time budget (run.maxSeconds / --max-seconds) was spent and the run stopped "
      + "cleanly, 75 another run holds the lock.")

  @OptionGroup var config: ConfigOptions
  @Flag(help: "Read AD and the tenant completely even when nothing changed since the last run.")
  var full = false
  @Option(
    name: .customLong("max-seconds"),
    help: "Stop cleanly after this many seconds (default: run.maxSeconds, 3600).")
  var maxSeconds: Int?

  func validate() throws {
    if let maxSeconds, maxSeconds < 1 {
      throw ValidationError("--max-seconds must be at least 1")
    }
  }

  func run() async throws {
    try await withExitCodes {
      let operations = Operations(configuration: try config.load())
      let lock = try RunLock(stateDirectory: operations.stateDirectory)
      let journal = try operations.openJournal()
      let job = RunJob(operations: operations, journal: journal, forceFull: full)
      let budget = maxSeconds ?? operations.configuration.run.maxSeconds
      let document = try await RunBudget.within(seconds: budget) {
        try await operations.withTenant { try await job.run(client: $0) }
      }
      let files = RunReportFiles(configuration: operations.configuration)
      try files.write(document)
      operations.output.write(RunReportFiles.summary(document))
      Messages.emit(
        document.exitCode == 0 ? "notice" : "warning",
        "run \(document.outcome) (exit \(document.exitCode)); report \(files.directory)/latest.json"
      )
      withExtendedLifetime(lock) {}
      if document.exitCode != 0 { throw ExitCode(Int32(document.exitCode)) }
    }
  }
}
