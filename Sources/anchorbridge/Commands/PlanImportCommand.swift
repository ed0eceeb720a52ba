import AnchorCore
import ArgumentParser
import Foundation

/// `anchorbridge plan import`: take over a plan made by another installation. Plans are sealed
/// with the key of the state folder that wrote them, so `apply` refuses any other; this checks the
/// plan's checksum, shows what it would write, and after confirmation seals it with this key.
struct PlanImportCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Take over a plan made by another installation: check it, show it, and seal it here.",
    discussion: "Exit codes: 0 sealed, 2 refused (bad checksum, not confirmed, bad configuration).")

  @OptionGroup var config: ConfigOptions
  @Option(help: "The plan file to take over.")
  var plan: String
  @Option(help: "Write the sealed plan here (default: replace --plan).")
  var out: String?
  @Flag(help: "Don't ask (required when there is no terminal).")
  var yes = false

  func run() async throws {
    try await withExitCodes {
      let operations = Operations(configuration: try config.load())
      let plan = try Operations.loadCheckedPlan(path: self.plan)
      operations.output.write(Self.summary(plan))
      try Confirmation.require(
        "Seal plan \(self.plan) for this installation, so `apply` accepts it?", yes: yes)
      let target = out ?? self.plan
      try operations.writePlan(plan, to: target)
      Messages.emit(
        "notice", "plan sealed for this installation: \(target)", sink: operations.errors)
    }
  }

  /// What the plan would do, for the person confirming the import.
  static func summary(_ plan: Plan) -> String {
    let counts = plan.summary.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
    return """
      plan of kind \(plan.kind.rawValue), mode \(plan.mode.rawValue), made \(plan.createdAt)
      tenant \(plan.tenant)
      items: \(counts.isEmpty ? "none" : counts.joined(separator: ", "))

      """
  }
}
