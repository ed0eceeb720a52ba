import AnchorCore
import ArgumentParser
import Foundation
import PlanExecutor
import StateStore

/// `anchorbridge plan`: pull AD and the tenant, plan, write the plan. Nothing is changed.
struct PlanCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract: "Read AD and the tenant and plan hard matches (nothing is changed).",
    subcommands: [PlanImportCommand.self])

  @OptionGroup var config: ConfigOptions
  @Option(help: "Write the plan file here (review it, then `apply --plan`).")
  var out: String?
  @Option(help: "What to print: table, json or markdown.")
  var format: PlanFormat = .table

  func run() async throws {
    try await withExitCodes {
      let operations = Operations(configuration: try config.load())
      let plan = try await operations.withTenant { try await operations.linkPlan(client: $0) }
      if let out { try operations.writePlan(plan, to: out) }
      operations.render(plan, format: format)
      if let out { Messages.emit("notice", "plan written to \(out)") }
    }
  }
}

/// `anchorbridge apply`: execute a reviewed plan through the journal.
struct ApplyCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "apply",
    abstract: "Apply a reviewed plan (compare-and-set, journaled, verified).",
    discussion: "Exit codes: 0 done, 3 more changes than the safety threshold (nothing written), "
      + "4 some items failed, 5 items need a person, 75 another run holds the lock.")

  @OptionGroup var config: ConfigOptions
  @Option(help: "The plan file written by `plan`, `clear --out` or another planning command.")
  var plan: String
  @Flag(help: "Don't ask (required when there is no terminal).")
  var yes = false
  @Option(
    name: .customLong("max-changes"),
    help: "Raise the safety threshold (safety.maxChanges) for this run only.")
  var maxChanges: Int?

  func validate() throws {
    if let maxChanges, maxChanges < 0 { throw ValidationError("--max-changes must be >= 0") }
  }

  func run() async throws {
    try await withExitCodes {
      let operations = Operations(configuration: try config.load())
      let (plan, checksum) = try operations.loadPlan(path: self.plan)
      let lock = try RunLock(stateDirectory: operations.stateDirectory)
      let journal = try operations.openJournal()
      let writing = plan.items.filter { !$0.steps.isEmpty && Self.writes($0.action) }.count
      let target =
        plan.kind == .anchorWriteback
        ? "the directory's mS-DS-ConsistencyGuid (tenant \(plan.tenant))" : "tenant \(plan.tenant)"
      try Confirmation.require(
        "Apply \(writing) change(s) of plan \(self.plan) to \(target)?", yes: yes)
      let report = try await operations.apply(
        plan, checksum: checksum, planSource: self.plan, journal: journal, maxChanges: maxChanges)
      operations.summarize(report)
      withExtendedLifetime(lock) {}
      let status = Operations.exitStatus(report, plan: plan)
      if status != ExitStatus.success { throw ExitCode(status) }
    }
  }

  static func writes(_ action: PlanAction) -> Bool {
    action == .link || action == .relink || action == .clear
  }
}

/// `anchorbridge rollback`: restore every before-image of a run.
struct RollbackCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rollback",
    abstract: "Restore every before-image of a run (same compare-and-set machinery as apply).")

  @OptionGroup var config: ConfigOptions
  @Option(name: .customLong("run"), help: "The run to undo (see `history`).")
  var runId: String
  @Flag(help: "Don't ask (required when there is no terminal).")
  var yes = false

  func run() async throws {
    try await withExitCodes {
      let operations = Operations(configuration: try config.load())
      let lock = try RunLock(stateDirectory: operations.stateDirectory)
      let journal = try operations.openJournal()
      guard try journal.run(runId) != nil else { throw ExecutorError.unknownRun(runId) }
      let written = try journal.items(ofRun: runId).filter {
        $0.steps.contains(where: \.wasWritten)
      }
      for item in written {
        operations.output.write("  restore \(item.userPrincipalName) (\(item.targetId))\n")
      }
      try Confirmation.require(
        "Roll back run \(runId): restore what it wrote for \(written.count) object(s)?", yes: yes)
      let report = try await operations.rollback(runId: runId, journal: journal)
      operations.summarize(report)
      withExtendedLifetime(lock) {}
      let status = Operations.exitStatus(report, plan: nil)
      if status != ExitStatus.success { throw ExitCode(status) }
    }
  }
}
