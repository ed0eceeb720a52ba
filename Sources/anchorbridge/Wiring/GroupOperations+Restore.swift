import AnchorCore
import Foundation
import GraphClient
import PlanExecutor
import StateStore

extension GroupOperations {
  /// `groups restore --group ID`: recreates a deleted cloud-only group from its newest snapshot:
  /// through Graph for security and Microsoft 365 groups (properties, the members and owners that
  /// still exist, cloud-only parents, app role assignments, licences); as an Exchange Online script
  /// for distribution lists and mail-enabled security groups. Returns the outcomes and, for Graph,
  /// the new group's id.
  func restore(groupId: String, client: GraphClient, journal: Journal, script: String?)
    async throws -> [GroupOutcome]
  {
    guard let record = try journal.latestGroupSnapshot(groupId: groupId) else {
      throw UsageError(
        "the journal in \(operations.stateDirectory) has no snapshot of group '\(groupId)' "
          + "(snapshots are taken by `groups plan`)")
    }
    let snapshot = try JSONDecoder().decode(
      GroupSnapshot.self, from: Data(record.snapshotJSON.utf8))
    // The newest snapshot, with the newest capture taken (a later plan may have snapshotted the
    // group again without a new capture).
    let captureJSON =
      try record.exchangeCaptureJSON ?? journal.latestExchangeCapture(groupId: groupId)
    let capture = try captureJSON.map {
      try JSONDecoder().decode(ExchangeCapture.self, from: Data($0.utf8))
    }
    if try await client.groupExists(snapshot.group.id) {
      throw UsageError("group '\(snapshot.group.id)' still exists: there is nothing to restore")
    }
    let step = "restore"
    if snapshot.kind.isExchangeManaged {
      let text = ExchangeScript.restore(snapshot, capture: capture)
      if let script {
        try PrivateFile.write(Data(text.utf8), to: script)
      } else {
        output.write(text)
      }
      let detail =
        "Graph cannot create a \(snapshot.kind.rawValue) group: run the restore script "
        + (script.map { "'\($0)'" } ?? "printed above") + " in Exchange Online PowerShell"
      try journal.recordGroupEvent(
        groupId: snapshot.group.id, step: step, state: .skipped, detail: detail, at: Clock.now())
      return [GroupOutcome(groupId: snapshot.group.id, step: step, state: .pending, detail: detail)]
    }

    var outcomes: [GroupOutcome] = []
    // Restored before (a rerun, or a failure after the group was created): carry on with it.
    if let existing = try await restoredGroup(snapshot, client: client, journal: journal) {
      let detail = "already restored as \(existing.id)"
      outcomes.append(
        GroupOutcome(groupId: snapshot.group.id, step: step, state: .unchanged, detail: detail))
      outcomes += try await restoreAccess(snapshot, to: existing, client: client, journal: journal)
      return outcomes
    }
    var members: [String] = []
    var lost: [String] = []
    for member in snapshot.members {
      if try await exists(member, client: client) {
        members.append(member.id)
      } else {
        lost.append(member.label)
      }
    }
    var owners: [String] = []
    for owner in snapshot.owners {
      if try await exists(owner, client: client) {
        owners.append(owner.id)
      } else {
        lost.append(owner.label)
      }
    }
    let kind: NewGroup.Kind =
      snapshot.kind == .microsoft365
      ? .microsoft365(securityEnabled: snapshot.group.securityEnabled) : .security
    let new = NewGroup(
      kind: kind, displayName: snapshot.group.displayName,
      mailNickname: snapshot.group.mailNickname ?? Self.nickname(snapshot.group.displayName),
      description: snapshot.group.description, visibility: snapshot.group.visibility,
      memberIDs: members, ownerIDs: owners)
    try journal.recordGroupEvent(
      groupId: snapshot.group.id, step: step, state: .intent,
      detail: "POST /groups from snapshot \(record.digest)", at: Clock.now())
    let created: GraphGroup
    do {
      created = try await client.createGroup(new)
    } catch let error as GraphError {
      try journal.recordGroupEvent(
        groupId: snapshot.group.id, step: step, state: .failed, detail: error.description,
        at: Clock.now())
      return [
        GroupOutcome(
          groupId: snapshot.group.id, step: step, state: .failed, detail: error.description)
      ]
    }
    let detail =
      "recreated as \(created.id) with \(members.count) member(s), \(owners.count) owner(s)"
      + (lost.isEmpty ? "" : "; gone since the snapshot: " + lost.joined(separator: ", "))
    try journal.recordGroupEvent(
      groupId: snapshot.group.id, step: step, state: .done, detail: detail, at: Clock.now())
    outcomes.append(
      GroupOutcome(groupId: snapshot.group.id, step: step, state: .done, detail: detail))
    outcomes += try await restoreAccess(snapshot, to: created, client: client, journal: journal)
    if snapshot.kind == .microsoft365,
      let text = ExchangeScript.restoreUnified(
        snapshot, capture: capture, newGroupId: created.id, newMail: created.mail)
    {
      if let script {
        try PrivateFile.write(Data(text.utf8), to: script)
      } else {
        output.write(text)
      }
      outcomes.append(
        GroupOutcome(
          groupId: snapshot.group.id, step: step, state: .pending,
          detail: "run the Exchange Online script "
            + (script.map { "'\($0)'" } ?? "printed above")
            + " for the addresses and settings Graph cannot set"))
    }
    return outcomes
  }

  /// Parents, app roles and licences of the snapshot, on the recreated group.
  private func restoreAccess(
    _ snapshot: GroupSnapshot, to created: GraphGroup, client: GraphClient, journal: Journal
  ) async throws -> [GroupOutcome] {
    let parents = snapshot.parents.filter { $0.type == .group }.map { parent in
      AccessRestoration.Parent(
        id: parent.id, displayName: parent.displayName,
        via: parent.synced == true
          ? .directory : (parent.groupKind?.isExchangeManaged ?? false) ? .exchangeScript : .graph)
    }
    return try await restore(
      AccessRestoration(
        parents: parents, appRoleAssignments: snapshot.appRoleAssignments,
        licenses: snapshot.assignedLicenses),
      of: snapshot.group.id, to: created, client: client, journal: journal)
  }

  /// The group an earlier restore of this snapshot's group created, if it still exists: the id the
  /// journal recorded, else a cloud-only group of the same kind, name and mailNickname.
  private func restoredGroup(_ snapshot: GroupSnapshot, client: GraphClient, journal: Journal)
    async throws -> GraphGroup?
  {
    let groups = try await client.groups().collect()
    let recorded = try journal.groupEvents(groupId: snapshot.group.id).reversed().first {
      $0.step == "restore" && $0.state == .done
    }?.detail
    if let recorded,
      let found = groups.first(where: { recorded.hasPrefix("recreated as \($0.id) ") })
    {
      return found
    }
    return groups.first { group in
      group.onPremisesSyncEnabled != true && group.displayName == snapshot.group.displayName
        && group.mailNickname?.lowercased() == snapshot.group.mailNickname?.lowercased()
        && Self.cloudGroup(group).kind == snapshot.kind
    }
  }

  /// Users and groups are looked up; contacts, devices and service principals are bound as they
  /// are (Graph refuses the restore if one is gone, and it is named in the error).
  private func exists(_ object: SnapshotObject, client: GraphClient) async throws -> Bool {
    do {
      switch object.type {
      case .user: _ = try await client.user(object.id)
      case .group: return try await client.groupExists(object.id)
      case .orgContact, .device, .servicePrincipal: return true
      case .other: return false
      }
      return true
    } catch let error as GraphError where error.status == 404 {
      return false
    }
  }

  /// A mailNickname from a display name: ASCII letters and digits only (Graph's rules).
  static func nickname(_ name: String) -> String {
    let kept = name.unicodeScalars.filter {
      $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))
    }
    return kept.isEmpty ? "group" : String(String.UnicodeScalarView(kept.prefix(64)))
  }
}
