import ActiveDirectory
import AnchorCore
import Foundation
import GraphClient
import PlanExecutor

/// Anchor writeback (`anchors writeback`, and `apply`/`rollback` of its plans) and the soft-match
/// report (`softmatch report`, and the check `clear --all-cloud-only` makes first).
extension Operations {
  /// Reads AD and the tenant completely, then plans writing ImmutableIDs into mS-DS-ConsistencyGuid.
  func writebackPlan(client: GraphClient) async throws -> Plan {
    let directoryConfiguration = try configuration.requireDirectory()
    let reading = DirectoryReading(directory: directoryConfiguration)
    reading.warnAboutUnverifiedTLS()
    let mapping = try mapping()
    let directory = try await reading.allUsers()
    report(directory.diagnostics)
    let tenant = try await tenantSnapshot(client: client)
    var settings = configuration.matching.planSettings
    settings.allowReplace = configuration.writeback.allowReplace
    var policies: [String: AnchorPolicy] = [:]
    for source in directoryConfiguration.sources { policies[source.name] = source.anchor }
    var planner = WritebackPlanner(settings: settings, policies: policies)
    let createdAt = Clock.now()
    let plan = planner.plan(
      directoryUsers: directory.users, tenant: tenant, mapping: mapping, createdAt: createdAt)
    // Objects outside the users read may carry the bytes already: search the whole domain for
    // each planned value, and plan again when any does.
    planner.knownCarriers = try await carriers(
      WritebackPlanner.carrierSearch(plan), sources: directoryConfiguration.sources)
    guard !planner.knownCarriers.isEmpty else { return plan }
    return planner.plan(
      directoryUsers: directory.users, tenant: tenant, mapping: mapping, createdAt: createdAt)
  }

  /// DNs (other than the twin) whose mS-DS-ConsistencyGuid holds each anchor's bytes, one
  /// domain-wide search per anchor on its twin's source.
  func carriers(
    _ searches: [(anchor: SourceAnchor, twin: DirectoryObjectRef)], sources: [DirectorySource]
  ) async throws -> [SourceAnchor: [String]] {
    var found: [SourceAnchor: [String]] = [:]
    for source in sources {
      let mine = searches.filter { $0.twin.source == source.name }
      guard !mine.isEmpty else { continue }
      let reader = try await ActiveDirectoryReader.connect(source)
      for (anchor, twin) in mine {
        let carriers = try await reader.objects(
          withConsistencyGuid: anchor, excluding: twin.distinguishedName)
        if !carriers.isEmpty { found[anchor, default: []].append(contentsOf: carriers) }
      }
    }
    return found
  }

  /// The soft-match report over every directory user in scope.
  func softMatchReport(client: GraphClient) async throws -> SoftMatchReport {
    let reading = DirectoryReading(directory: try configuration.requireDirectory())
    let directory = try await reading.allUsers()
    return SoftMatchReport(
      directoryUsers: directory.users, tenant: try await tenantSnapshot(client: client))
  }

  /// The tenant snapshot with `blockSoftMatchEnabled` where the token can read it (it needs a
  /// delegated Global Administrator; with an app-only token it stays unknown).
  func tenantSnapshot(client: GraphClient) async throws -> TenantSnapshot {
    var tenant = try await TenantReading(
      client: client, configuredTenant: try configuration.requireTenant().tenant
    ).snapshot()
    tenant.flags = try await Self.synchronizationFlags(client: client)
    return tenant
  }

  /// `blockSoftMatchEnabled` and the hard-match block, unknown when the token may not read them.
  static func synchronizationFlags(client: GraphClient) async throws -> TenantFlags {
    guard let features = try await client.onPremisesSynchronizationFeatures() else {
      return TenantFlags()
    }
    return TenantFlags(
      blockSoftMatchEnabled: features.blockSoftMatchEnabled,
      blockCloudObjectTakeoverThroughHardMatchEnabled:
        features.blockCloudObjectTakeoverThroughHardMatchEnabled)
  }

  /// An executor whose port writes mS-DS-ConsistencyGuid over LDAP (anchorWriteback plans).
  func directoryExecutor(port: LDAPDirectoryPort, journal: Journal, maxChanges: Int?)
    -> PlanExecutor
  {
    var options = ExecutorOptions()
    options.maxChanges = maxChanges ?? configuration.safety.maxChanges
    // AD replicates to itself: the DC that took the modify answers the read-back at once.
    options.readBackRetries = 1
    options.planKind = .anchorWriteback
    return PlanExecutor(
      port: DirectoryAnchorPort(directory: port), journal: journal, options: options)
  }

  /// Applies a plan with the port its kind writes through: the tenant, or the directory.
  func apply(
    _ plan: Plan, checksum: String, planSource: String, journal: Journal, maxChanges: Int?
  ) async throws -> RunReport {
    switch plan.kind {
    case .users:
      return try await withTenant { client in
        // The plan names the tenant its snapshot came from; the executor refuses another one.
        let tenant = try await TenantReading(
          client: client, configuredTenant: try configuration.requireTenant().tenant
        ).tenantId()
        return try await executor(client: client, journal: journal, maxChanges: maxChanges)
          .apply(plan, checksum: checksum, planSource: planSource, expectedTenant: tenant)
      }
    case .anchorWriteback:
      let port = LDAPDirectoryPort(
        sources: try configuration.requireDirectory().sources, plan: plan)
      return try await directoryExecutor(port: port, journal: journal, maxChanges: maxChanges)
        .apply(plan, checksum: checksum, planSource: planSource, expectedTenant: nil)
    }
  }

  /// Rolls back a run with the port its plan kind wrote through.
  func rollback(runId: String, journal: Journal) async throws -> RunReport {
    let run = try journal.run(runId)
    guard run?.planKind == .anchorWriteback else {
      return try await withTenant { client in
        // A rollback restores what one run changed: bounded by that run, not by the threshold.
        try await executor(client: client, journal: journal, maxChanges: Int.max)
          .rollback(runId: runId)
      }
    }
    let dns = try journal.items(ofRun: runId).map(\.targetId)
    let port = LDAPDirectoryPort(
      sources: try configuration.requireDirectory().sources, distinguishedNames: dns)
    return try await directoryExecutor(port: port, journal: journal, maxChanges: Int.max)
      .rollback(runId: runId)
  }
}
