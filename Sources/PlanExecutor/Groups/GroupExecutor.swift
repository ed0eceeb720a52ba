import AnchorCore
import Foundation

/// Applies a group migration plan through `GroupTenantPort` and `GroupDirectoryPort`, each write
/// in the executor's one loop: intent (durable) → write → read back → journal done or failed.
/// Positioned by state, not by memory: a rerun after a crash or a success writes only what is
/// still missing.
public struct GroupExecutor: Sendable {
  public let tenant: any GroupTenantPort
  public let directory: (any GroupDirectoryPort)?
  public let journal: Journal
  public let now: @Sendable () -> String
  public let crashHook: CrashHook?

  /// `directory` nil: AD groups are not written (`groups apply` without `--write-ad`).
  public init(
    tenant: any GroupTenantPort, directory: (any GroupDirectoryPort)?, journal: Journal,
    now: @escaping @Sendable () -> String = ExecutorOptions.utcNow,
    crashHook: CrashHook? = ExecutorOptions.environmentCrashHook()
  ) {
    self.tenant = tenant
    self.directory = directory
    self.journal = journal
    self.now = now
    self.crashHook = crashHook
  }

  /// Finds a group's Exchange capture for `--exchange-capture`: nil when there is none.
  public typealias CaptureSource = @Sendable (_ groupId: String) throws -> ExchangeCapture?

  /// `groups apply`: for each `migrate` item, prepares the AD group (with a directory port; the
  /// Exchange capture's X500 included) and deletes Graph-deletable cloud groups once the AD group
  /// is prepared and the cloud group is still what the snapshot shows; distribution lists and
  /// mail-enabled security groups are left to the script. `switchSourceOfAuthority` items are
  /// switched. One group's refused step does not stop the others.
  public func apply(_ plan: GroupPlan, captures: CaptureSource? = nil) async throws
    -> [GroupOutcome]
  {
    var outcomes: [GroupOutcome] = []
    for item in plan.items {
      guard let cloud = item.cloud else { continue }
      switch item.action {
      case .migrate:
        outcomes += try await migrate(item, cloud: cloud, captures: captures)
      case .switchSourceOfAuthority:
        outcomes.append(try await switchAuthority(cloud))
      default:
        continue
      }
    }
    return outcomes
  }

  func crash(_ point: CrashPoint) throws { try crashHook?(point) }

  func record(
    _ groupId: String, _ step: GroupStep.Name, _ state: Journal.GroupEventState, _ detail: String,
    snapshot digest: String? = nil
  ) throws {
    try record(groupId, GroupEventStep(step), state, detail, snapshot: digest)
  }

  func record(
    _ groupId: String, _ step: GroupEventStep, _ state: Journal.GroupEventState, _ detail: String,
    snapshot digest: String? = nil, result resultId: String? = nil
  ) throws {
    try journal.recordGroupEvent(
      groupId: groupId, step: step, state: state, detail: detail, snapshotDigest: digest,
      resultId: resultId, at: now())
  }

  private func migrate(_ item: GroupPlanItem, cloud: GroupCloudRef, captures: CaptureSource?)
    async throws -> [GroupOutcome]
  {
    var outcomes: [GroupOutcome] = []
    let (snapshot, storedCapture) = try storedSnapshot(item)
    var capture = storedCapture
    let preparation = item.prepareDirectory ?? DirectoryPreparation()
    if preparation.needsExchangeCapture, let captures {
      capture = try captures(cloud.id)
      if let capture, let digest = item.snapshotDigest {
        let json = try JSONEncoder.sorted.encode(capture)
        try journal.attachExchangeCapture(
          digest: digest, json: String(decoding: json, as: UTF8.self))
      }
    }

    // The AD group. Prepared counts for this plan's snapshot only: a newer plan may add more.
    let prepareStep = GroupStep.Name.prepareDirectory
    let digest = item.snapshotDigest ?? "-"
    let marker = "snapshot \(digest)"
    var prepared = try journal.isGroupStepDone(
      groupId: cloud.id, step: .prepareDirectory, snapshotDigest: digest)
    if let directory, let target = item.directory {
      if preparation.needsExchangeCapture && capture == nil {
        outcomes.append(
          GroupOutcome(
            groupId: cloud.id, step: .prepareDirectory, state: .pending,
            detail: "no Exchange capture: run the script, then apply with --exchange-capture DIR"))
        return outcomes
      }
      let x500 = capture?.x500Address.map { [$0] } ?? []
      try record(
        cloud.id, prepareStep, .intent, "\(marker): LDAP modify \(target.distinguishedName)",
        snapshot: digest)
      try crash(.afterIntent)
      let added: [String]
      do {
        added = try await directory.prepareGroup(
          distinguishedName: target.distinguishedName, source: target.source, preparation,
          extraProxyAddresses: x500)
      } catch {
        try record(cloud.id, prepareStep, .failed, "\(marker): \(error)", snapshot: digest)
        outcomes.append(
          GroupOutcome(
            groupId: cloud.id, step: .prepareDirectory, state: .failed, detail: "\(error)"))
        return outcomes
      }
      try crash(.afterWrite)
      let detail = added.isEmpty ? "nothing to change" : "added " + added.joined(separator: "; ")
      try record(cloud.id, prepareStep, .done, "\(marker): \(detail)", snapshot: digest)
      try crash(.afterDone)
      outcomes.append(
        GroupOutcome(
          groupId: cloud.id, step: .prepareDirectory,
          state: added.isEmpty ? .unchanged : .done, detail: detail))
      prepared = true
    }
    let nothingToPrepare = preparation.isEmpty && !preparation.needsExchangeCapture

    // The cloud group.
    let deleteStep = GroupEventStep.deleteCloudGroup
    if cloud.kind.isExchangeManaged {
      outcomes.append(
        GroupOutcome(
          groupId: cloud.id, step: deleteStep, state: .pending,
          detail: "Graph cannot delete a \(cloud.kind.rawValue) group: run the script with -Remove")
      )
      return outcomes
    }
    guard prepared || nothingToPrepare else {
      outcomes.append(
        GroupOutcome(
          groupId: cloud.id, step: deleteStep, state: .pending,
          detail: "the AD group is not prepared yet: apply with --write-ad first"))
      return outcomes
    }
    outcomes.append(try await delete(cloud, snapshot: snapshot))
    return outcomes
  }

  /// The snapshot a plan item names, from the journal (the plan alone never carries it).
  public func storedSnapshot(_ item: GroupPlanItem) throws -> (GroupSnapshot, ExchangeCapture?) {
    guard let digest = item.snapshotDigest, let record = try journal.groupSnapshot(digest: digest)
    else {
      throw GroupExecutorError.missingSnapshot(
        digest: item.snapshotDigest, groupId: item.cloud?.id)
    }
    let snapshot = try JSONDecoder().decode(
      GroupSnapshot.self, from: Data(record.snapshotJSON.utf8))
    let capture = try record.exchangeCaptureJSON.map {
      try JSONDecoder().decode(ExchangeCapture.self, from: Data($0.utf8))
    }
    return (snapshot, capture)
  }
}

extension JSONEncoder {
  /// Sorted keys, indented, slashes kept: the journal's and the state folder's JSON.
  static var sorted: JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    return encoder
  }
}
