import AnchorCore
import ArgumentParser
import Foundation
import GraphClient
import PlanExecutor
import StateStore

/// `anchorbridge clear`: clear ImmutableIDs the right way (explicit null, federated handling,
/// verification) through a plan and the same executor as `apply`.
struct ClearCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "clear",
    abstract: "Clear cloud users' ImmutableIDs (explicit null, verified, journaled, reversible).",
    discussion: "Give users with --user UPN (repeatable), or every cloud-only user with "
      + "--all-cloud-only, optionally narrowed with --scope domain=NAME (repeatable).")

  @OptionGroup var config: ConfigOptions
  @Option(name: .customLong("user"), help: "A cloud user's UPN (repeatable).")
  var users: [String] = []
  @Flag(name: .customLong("all-cloud-only"), help: "Every cloud-only user (in --scope).")
  var allCloudOnly = false
  @Option(help: "With --all-cloud-only: domain=NAME limits the users to that UPN domain.")
  var scope: [String] = []
  @Flag(name: .customLong("dry-run"), help: "Print the plan only; write nothing.")
  var dryRun = false
  @Option(help: "Also write the plan file here.")
  var out: String?
  @Option(help: "What to print: table, json or markdown.")
  var format: PlanFormat = .table
  @Flag(help: "Don't ask (required when there is no terminal).")
  var yes = false
  @Option(name: .customLong("max-changes"), help: "Raise safety.maxChanges for this run only.")
  var maxChanges: Int?
  @Flag(
    name: .customLong("ignore-softmatch-blocks"),
    help: "With --all-cloud-only: clear even though `softmatch report` has blocking rows.")
  var ignoreSoftMatchBlocks = false

  func validate() throws {
    guard users.isEmpty != !allCloudOnly else {
      throw ValidationError("give either --user UPN (one or more) or --all-cloud-only")
    }
    if !scope.isEmpty && !allCloudOnly {
      throw ValidationError("--scope goes with --all-cloud-only")
    }
    _ = try Self.domains(scope)
  }

  static func domains(_ scope: [String]) throws -> Set<String>? {
    guard !scope.isEmpty else { return nil }
    var domains: Set<String> = []
    for filter in scope {
      let parts = filter.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, parts[0] == "domain", !parts[1].isEmpty else {
        throw ValidationError("--scope '\(filter)' is not domain=NAME")
      }
      domains.insert(parts[1].lowercased())
    }
    return domains
  }

  func run() async throws {
    try await withExitCodes {
      let operations = Operations(configuration: try config.load())
      let lock = dryRun ? nil : try RunLock(stateDirectory: operations.stateDirectory)
      let journal = dryRun ? nil : try operations.openJournal()
      let status = try await operations.withTenant { client -> Int32 in
        let plan = try await clearPlan(operations, client: client)
        let checksum =
          try out.map { try operations.writePlan(plan, to: $0) } ?? plan.writeJSON { _ in }
        operations.render(plan, format: format)
        guard let journal else { return ExitStatus.success }
        if allCloudOnly && !ignoreSoftMatchBlocks {
          if let refusal = try await softMatchRefusal(operations, client: client) {
            Messages.emit("error", refusal, sink: operations.errors)
            return ExitStatus.needsAttention
          }
        }
        let writing = plan.items.filter { $0.action == .clear }.count
        try Confirmation.require("Clear the ImmutableID of \(writing) user(s)?", yes: yes)
        let report = try await operations.executor(
          client: client, journal: journal, maxChanges: maxChanges
        ).apply(plan, checksum: checksum, planSource: out ?? "clear", expectedTenant: nil)
        operations.summarize(report)
        return Operations.exitStatus(report, plan: plan)
      }
      withExtendedLifetime(lock) {}
      if status != ExitStatus.success { throw ExitCode(status) }
    }
  }

  /// Clearing every cloud-only user is for a re-sync by soft match: refuse (nothing written) while
  /// the soft-match report has blocking rows, or when it can't be made (no directory configured).
  private func softMatchRefusal(_ operations: Operations, client: GraphClient) async throws
    -> String?
  {
    guard operations.configuration.directory != nil else {
      return
        "refused: --all-cloud-only needs the soft-match report, which needs the directory section (the new forest); nothing was written. Give --ignore-softmatch-blocks to clear anyway"
    }
    let report = try await operations.softMatchReport(client: client)
    guard report.isBlocking else { return nil }
    let blocked = report.rows.filter { $0.outcome == .blocked }
    var text =
      "refused: the soft-match report has \(blocked.count) blocking row(s)"
      + (report.blockSoftMatchEnabled == true ? " and blockSoftMatchEnabled is true" : "")
      + "; nothing was written (see `anchorbridge softmatch report`, or give --ignore-softmatch-blocks)"
    for row in blocked.prefix(20) {
      text +=
        "\n  blocked: \(row.directory.distinguishedName) (\(row.reason?.rawValue ?? "-")): \(row.explanation)"
    }
    return text
  }

  private func clearPlan(_ operations: Operations, client: GraphClient) async throws -> Plan {
    let tenant = try await TenantReading(
      client: client, configuredTenant: try operations.configuration.requireTenant().tenant
    ).snapshot()
    var ids: Set<String>?
    if !users.isEmpty {
      var found: Set<String> = []
      for upn in users {
        guard
          let user = tenant.users.first(where: {
            $0.userPrincipalName.lowercased() == upn.lowercased()
          })
        else {
          throw UsageError("--user \(upn): no cloud user has this UPN in tenant \(tenant.tenantId)")
        }
        found.insert(user.id)
      }
      ids = found
    }
    // The new forest's users make the soft-match readiness column; without a directory it is empty.
    var newForest: [DirectoryUser] = []
    if let directory = operations.configuration.directory {
      newForest = try await DirectoryReading(directory: directory).allUsers().users
    }
    let planner = ClearPlanner(
      settings: operations.configuration.matching.planSettings,
      scope: ClearScope(domains: try Self.domains(scope), userIds: ids))
    return planner.plan(tenant: tenant, newForestUsers: newForest, createdAt: Clock.now())
  }
}
