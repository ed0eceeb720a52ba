import ActiveDirectory
import AnchorCore
import Foundation
import GraphClient
import PlanExecutor

/// One line of a group command's outcome.
struct GroupOutcome: Sendable {
  enum State: String, Sendable { case done, unchanged, pending, stale, failed }
  var groupId: String
  var step: String
  var state: State
  var detail: String
}

extension GroupOperations {
  /// `groups apply`: for each `migrate` item, (2) prepares the AD group with `--write-ad` (the
  /// Exchange capture's X500 included) and (3) deletes Graph-deletable cloud groups once the AD
  /// group is prepared and the cloud group is still what the snapshot shows; distribution lists
  /// and mail-enabled security groups are left to the script. `switchSourceOfAuthority` items
  /// are switched. Every write: journal intent, write, read back, journal done or failed.
  func apply(
    _ plan: GroupPlan, client: GraphClient, journal: Journal, writeDirectory: Bool,
    exchangeCapture: String?
  ) async throws -> [GroupOutcome] {
    var outcomes: [GroupOutcome] = []
    let writer = ActiveDirectoryWriter(sources: try configuration.requireDirectory().sources)
    // The tenant's groups, read once: the fresh snapshots before deletions name parents by them.
    var known: [String: GraphGroup] = [:]
    if plan.items.contains(where: { $0.action == .migrate }) {
      for group in try await client.groups().collect() { known[group.id.lowercased()] = group }
    }
    for item in plan.items {
      guard let cloud = item.cloud else { continue }
      switch item.action {
      case .migrate:
        outcomes += try await migrate(
          item, cloud: cloud, client: client, journal: journal, writer: writer, known: known,
          writeDirectory: writeDirectory, exchangeCapture: exchangeCapture)
      case .switchSourceOfAuthority:
        outcomes.append(try await switchAuthority(cloud, client: client, journal: journal))
      default:
        continue
      }
    }
    return outcomes
  }

  private func migrate(
    _ item: GroupPlanItem, cloud: GroupCloudRef, client: GraphClient, journal: Journal,
    writer: ActiveDirectoryWriter, known: [String: GraphGroup], writeDirectory: Bool,
    exchangeCapture: String?
  ) async throws -> [GroupOutcome] {
    var outcomes: [GroupOutcome] = []
    let (snapshot, storedCapture) = try storedSnapshot(item, journal: journal)
    var capture = storedCapture
    let preparation = item.prepareDirectory ?? DirectoryPreparation()

    if preparation.needsExchangeCapture, let folder = exchangeCapture {
      capture = try readCapture(folder: folder, id: cloud.id)
      if let capture, let digest = item.snapshotDigest {
        let json = try Self.encoder.encode(capture)
        try journal.attachExchangeCapture(
          digest: digest, json: String(decoding: json, as: UTF8.self))
        try PrivateFile.write(
          json + Data("\n".utf8), to: "\(groupFolder(cloud.id))/exchange-capture.json")
      }
    }

    // Step 2: the AD group. "Prepared" counts for this plan's snapshot only: a newer plan may
    // have more to add.
    let prepareStep = GroupStep.Name.prepareDirectory.rawValue
    let marker = "snapshot \(item.snapshotDigest ?? "-")"
    var prepared =
      try journal.groupEvents(groupId: cloud.id).last {
        $0.step == prepareStep && ($0.detail ?? "").hasPrefix(marker)
      }?.state == .done
    if writeDirectory, let directory = item.directory {
      if preparation.needsExchangeCapture && capture == nil {
        outcomes.append(
          GroupOutcome(
            groupId: cloud.id, step: prepareStep, state: .pending,
            detail: "no Exchange capture: run the script, then apply with --exchange-capture DIR"))
        return outcomes
      }
      let x500 = capture?.x500Address.map { [$0] } ?? []
      try journal.recordGroupEvent(
        groupId: cloud.id, step: prepareStep, state: .intent,
        detail: "\(marker): LDAP modify \(directory.distinguishedName)", at: Clock.now())
      do {
        let result = try await writer.prepareGroup(
          dn: directory.distinguishedName, source: directory.source, preparation,
          extraProxyAddresses: x500)
        let detail =
          result.added.isEmpty
          ? "nothing to change" : "added " + result.added.joined(separator: "; ")
        try journal.recordGroupEvent(
          groupId: cloud.id, step: prepareStep, state: .done, detail: "\(marker): \(detail)",
          at: Clock.now())
        outcomes.append(
          GroupOutcome(
            groupId: cloud.id, step: prepareStep,
            state: result.added.isEmpty ? .unchanged : .done, detail: detail))
        prepared = true
      } catch {
        try journal.recordGroupEvent(
          groupId: cloud.id, step: prepareStep, state: .failed, detail: "\(marker): \(error)",
          at: Clock.now())
        outcomes.append(
          GroupOutcome(groupId: cloud.id, step: prepareStep, state: .failed, detail: "\(error)"))
        return outcomes
      }
    }
    let nothingToPrepare = preparation.isEmpty && !preparation.needsExchangeCapture

    // Step 3: the cloud group.
    let deleteStep = GroupStep.Name.deleteCloudGroup.rawValue
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
    outcomes.append(
      try await delete(cloud, snapshot: snapshot, known: known, client: client, journal: journal))
    return outcomes
  }

  /// Deletes a security or Microsoft 365 group if it is still exactly what the snapshot shows
  /// (members, owners, parents, app roles, licences, addresses, not synced): anything added since
  /// would be lost, so the plan must be made again. A Microsoft 365 group is then purged from
  /// deleted items, or its addresses stay reserved and the synced twin can't take them. A group
  /// already gone counts as done.
  private func delete(
    _ cloud: GroupCloudRef, snapshot: GroupSnapshot, known: [String: GraphGroup],
    client: GraphClient, journal: Journal
  ) async throws -> GroupOutcome {
    let step = GroupStep.Name.deleteCloudGroup.rawValue
    let unified = snapshot.kind == .microsoft365
    guard try await client.groupExists(cloud.id) else {
      if unified, try await client.deletedItemExists(cloud.id) {
        try await client.purgeDeletedItem(cloud.id)
        try journal.recordGroupEvent(
          groupId: cloud.id, step: step, state: .done, detail: "purged from deleted items",
          at: Clock.now())
        return GroupOutcome(
          groupId: cloud.id, step: step, state: .done, detail: "purged from deleted items")
      }
      return GroupOutcome(
        groupId: cloud.id, step: step, state: .unchanged, detail: "already deleted")
    }
    let now = try await self.snapshot(client: client, id: cloud.id, known: known)
    let changes = Self.differences(snapshot, now)
    guard changes.isEmpty else {
      return GroupOutcome(
        groupId: cloud.id, step: step, state: .stale,
        detail: "the group changed since its snapshot (" + changes.joined(separator: "; ")
          + "): plan again")
    }
    try journal.recordGroupEvent(
      groupId: cloud.id, step: step, state: .intent, detail: "DELETE /groups/\(cloud.id)",
      at: Clock.now())
    do {
      try await client.deleteGroup(cloud.id)
      guard try await !client.groupExists(cloud.id) else {
        throw GraphError(kind: .notApplied, message: "the group still exists after DELETE")
      }
      if unified { try await client.purgeDeletedItem(cloud.id) }
      let detail = unified ? "deleted and purged from deleted items" : "deleted"
      try journal.recordGroupEvent(
        groupId: cloud.id, step: step, state: .done, detail: detail, at: Clock.now())
      return GroupOutcome(groupId: cloud.id, step: step, state: .done, detail: detail)
    } catch let error as GraphError {
      try journal.recordGroupEvent(
        groupId: cloud.id, step: step, state: .failed, detail: error.description, at: Clock.now())
      return GroupOutcome(groupId: cloud.id, step: step, state: .failed, detail: error.description)
    }
  }

  /// What differs between two snapshots of one group, for a person (empty: the same group).
  static func differences(_ old: GroupSnapshot, _ new: GroupSnapshot) -> [String] {
    var out: [String] = []
    func compare(_ name: String, _ a: [String], _ b: [String]) {
      let (before, after) = (Set(a.map { $0.lowercased() }), Set(b.map { $0.lowercased() }))
      let added = after.subtracting(before).count
      let removed = before.subtracting(after).count
      if added + removed > 0 { out.append("\(name): \(added) added, \(removed) removed") }
    }
    compare("members", old.members.map(\.id), new.members.map(\.id))
    compare("owners", old.owners.map(\.id), new.owners.map(\.id))
    compare("parents", old.parents.map(\.id), new.parents.map(\.id))
    compare(
      "app roles", old.appRoleAssignments.map { "\($0.resourceId)/\($0.appRoleId)" },
      new.appRoleAssignments.map { "\($0.resourceId)/\($0.appRoleId)" })
    compare("licences", old.assignedLicenses.map(\.skuId), new.assignedLicenses.map(\.skuId))
    compare("addresses", old.group.proxyAddresses, new.group.proxyAddresses)
    if new.group.onPremisesSyncEnabled == true { out.append("now synced") }
    var properties = new.group
    properties.proxyAddresses = old.group.proxyAddresses
    properties.onPremisesSyncEnabled = old.group.onPremisesSyncEnabled
    if properties != old.group { out.append("properties changed") }
    return out
  }

  private func switchAuthority(_ cloud: GroupCloudRef, client: GraphClient, journal: Journal)
    async throws -> GroupOutcome
  {
    let step = GroupStep.Name.switchSourceOfAuthority.rawValue
    if try await client.isCloudManaged(group: cloud.id) {
      return GroupOutcome(
        groupId: cloud.id, step: step, state: .unchanged, detail: "already cloud-managed")
    }
    try journal.recordGroupEvent(
      groupId: cloud.id, step: step, state: .intent, detail: "isCloudManaged: true", at: Clock.now()
    )
    do {
      try await client.setCloudManaged(true, group: cloud.id)
      guard try await client.isCloudManaged(group: cloud.id) else {
        throw GraphError(kind: .notApplied, message: "isCloudManaged is still false")
      }
      try journal.recordGroupEvent(
        groupId: cloud.id, step: step, state: .done, detail: "isCloudManaged: true", at: Clock.now()
      )
      return GroupOutcome(
        groupId: cloud.id, step: step, state: .done, detail: "isCloudManaged: true")
    } catch let error as GraphError {
      try journal.recordGroupEvent(
        groupId: cloud.id, step: step, state: .failed, detail: error.description, at: Clock.now())
      return GroupOutcome(groupId: cloud.id, step: step, state: .failed, detail: error.description)
    }
  }

  /// `<folder>/<id>.json` as the script writes it; nil when the file is absent. A file for another
  /// group, or one that is not a capture, is refused with its path.
  func readCapture(folder: String, id: String) throws -> ExchangeCapture? {
    let path = "\(folder)/\(id).json"
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    // PowerShell's Set-Content -Encoding UTF8 writes a byte order mark.
    let bytes = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]
    let capture: ExchangeCapture
    do {
      capture = try JSONDecoder().decode(ExchangeCapture.self, from: Data(bytes))
    } catch {
      throw UsageError(
        "the Exchange capture '\(path)' is not a capture the script writes: \(error)")
    }
    guard capture.externalDirectoryObjectId.lowercased() == id.lowercased() else {
      throw UsageError(
        "the Exchange capture '\(path)' is for \(capture.externalDirectoryObjectId), not \(id)")
    }
    return capture
  }
}
