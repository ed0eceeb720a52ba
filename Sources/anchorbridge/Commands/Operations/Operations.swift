import AnchorCore
import Foundation
import GraphClient
import Logging
import PlanExecutor
import StateStore

/// Joins the configuration, the AD reader, GraphClient, AnchorCore's planners and the executor for
/// the commands that plan and write (`plan`, `apply`, `clear`, `rollback`, `history`, `run`).
struct Operations {
  let configuration: Configuration
  var output = OutputSink.standardOutput
  var errors = OutputSink.standardError
  var logger = Logger(label: "anchorbridge")

  var stateDirectory: String { configuration.state.dir }

  // MARK: Tenant and journal

  func withTenant<Result: Sendable>(_ body: (GraphClient) async throws -> Result) async throws
    -> Result
  {
    let tenant = try configuration.requireTenant()
    return try await withGraphClient(
      configuration: tenant, logger: Logger(label: "anchorbridge.graph"), body)
  }

  /// Opens (or creates) the journal; a folder that can't be written is refused here, before
  /// anything reaches the tenant.
  func openJournal() throws -> Journal {
    try PrivateFile.folder(stateDirectory)
    return try Journal.open(directory: stateDirectory)
  }

  func executor(client: GraphClient, journal: Journal, maxChanges: Int?) -> PlanExecutor {
    var options = ExecutorOptions()
    options.maxChanges = maxChanges ?? configuration.safety.maxChanges
    return PlanExecutor(port: GraphTenantPort(client: client), journal: journal, options: options)
  }

  // MARK: Planning

  func mapping() throws -> [IdentityMapping] {
    guard let path = configuration.matching.mappingFile else { return [] }
    guard let data = FileManager.default.contents(atPath: path),
      let text = String(data: data, encoding: .utf8)
    else {
      throw ConfigurationError(
        file: configuration.file, key: "matching.mappingFile",
        problem: "'\(path)' can't be read as UTF-8 text")
    }
    return try IdentityMapping.parseCSV(text, source: path)
  }

  /// Reads AD completely and the tenant completely, then plans hard matches. Nothing is written.
  func linkPlan(client: GraphClient) async throws -> Plan {
    let reading = DirectoryReading(directory: try configuration.requireDirectory())
    reading.warnAboutUnverifiedTLS()
    let mapping = try mapping()
    let directory = try await reading.allUsers()
    report(directory.diagnostics)
    let tenant = try await TenantReading(
      client: client, configuredTenant: try configuration.requireTenant().tenant
    ).snapshot()
    return linkPlan(directory: directory.users, tenant: tenant, mapping: mapping)
  }

  func linkPlan(directory: [DirectoryUser], tenant: TenantSnapshot, mapping: [IdentityMapping])
    -> Plan
  {
    HardMatchPlanner(settings: configuration.matching.planSettings).plan(
      directoryUsers: directory, tenant: tenant, mapping: mapping, createdAt: Clock.now())
  }

  func report(_ diagnostics: [Diagnostic]) {
    for diagnostic in diagnostics where diagnostic.severity >= .warning {
      Messages.emit(
        diagnostic.severity.rawValue,
        "\(diagnostic.subject): \(diagnostic.message) [\(diagnostic.code)]", sink: errors)
    }
  }

  // MARK: Plan files

  static func loadPlan(path: String) throws -> (plan: Plan, checksum: String) {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw UsageError("the plan file '\(path)' can't be read (missing or not permitted)")
    }
    do {
      return try Plan.decodeSealed(json: Array(data))
    } catch {
      throw UsageError("the plan file '\(path)' is refused: \(error)")
    }
  }

  @discardableResult
  static func writePlan(_ plan: Plan, to path: String) throws -> String {
    var bytes: [UInt8] = []
    let checksum = plan.writeJSON { bytes.append(contentsOf: $0) }
    bytes.append(UInt8(ascii: "\n"))
    try PrivateFile.write(Data(bytes), to: path)
    return checksum
  }

}
