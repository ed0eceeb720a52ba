import AnchorCore
import ArgumentParser

/// `anchorbridge anchors ...`: work on the AD side of the anchor.
struct AnchorsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "anchors", abstract: "Work on the AD side of source anchors.",
    subcommands: [AnchorsWritebackCommand.self])
}

/// `anchorbridge anchors writeback`: plan writing cloud ImmutableIDs into the AD twins'
/// mS-DS-ConsistencyGuid (forest moves). Nothing is written; `apply --plan` writes it.
struct AnchorsWritebackCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "writeback",
    abstract:
      "Plan writing cloud ImmutableIDs into AD's mS-DS-ConsistencyGuid (nothing is changed).",
    discussion:
      "For each cloud user whose ImmutableID matches no directory object's anchor but whose AD twin "
      + "is found (mapping file, UPN, primary SMTP). Apply the reviewed plan with `apply --plan`; "
      + "undo it with `rollback --run`.")

  @OptionGroup var config: ConfigOptions
  @Option(help: "Write the plan file here (review it, then `apply --plan`).")
  var out: String?
  @Option(help: "What to print: table, json or markdown.")
  var format: PlanFormat = .table

  func run() async throws {
    try await withExitCodes {
      let operations = Operations(configuration: try config.load())
      let plan = try await operations.withTenant { try await operations.writebackPlan(client: $0) }
      if let out { try operations.writePlan(plan, to: out) }
      operations.render(plan, format: format)
      if let out { Messages.emit("notice", "plan written to \(out)", sink: operations.errors) }
    }
  }
}
