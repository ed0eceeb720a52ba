import ActiveDirectory
import AnchorCore
import Foundation
import GraphClient
import PlanExecutor
import StateStore

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
    let directory = DirectoryReading(directory: try operations.configuration.requireDirectory())
    let tenant = TenantReading(
      client: client, configuredTenant: try operations.configuration.requireTenant().tenant)
    try PrivateFile.folder(cacheDirectory)
    let executor = operations.executor(client: client, journal: journal, maxChanges: nil)

    document.recoveredRuns = try await executor.recoverInterrupted().map(\.runId)
    directory.warnAboutUnverifiedTLS()
    let previous = (try? WatermarkFile(path: watermarkPath).load()) ?? []
    let shortcut = try shortcutAllowed(previous: previous)
    // The AD side's "anything changed?" check runs while the tenant is read (it is mostly waiting).
    async let directoryChanged: Bool = shortcut ? directory.changed(since: previous) : true
    let refresh = try await refreshTenant(tenant, client: client)
    document.tenantRead = refresh.read
    if shortcut, !refresh.changed, let cursor = refresh.cursor, try await !directoryChanged {
      return try unchanged(cursor, document: document, started: started)
    }
    let cache = try await completeTenant(refresh, client: client, document: &document)
    let read = try await directory.allUsers()
    operations.report(read.diagnostics)
    document.directoryRead = .init(mode: "full", users: read.users.count, changes: nil)
    try await planAndApply(
      directory: read.users, tenant: cache.snapshot(), executor: executor, document: &document)
    try remember(cache, watermarks: read.watermarks, exitCode: document.exitCode)
    return document.finished(started)
  }

  // MARK: Steps

  /// What one round of reading the tenant found: the cursor to continue from, the users when they
  /// were read, whether anything changed since the stored cursor, and how it was read.
  struct TenantRefresh {
    var context: TenantReading.Context
    var cursor: TenantCache.Cursor?
    var cache: TenantCache?
    var changed = true
    var read: RunReportDocument.Read
  }

  /// A delta round from the stored cursor when it still fits the tenant's context, else a full read.
  func refreshTenant(_ tenant: TenantReading, client: GraphClient) async throws -> TenantRefresh {
    let context = try await tenant.context()
    var cursor = forceFull ? nil : try operations.storedCursor(path: tenantCursorPath)
    if let existing = cursor, !existing.sameContext(as: context) { cursor = nil }
    if var existing = cursor {
      switch try await client.usersDelta(from: existing.deltaLink) {
      case .changes(let entries, let deltaLink) where entries.isEmpty:
        existing.deltaLink = deltaLink
        return TenantRefresh(
          context: context, cursor: existing, changed: false,
          read: .init(mode: "delta", users: existing.userCount, changes: 0))
      case .changes(let entries, let deltaLink):
        if let users = TenantCache.loadUsers(path: tenantUsersPath, for: existing) {
          var cache = TenantCache(cursor: existing, users: users)
          let removed = Set(
            entries.filter { $0.removedReason != nil }.map { $0.object.id.lowercased() })
          let changedIds = entries.filter { $0.removedReason == nil }.map(\.object.id)
          let updated = try await GraphTenantPort(client: client).fetchUsers(ids: changedIds)
          cache.apply(updated: Array(updated.values), removed: removed)
          cache.cursor.deltaLink = deltaLink
          return TenantRefresh(
            context: context, cursor: cache.cursor, cache: cache,
            read: .init(mode: "delta", users: cache.users.count, changes: entries.count))
        }
      case .fullResyncRequired:
        break
      }
    }
    let cache = try await fullTenantRead(client: client, context: context)
    return TenantRefresh(
      context: context, cursor: cache.cursor, cache: cache,
      read: .init(mode: "full", users: cache.users.count, changes: nil))
  }

  /// Nothing changed on either side since a converged run: the last exit code stands.
  func unchanged(_ cursor: TenantCache.Cursor, document: RunReportDocument, started: Date) throws
    -> RunReportDocument
  {
    var document = document
    document.directoryRead = .init(mode: "unchanged", users: nil, changes: 0)
    document.outcome = "unchanged"
    document.exitCode = Int(try journal.value(forKey: Self.lastExitKey).flatMap(Int32.init) ?? 0)
    try TenantCache.save(cursor, path: tenantCursorPath)
    return document.finished(started)
  }

  /// The tenant's users: from this round, else from the last round's file, else read in full.
  func completeTenant(
    _ refresh: TenantRefresh, client: GraphClient, document: inout RunReportDocument
  ) async throws -> TenantCache {
    if let cache = refresh.cache { return cache }
    if let cursor = refresh.cursor,
      let users = TenantCache.loadUsers(path: tenantUsersPath, for: cursor)
    {
      return TenantCache(cursor: cursor, users: users)
    }
    let cache = try await fullTenantRead(client: client, context: refresh.context)
    document.tenantRead = .init(mode: "full", users: cache.users.count, changes: nil)
    return cache
  }

  /// Plans, saves the plan under `<state>/plans/`, and applies it within the safety threshold.
  func planAndApply(
    directory: [DirectoryUser], tenant: TenantSnapshot, executor: PlanExecutor,
    document: inout RunReportDocument
  ) async throws {
    let plan = operations.linkPlan(
      directory: directory, tenant: tenant, mapping: try operations.mapping())
    let plansFolder = operations.stateDirectory + "/plans"
    try PrivateFile.folder(plansFolder)
    let planPath = plansFolder + "/plan-\(Clock.now().filter { $0.isNumber }).json"
    let checksum = try operations.writePlan(plan, to: planPath)
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
  }

  /// Stores where to continue from, only once everything before it succeeded.
  func remember(_ cache: TenantCache, watermarks: [USNWatermark], exitCode: Int) throws {
    try cache.save(cursorPath: tenantCursorPath, usersPath: tenantUsersPath)
    try WatermarkFile(path: watermarkPath).save(watermarks)
    try journal.setValue(String(exitCode), forKey: Self.lastExitKey)
    try journal.setValue(Clock.now(), forKey: Self.lastFullKey)
    try journal.setValue(String(Date().timeIntervalSince1970), forKey: Self.lastFullEpochKey)
  }

  /// Every user through a delta round from scratch (which also yields the first deltaLink).
  private func fullTenantRead(client: GraphClient, context: TenantReading.Context) async throws
    -> TenantCache
  {
    guard case .changes(let entries, let deltaLink) = try await client.usersDelta(from: nil) else {
      throw GraphError(kind: .invalidResponse, message: "a first delta round asked for a resync")
    }
    let users = entries.filter { $0.removedReason == nil }.map(\.object)
    return TenantCache(
      context: context, deltaLink: deltaLink, users: users, scope: try operations.cursorScope())
  }

  // MARK: The shortcut

  static let lastExitKey = "run.lastExitCode"
  static let lastFullKey = "run.lastFullReadAt"
  static let lastFullEpochKey = "run.lastFullReadEpoch"

  /// Whether this run may stop early when neither side changed: not forced, watermarks stored,
  /// and the journal's record of the last full run allows it.
  func shortcutAllowed(previous: [USNWatermark]) throws -> Bool {
    guard !forceFull, !previous.isEmpty else { return false }
    return Self.shortcutAllowed(
      lastExitCode: try journal.value(forKey: Self.lastExitKey).flatMap(Int32.init),
      lastFullReadEpoch: try journal.value(forKey: Self.lastFullEpochKey).flatMap(Double.init),
      now: Date().timeIntervalSince1970)
  }

  /// The shortcut needs a previous full run that converged or only waits for a person (0 or 5),
  /// not older than `fullReadInterval`; failures and threshold stops are always re-planned.
  static func shortcutAllowed(lastExitCode: Int32?, lastFullReadEpoch: Double?, now: Double)
    -> Bool
  {
    guard let exit = lastExitCode,
      exit == ExitStatus.success || exit == ExitStatus.needsAttention,
      let epoch = lastFullReadEpoch
    else { return false }
    return now - epoch < fullReadInterval
  }
}
