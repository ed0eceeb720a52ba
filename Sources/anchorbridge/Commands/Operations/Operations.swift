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
    try StateFolder.prepare(stateDirectory)
    try StateFolder.checkJournal(in: stateDirectory)
    return try Journal.open(directory: stateDirectory)
  }

  /// The Graph root, tenant and application a stored tenant cursor must have been read with.
  func cursorScope() throws -> CursorScope {
    let tenant = try configuration.requireTenant()
    return CursorScope(
      graphRoot: try tenant.endpoints().graphRoot, tenant: tenant.tenant,
      clientId: tenant.clientID)
  }

  /// `run`'s stored tenant cursor when it fits this configuration (else a warning and nil).
  func storedCursor(path: String) throws -> TenantCache.Cursor? {
    TenantCache.loadCursor(path: path, fitting: try cursorScope()) {
      Messages.emit("warning", $0, sink: errors)
    }
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

  /// This installation's plan seal key (`<state>/plan-seal.key`, created on first use).
  func planSealKey() throws -> PlanSealKey {
    try PlanSealKeyFile.loadOrCreate(stateDirectory: stateDirectory)
  }

  /// A plan file this installation sealed, with its checksum; any other is refused.
  func loadPlan(path: String) throws -> (plan: Plan, checksum: String) {
    let bytes = try Self.planBytes(path: path)
    let key = try planSealKey()
    do {
      return try Plan.decodeSealed(json: bytes, sealedWith: key)
    } catch {
      var text = "the plan file '\(path)' is refused: \(error)"
      if case .invalidPlan(.sealMismatch, _) = error {
        text +=
          "; to use a plan made elsewhere, review it and take it over with "
          + "`anchorbridge plan import --plan \(path)`"
      }
      throw UsageError(text)
    }
  }

  /// A plan file whose checksum is right, sealed or not (`plan import`).
  static func loadCheckedPlan(path: String) throws -> Plan {
    do {
      return try Plan.decodeChecked(json: try planBytes(path: path)).plan
    } catch let error as AnchorCoreError {
      throw UsageError("the plan file '\(path)' is refused: \(error)")
    }
  }

  private static func planBytes(path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw UsageError("the plan file '\(path)' can't be read (missing or not permitted)")
    }
    return Array(data)
  }

  /// Writes the plan sealed with this installation's key; returns its checksum.
  @discardableResult
  func writePlan(_ plan: Plan, to path: String) throws -> String {
    let key = try planSealKey()
    var bytes: [UInt8] = []
    let checksum = plan.writeJSON(sealedWith: key) { bytes.append(contentsOf: $0) }
    bytes.append(UInt8(ascii: "\n"))
    try PrivateFile.write(Data(bytes), to: path)
    return checksum
  }

}
