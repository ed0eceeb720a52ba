import AnchorCore
import ArgumentParser
import Foundation
import StateStore

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
      let target = out ?? self.plan
      if Self.isGroupPlan(path: self.plan) {
        let plan = try GroupOperations.loadPlan(path: self.plan, sealedWith: nil)
        operations.output.write(Self.summary(plan))
        try Confirmation.require(
          "Seal group plan \(self.plan) for this installation, so `groups apply` accepts it?",
          yes: yes)
        try PrivateFile.write(
          Data(plan.encodeFile(sealedWith: try operations.planSealKey())), to: target)
      } else {
        let plan = try Operations.loadCheckedPlan(path: self.plan)
        operations.output.write(Self.summary(plan))
        try Confirmation.require(
          "Seal plan \(self.plan) for this installation, so `apply` accepts it?", yes: yes)
        try operations.writePlan(plan, to: target)
      }
      Messages.emit(
        "notice", "plan sealed for this installation: \(target)", sink: operations.errors)
    }
  }

  /// Whether the file is a group plan (`kind: groups`); anything else is read as a user plan.
  static func isGroupPlan(path: String) -> Bool {
    guard let data = FileManager.default.contents(atPath: path),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { return false }
    return object["kind"] as? String == "groups"
  }

  /// What the group plan would do, for the person confirming the import.
  static func summary(_ plan: GroupPlan) -> String {
    let counts = plan.summary.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
    return """
      group plan, made \(plan.createdAt), tenant \(plan.tenant)
      items: \(counts.isEmpty ? "none" : counts.joined(separator: ", "))

      """
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
