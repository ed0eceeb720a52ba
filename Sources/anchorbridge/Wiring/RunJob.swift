import ActiveDirectory
import AnchorCore
import Foundation
import GraphClient
import PlanExecutor

/// `anchorbridge run`, the unattended job: recover, read incrementally where possible, plan, apply
/// within the safety threshold, report. The caller holds the lock.
struct RunJob {
  let operations: Operations
  let journal: Journal
  /// Read everything even when the caches say nothing changed.
  var forceFull = false

  /// A full read is forced at least this often: AD deletions don't show up in a uSNChanged search.
  static let fullReadInterval: TimeInterval = 24 * 3600

  var cacheDirectory: String { operations.stateDirectory + "/cache" }
  var tenantCursorPath: String { cacheDirectory + "/tenant-cursor.json" }
  var tenantUsersPath: String { cacheDirectory + "/tenant-users.json" }
  var watermarkPath: String { cacheDirectory + "/directory-watermarks.json" }

  func run(client: GraphClient) async throws -> RunReportDocument {
    var document = RunReportDocument(startedAt: Clock.now())
    let started = Date()
    let directoryConfiguration = try operations.configuration.requireDirectory()
    let tenantConfiguration = try operations.configuration.requireTenant()
    try PrivateFile.folder(cacheDirectory)
    let executor = operations.executor(client: client, journal: journal, maxChanges: nil)

    // 1. Finish what a killed run left (federated sequences) before reading anything.
    let recovered = try await executor.recoverInterrupted()
    document.recoveredRuns = recovered.map(\.runId)

    // The AD side's "anything changed?" check runs while the tenant is read (it is mostly waiting).
    let directory = DirectoryReading(directory: directoryConfiguration)
    directory.warnAboutUnverifiedTLS()
    let stored = WatermarkFile(path: watermarkPath)
    let previous = (try? stored.load()) ?? []
    var shortcutAllowed = !forceFull && !previous.isEmpty
    if shortcutAllowed { shortcutAllowed = try lastRunAllowsShortcut() }
    async let directoryChanged: Bool =
      shortcutAllowed ? directory.changed(since: previous) : true

    // 2. The tenant: delta from the stored cursor, or everything.
    let reading = TenantReading(client: client, configuredTenant: tenantConfiguration.tenant)
    let context = try await reading.context()
    var cursor = forceFull ? nil : TenantCache.loadCursor(path: tenantCursorPath)
    if let existing = cursor, !existing.sameContext(as: context) { cursor = nil }
    var cache: TenantCache?
    var tenantChanged = true
    if var existing = cursor {
      switch try await client.usersDelta(from: existing.deltaLink) {
      case .changes(let entries, let deltaLink) where entries.isEmpty:
        existing.deltaLink = deltaLink
        cursor = existing
        tenantChanged = false
        document.tenantRead = .init(mode: "delta", users: existing.userCount, changes: 0)
      case .changes(let entries, let deltaLink):
        guard let users = TenantCache.loadUsers(path: tenantUsersPath, for: existing) else {
          cursor = nil
          break
        }
        var updatedCache = TenantCache(cursor: existing, users: users)
        let removed = Set(
          entries.filter { $0.removedReason != nil }.map { $0.object.id.lowercased() })
        let changedIds = entries.filter { $0.removedReason == nil }.map(\.object.id)
        let updated = try await GraphTenantPort(client: client).fetchUsers(ids: changedIds)
        updatedCache.apply(updated: Array(updated.values), removed: removed)
        updatedCache.cursor.deltaLink = deltaLink
        cache = updatedCache
        document.tenantRead = .init(
          mode: "delta", users: updatedCache.users.count, changes: entries.count)
      case .fullResyncRequired:
        cursor = nil
      }
    }
    if cursor == nil {
      cache = try await fullTenantRead(client: client, context: context)
      document.tenantRead = .init(mode: "full", users: cache?.users.count, changes: nil)
    }

    // 3. The directory: nothing to do when neither side changed since a converged run.
    if !tenantChanged, let cursor, shortcutAllowed, !(try await directoryChanged) {
      document.directoryRead = .init(mode: "unchanged", users: nil, changes: 0)
      document.outcome = "unchanged"
      document.exitCode = Int(try journal.value(forKey: Self.lastExitKey).flatMap(Int32.init) ?? 0)
      try TenantCache.save(cursor, path: tenantCursorPath)
      return document.finished(started)
    }
    // The tenant didn't change but AD did: the users come from the file of the last round.
    if cache == nil, let cursor {
      if let users = TenantCache.loadUsers(path: tenantUsersPath, for: cursor) {
        cache = TenantCache(cursor: cursor, users: users)
      }
    }
    if cache == nil {
      // The users file is gone or damaged: read everything again.
      cache = try await fullTenantRead(client: client, context: context)
      document.tenantRead = .init(mode: "full", users: cache?.users.count, changes: nil)
    }
    guard let cache else { throw GraphError(kind: .invalidResponse, message: "no tenant snapshot") }
    let read = try await directory.allUsers()
    operations.report(read.diagnostics)
    document.directoryRead = .init(mode: "full", users: read.users.count, changes: nil)

    // 4. Plan, save it, apply within the threshold.
    let plan = operations.linkPlan(
      directory: read.users, tenant: cache.snapshot(), mapping: try operations.mapping())
    let plansFolder = operations.stateDirectory + "/plans"
    try PrivateFile.folder(plansFolder)
    let planPath = plansFolder + "/plan-\(Clock.now().filter { $0.isNumber }).json"
    let checksum = try Operations.writePlan(plan, to: planPath)
    document.planFile = planPath
    document.planSummary = plan.summary
    do {
      let report = try await executor.apply(
        plan, checksum: checksum, planSource: planPath, expectedTenant: nil)
      document.execution = report
      document.exitCode = Int(Operations.exitStatus(report, plan: plan))
      document.outcome = RunReportDocument.outcome(forExitCode: document.exitCode)
    } catch ExecutorError.safetyThreshold(let changes, let limit) {
      document.exitCode = Int(ExitStatus.safetyThreshold)
      document.outcome = "safetyThresholdExceeded"
      document.message =
        "the plan has \(changes) changes, more than safety.maxChanges (\(limit)): nothing was "
        + "written; review \(planPath) and apply it with `anchorbridge apply --plan \(planPath) "
        + "--max-changes \(changes)`"
    }

    // 5. Remember where to continue from, only once everything above succeeded.
    try cache.save(cursorPath: tenantCursorPath, usersPath: tenantUsersPath)
    try PrivateFile.write(
      try JSONEncoder().encode(read.watermarks), to: watermarkPath)
    try journal.setValue(String(document.exitCode), forKey: Self.lastExitKey)
    try journal.setValue(Clock.now(), forKey: Self.lastFullKey)
    try journal.setValue(String(Date().timeIntervalSince1970), forKey: Self.lastFullEpochKey)
    return document.finished(started)
  }

  /// Every user through a delta round from scratch (which also yields the first deltaLink).
  private func fullTenantRead(client: GraphClient, context: TenantReading.Context) async throws
    -> TenantCache
  {
    guard case .changes(let entries, let deltaLink) = try await client.usersDelta(from: nil) else {
      throw GraphError(kind: .invalidResponse, message: "a first delta round asked for a resync")
    }
    let users = entries.filter { $0.removedReason == nil }.map(\.object)
    return TenantCache(context: context, deltaLink: deltaLink, users: users)
  }

  static let lastExitKey = "run.lastExitCode"
  static let lastFullKey = "run.lastFullReadAt"
  static let lastFullEpochKey = "run.lastFullReadEpoch"

  /// The shortcut needs a previous full run that converged or only waits for a person (0 or 5),
  /// not older than `fullReadInterval`; failures and threshold stops are always re-planned.
  private func lastRunAllowsShortcut() throws -> Bool {
    guard let exit = try journal.value(forKey: Self.lastExitKey).flatMap(Int32.init),
      exit == ExitStatus.success || exit == ExitStatus.needsAttention,
      let epoch = try journal.value(forKey: Self.lastFullEpochKey).flatMap(Double.init)
    else { return false }
    return Date().timeIntervalSince1970 - epoch < Self.fullReadInterval
  }
}

/// The JSON run report (`Schemas/report.schema.json`).
struct RunReportDocument: Encodable {
  struct Read: Encodable {
    var mode: String
    var users: Int?
    var changes: Int?
  }

  var formatVersion = 1
  var startedAt: String
  var finishedAt: String?
  var durationSeconds: Double?
  var outcome = "converged"
  var exitCode = 0
  var message: String?
  var recoveredRuns: [String] = []
  var directoryRead: Read?
  var tenantRead: Read?
  var planFile: String?
  var planSummary: [String: Int]?
  var execution: RunReport?

  init(startedAt: String) { self.startedAt = startedAt }

  func finished(_ started: Date) -> RunReportDocument {
    var copy = self
    copy.finishedAt = Clock.now()
    copy.durationSeconds = (Date().timeIntervalSince(started) * 1000).rounded() / 1000
    return copy
  }

  static func outcome(forExitCode code: Int) -> String {
    switch Int32(code) {
    case ExitStatus.success: "converged"
    case ExitStatus.itemsFailed: "itemsFailed"
    case ExitStatus.needsAttention: "needsAttention"
    case ExitStatus.safetyThreshold: "safetyThresholdExceeded"
    default: "error"
    }
  }
}
