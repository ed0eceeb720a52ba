import AnchorCore
import Foundation
import GraphClient
import PlanExecutor
import StateStore

/// Joins AD, the tenant, AnchorCore's group planner and PlanExecutor's group executor for `groups
/// plan|apply|verify|restore`: reads the inputs (complete or failing), maps Graph's groups to
/// AnchorCore values and serves the executor's ports.
struct GroupOperations {
  let operations: Operations

  var configuration: Configuration { operations.configuration }
  var output: OutputSink { operations.output }

  /// Everything a group plan is made from.
  struct Inputs {
    var directoryGroups: [DirectoryGroup]
    var directoryUsers: [DirectoryUser]
    var cloudGroups: [GraphGroup]
    var tenant: TenantSnapshot
    /// Cloud user id (lowercased) → its AD twin, from the user plan.
    var userTwins: [String: DirectoryObjectRef]
  }

  func readInputs(client: GraphClient) async throws -> Inputs {
    let reading = DirectoryReading(directory: try configuration.requireDirectory())
    reading.warnAboutUnverifiedTLS()
    let users = try await reading.allUsers()
    let groups = try await reading.allGroups()
    let tenant = try await TenantReading(
      client: client, configuredTenant: try configuration.requireTenant().tenant
    ).snapshot()
    let cloudGroups = try await client.groups().collect()
    let userPlan = operations.linkPlan(
      directory: users.users, tenant: tenant, mapping: try operations.mapping())
    return Inputs(
      directoryGroups: groups, directoryUsers: users.users, cloudGroups: cloudGroups,
      tenant: tenant, userTwins: userPlan.userTwins)
  }

  static func cloudGroup(_ group: GraphGroup) -> CloudGroup {
    CloudGroup(
      id: group.id, displayName: group.displayName ?? "", mail: group.mail,
      mailEnabled: group.mailEnabled ?? false, securityEnabled: group.securityEnabled ?? false,
      groupTypes: group.groupTypes ?? [], proxyAddresses: group.proxyAddresses ?? [],
      onPremisesSyncEnabled: group.onPremisesSyncEnabled,
      onPremisesSecurityIdentifier: group.onPremisesSecurityIdentifier,
      mailNickname: group.mailNickname)
  }

  // MARK: Snapshots

  /// Stores the snapshot in the journal and next to it as `<state>/groups/<id>/snapshot-<time>.json`.
  func store(_ snapshot: GroupSnapshot, journal: Journal) throws {
    let json = try journal.saveGroupSnapshot(snapshot)
    let folder = groupFolder(snapshot.group.id)
    try PrivateFile.folder(folder)
    let stamp = snapshot.takenAt.filter { $0.isNumber }
    try PrivateFile.write(Data(json + [0x0A]), to: "\(folder)/snapshot-\(stamp).json")
  }

  func groupFolder(_ id: String) -> String {
    "\(operations.stateDirectory)/groups/\(id.lowercased())"
  }

  static let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    return encoder
  }()

  /// Whether the tenant answers `onPremisesSyncBehavior` (Group Source of Authority); asked of a
  /// synced group. A 400/404 for the segment means no; anything else is an error.
  func sourceOfAuthoritySupported(client: GraphClient, probe id: String?) async throws -> Bool {
    guard let id else { return false }
    do {
      _ = try await client.isCloudManaged(group: id)
      return true
    } catch let error as GraphError where error.status == 400 || error.status == 404 {
      return false
    }
  }

  // MARK: Planning

  /// Reads everything, snapshots the groups the plan touches into the journal, and plans.
  func plan(
    client: GraphClient, journal: Journal, direction: GroupDirection, allowMemberLoss: Bool
  ) async throws -> GroupPlan {
    let inputs = try await readInputs(client: client)
    let cloud = inputs.cloudGroups.map(Self.cloudGroup)
    var known: [String: GraphGroup] = [:]
    for group in inputs.cloudGroups { known[group.id.lowercased()] = group }
    var planner = GroupPlanner(
      matchOrder: configuration.groups.matchOrder, direction: direction,
      allowMemberLoss: allowMemberLoss || configuration.groups.allowMemberLoss)
    let targets = planner.snapshotTargets(
      directoryGroups: inputs.directoryGroups, cloudGroups: cloud)
    if direction == .toCloud {
      planner.sourceOfAuthoritySupported = try await sourceOfAuthoritySupported(
        client: client, probe: targets.first)
    }
    let reader = GraphGroupTenantPort(client: client, known: known)
    var snapshots: [String: GroupSnapshot] = [:]
    for id in targets {
      let snapshot = try await reader.snapshot(group: id)
      try store(snapshot, journal: journal)
      snapshots[id] = snapshot
    }
    return planner.plan(
      GroupPlanner.Inputs(
        directoryGroups: inputs.directoryGroups, directoryUsers: inputs.directoryUsers,
        cloudGroups: cloud, snapshots: snapshots, userTwins: inputs.userTwins,
        tenant: inputs.tenant.tenantId, createdAt: Clock.now()))
  }

  /// Refuses a plan made for another tenant (exit 2) before anything is read or written.
  func requireTenant(_ plan: GroupPlan, client: GraphClient) async throws {
    let tenant = try await TenantReading(
      client: client, configuredTenant: try configuration.requireTenant().tenant
    ).tenantId()
    guard tenant.lowercased() == plan.tenant.lowercased() else {
      throw UsageError("the group plan was made for tenant \(plan.tenant), this is \(tenant)")
    }
  }

  // MARK: Plan files

  /// Reads a group plan file; AnchorCore refuses a damaged one or one not sealed with `key`
  /// (nil: the checksum only, for `plan import`).
  static func loadPlan(path: String, sealedWith key: PlanSealKey?) throws -> GroupPlan {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw UsageError("the group plan file '\(path)' can't be read (missing or not permitted)")
    }
    do throws(AnchorCoreError) {
      if let key { return try GroupPlan.decodeFile(Array(data), sealedWith: key) }
      return try GroupPlan.decodeFile(Array(data))
    } catch {
      var text = "the group plan file '\(path)' is refused: \(error)"
      if case .invalidPlan(.sealMismatch, _) = error {
        text +=
          "; to use a plan made elsewhere, review it and take it over with "
          + "`anchorbridge plan import --plan \(path)`"
      }
      throw UsageError(text)
    }
  }
}
