import AnchorCore
import ArgumentParser
import Foundation
import GraphClient
import PlanExecutor
import StateStore

extension GroupDirection: ExpressibleByArgument {
  public init?(argument: String) {
    switch argument {
    case "to-directory", "toDirectory": self = .toDirectory
    case "to-cloud", "toCloud": self = .toCloud
    default: return nil
    }
  }
  public static var allValueStrings: [String] { ["to-directory", "to-cloud"] }
}

/// `anchorbridge groups ...`: move groups' source of authority without losing anything.
struct GroupsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "groups",
    abstract: "Match AD groups to cloud groups and move them between cloud and AD, losing nothing.",
    subcommands: [
      GroupsPlanCommand.self, GroupsApplyCommand.self, GroupsVerifyCommand.self,
      GroupsRestoreCommand.self,
    ])
}

/// Prints outcomes and turns them into the documented exit code: 4 when a step failed, 5 when a
/// step waits for a person (script, sync, stale group), else 0.
func finish(_ outcomes: [GroupOutcome], output: OutputSink = .standardOutput) throws {
  for outcome in outcomes { output.write(GroupRendering.line(outcome)) }
  if outcomes.contains(where: { $0.state == .failed }) { throw ExitCode(ExitStatus.itemsFailed) }
  if outcomes.contains(where: { $0.state == .pending || $0.state == .stale }) {
    throw ExitCode(ExitStatus.needsAttention)
  }
}

/// What `groups apply` and `groups verify` share: the configuration and the sealed plan are loaded,
/// the lock taken and the journal opened; `question` (when given) is asked; `body` runs against the
/// plan's tenant only (another tenant: exit 2); its outcomes decide the exit code.
func runGroupPlan(
  config: ConfigOptions, path: String, yes: Bool, question: ((GroupPlan) -> String)?,
  body:
    @escaping (GroupOperations, GroupPlan, GraphClient, Journal) async throws -> [GroupOutcome]
) async throws {
  try await withExitCodes {
    let operations = Operations(configuration: try config.load())
    let plan = try GroupOperations.loadPlan(path: path, sealedWith: try operations.planSealKey())
    let lock = try RunLock(stateDirectory: operations.stateDirectory)
    let journal = try operations.openJournal()
    if let question { try Confirmation.require(question(plan), yes: yes) }
    let groups = GroupOperations(operations: operations)
    let outcomes = try await operations.withTenant { client in
      try await groups.requireTenant(plan, client: client)
      return try await body(groups, plan, client, journal)
    }
    withExtendedLifetime(lock) {}
    try finish(outcomes)
  }
}

struct GroupsPlanCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract: "Snapshot the cloud groups involved into the journal and plan (nothing is changed).",
    discussion: "Exit codes: 0 planned, 5 some groups are blocked or in conflict.")

  @OptionGroup var config: ConfigOptions
  @Option(help: "Write the group plan here (see Schemas/groups-plan.schema.json).")
  var out: String?
  @Option(help: "Write the Exchange Online script (capture, -Remove, -RestoreAccess) here.")
  var script: String?
  @Option(help: "What to print: table, json or markdown.")
  var format: PlanFormat = .table
  @Option(help: "to-directory (cloud-only groups become synced twins) or to-cloud (Group SOA).")
  var direction: GroupDirection = .toDirectory
  @Flag(help: "Plan migrations even when members without an AD twin would be lost.")
  var allowMemberLoss = false

  func run() async throws {
    try await withExitCodes {
      let operations = Operations(configuration: try config.load())
      let groups = GroupOperations(operations: operations)
      let journal = try operations.openJournal()
      let plan = try await operations.withTenant {
        try await groups.plan(
          client: $0, journal: journal, direction: direction, allowMemberLoss: allowMemberLoss)
      }
      if let out {
        try PrivateFile.write(
          Data(plan.encodeFile(sealedWith: try operations.planSealKey())), to: out)
      }
      if let script { try PrivateFile.write(Data(ExchangeScript.migration(plan).utf8), to: script) }
      operations.output.write(GroupRendering.plan(plan, format: format))
      if let out { Messages.emit("notice", "group plan written to \(out)") }
      if (plan.summary["blocked"] ?? 0) + (plan.summary["conflict"] ?? 0) > 0 {
        throw ExitCode(ExitStatus.needsAttention)
      }
    }
  }
}

struct GroupsApplyCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "apply",
    abstract: "Prepare AD groups (--write-ad), delete cloud groups Graph can delete, switch SOA.",
    discussion: "Exit codes: 0 done, 4 a step failed, 5 a step waits for the script, sync or a "
      + "new plan, 75 another run holds the lock.")

  @OptionGroup var config: ConfigOptions
  @Option(help: "The group plan written by `groups plan --out`.")
  var plan: String
  @Flag(
    name: .customLong("write-ad"),
    help: "Add the cloud addresses, members and owner to the AD groups.")
  var writeDirectory = false
  @Option(
    name: .customLong("exchange-capture"),
    help: "The folder the Exchange script wrote its <group id>.json captures to.")
  var exchangeCapture: String?
  @Flag(help: "Don't ask (required when there is no terminal).")
  var yes = false

  func run() async throws {
    try await runGroupPlan(
      config: config, path: plan, yes: yes,
      question: { plan in
        let count = plan.items.filter {
          $0.action == .migrate || $0.action == .switchSourceOfAuthority
        }.count
        return "Apply group plan \(self.plan) (\(count) group(s)) to tenant \(plan.tenant)"
          + (writeDirectory ? " and AD" : "") + "?"
      },
      body: { groups, plan, client, journal in
        try await groups.apply(
          plan, client: client, journal: journal, writeDirectory: writeDirectory,
          exchangeCapture: exchangeCapture)
      })
  }
}

struct GroupsVerifyCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify",
    abstract: "Check the synced twins exist with the same address and members; restore access.",
    discussion: "Exit codes: 0 verified, 4 a check or restore failed, 5 not synced yet or a step "
      + "waits for the script.")

  @OptionGroup var config: ConfigOptions
  @Option(help: "The group plan written by `groups plan --out`.")
  var plan: String
  @Flag(
    name: .customLong("restore-access"),
    help: "Give verified groups back their cloud parents, app role assignments and licences.")
  var restoreAccess = false
  @Flag(help: "Don't ask before --restore-access writes (required when there is no terminal).")
  var yes = false

  func run() async throws {
    try await runGroupPlan(
      config: config, path: plan, yes: yes,
      question: restoreAccess
        ? { plan in
          "Verify group plan \(self.plan) and restore access of the verified groups in tenant "
            + "\(plan.tenant)?"
        } : nil,
      body: { groups, plan, client, journal in
        try await groups.verify(
          plan, client: client, journal: journal, restoreAccess: restoreAccess)
      })
  }
}

struct GroupsRestoreCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "restore",
    abstract: "Recreate a deleted cloud-only group from its snapshot (the rollback).",
    discussion: "Security and Microsoft 365 groups are recreated through Graph; distribution lists "
      + "and mail-enabled security groups get an Exchange Online script. Exit codes: 0 restored, "
      + "2 no snapshot or the group still exists, 4 failed, 5 the script must be run.")

  @OptionGroup var config: ConfigOptions
  @Option(help: "The id of the deleted cloud group.")
  var group: String
  @Option(help: "Write the Exchange Online restore script here (distribution lists, MESGs).")
  var script: String?
  @Flag(help: "Don't ask (required when there is no terminal).")
  var yes = false

  func run() async throws {
    try await withExitCodes {
      let operations = Operations(configuration: try config.load())
      let lock = try RunLock(stateDirectory: operations.stateDirectory)
      let journal = try operations.openJournal()
      try Confirmation.require("Recreate group \(group) from its snapshot?", yes: yes)
      let outcomes = try await operations.withTenant {
        try await GroupOperations(operations: operations).restore(
          groupId: group, client: $0, journal: journal, script: script)
      }
      withExtendedLifetime(lock) {}
      try finish(outcomes, output: script == nil ? .standardError : .standardOutput)
    }
  }
}
