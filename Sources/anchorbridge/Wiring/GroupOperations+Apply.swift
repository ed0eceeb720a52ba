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
    let writer = GroupDirectoryWriter(sources: try configuration.requireDirectory().sources)
    for item in plan.items {
      guard let cloud = item.cloud else { continue }
      switch item.action {
      case .migrate:
        outcomes += try await migrate(
          item, cloud: cloud, client: client, journal: journal, writer: writer,
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
    writer: GroupDirectoryWriter, writeDirectory: Bool, exchangeCapture: String?
  ) async throws -> [GroupOutcome] {
    var outcomes: [GroupOutcome] = []
    var (snapshot, capture) = try storedSnapshot(item, journal: journal)
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

    // Step 2: the AD group.
    let prepareStep = GroupStep.Name.prepareDirectory.rawValue
    var prepared = try journal.groupStepDone(groupId: cloud.id, step: prepareStep)
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
        detail: "LDAP modify \(directory.distinguishedName)", at: Clock.now())
      do {
        let result = try await writer.prepare(
          group: directory.distinguishedName, source: directory.source, preparation,
          extraProxyAddresses: x500)
        let detail =
          result.added.isEmpty
          ? "nothing to change" : "added " + result.added.joined(separator: "; ")
        try journal.recordGroupEvent(
          groupId: cloud.id, step: prepareStep, state: .done, detail: detail, at: Clock.now())
        outcomes.append(
          GroupOutcome(
            groupId: cloud.id, step: prepareStep,
            state: result.added.isEmpty ? .unchanged : .done, detail: detail))
        prepared = true
      } catch {
        try journal.recordGroupEvent(
          groupId: cloud.id, step: prepareStep, state: .failed, detail: "\(error)", at: Clock.now())
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
      try await delete(cloud, snapshot: &snapshot, client: client, journal: journal))
    return outcomes
  }

  /// Deletes a security or Microsoft 365 group if it is still what the snapshot shows (same
  /// members, not synced); a group already gone counts as done.
  private func delete(
    _ cloud: GroupCloudRef, snapshot: inout GroupSnapshot, client: GraphClient, journal: Journal
  ) async throws -> GroupOutcome {
    let step = GroupStep.Name.deleteCloudGroup.rawValue
    guard try await client.groupExists(cloud.id) else {
      return GroupOutcome(
        groupId: cloud.id, step: step, state: .unchanged, detail: "already deleted")
    }
    let current = try await client.group(cloud.id)
    let members = Set(
      try await client.members(ofGroup: cloud.id).collect().map { $0.id.lowercased() })
    let expected = Set(snapshot.members.map { $0.id.lowercased() })
    guard current.onPremisesSyncEnabled != true, members == expected else {
      let detail =
        "the group changed since its snapshot (\(members.subtracting(expected).count) member(s) "
        + "added, \(expected.subtracting(members).count) removed"
        + (current.onPremisesSyncEnabled == true ? ", now synced" : "") + "): plan again"
      return GroupOutcome(groupId: cloud.id, step: step, state: .stale, detail: detail)
    }
    try journal.recordGroupEvent(
      groupId: cloud.id, step: step, state: .intent, detail: "DELETE /groups/\(cloud.id)",
      at: Clock.now())
    do {
      try await client.deleteGroup(cloud.id)
      guard try await !client.groupExists(cloud.id) else {
        throw GraphError(kind: .notApplied, message: "the group still exists after DELETE")
      }
      try journal.recordGroupEvent(
        groupId: cloud.id, step: step, state: .done, detail: "deleted", at: Clock.now())
      return GroupOutcome(groupId: cloud.id, step: step, state: .done, detail: "deleted")
    } catch let error as GraphError {
      try journal.recordGroupEvent(
        groupId: cloud.id, step: step, state: .failed, detail: error.description, at: Clock.now())
      return GroupOutcome(groupId: cloud.id, step: step, state: .failed, detail: error.description)
    }
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
