import AnchorCore
import Foundation

extension GroupExecutor {
  /// `groups restore --group ID`: recreates a deleted cloud-only group from its newest snapshot:
  /// through the tenant for security and Microsoft 365 groups (properties, the members and owners
  /// that still exist, cloud-only parents, app role assignments, licences); as an Exchange Online
  /// script for distribution lists and mail-enabled security groups. A rerun finds the group an
  /// earlier restore created (the journal names it) and only completes its access.
  public func restore(groupId: String, script: RestoreScript) async throws -> [GroupOutcome] {
    guard let record = try journal.latestGroupSnapshot(groupId: groupId) else {
      throw GroupExecutorError.noSnapshotToRestore(groupId: groupId)
    }
    let snapshot = try JSONDecoder().decode(
      GroupSnapshot.self, from: Data(record.snapshotJSON.utf8))
    // The newest capture: a later plan may have snapshotted the group again without one.
    let captureJSON =
      try record.exchangeCaptureJSON ?? journal.latestExchangeCapture(groupId: groupId)
    let capture = try captureJSON.map {
      try JSONDecoder().decode(ExchangeCapture.self, from: Data($0.utf8))
    }
    let id = snapshot.group.id
    if try await tenant.groupExists(id) { throw GroupExecutorError.stillExists(groupId: id) }
    let step = GroupEventStep.restore
    func outcome(_ state: GroupOutcome.State, _ detail: String) -> GroupOutcome {
      GroupOutcome(groupId: id, step: step, state: state, detail: detail)
    }
    if snapshot.kind.isExchangeManaged {
      try script.write(ExchangeScript.restore(snapshot, capture: capture))
      let detail =
        "Graph cannot create a \(snapshot.kind.rawValue) group: run the restore script "
        + "\(script.location) in Exchange Online PowerShell"
      try self.record(id, step, .skipped, detail)
      return [outcome(.pending, detail)]
    }

    if let existing = try await restoredGroup(snapshot) {
      return [outcome(.unchanged, "already restored as \(existing.id)")]
        + (try await restoreAccess(snapshot, to: existing.id))
    }
    var members: [String] = []
    var owners: [String] = []
    var lost: [String] = []
    for member in snapshot.members {
      if try await tenant.objectExists(member) {
        members.append(member.id)
      } else {
        lost.append(member.label)
      }
    }
    for owner in snapshot.owners {
      if try await tenant.objectExists(owner) {
        owners.append(owner.id)
      } else {
        lost.append(owner.label)
      }
    }
    var properties = snapshot.group
    properties.mailNickname = properties.mailNickname ?? Self.nickname(properties.displayName)
    try self.record(id, step, .intent, "POST /groups from snapshot \(record.digest)")
    try crash(.afterIntent)
    let created: CloudGroup
    do {
      created = try await tenant.createGroup(properties, memberIds: members, ownerIds: owners)
    } catch let error as any GroupStepRefusal {
      try self.record(id, step, .failed, error.description)
      return [outcome(.failed, error.description)]
    }
    try crash(.afterWrite)
    let detail =
      "recreated as \(created.id) with \(members.count) member(s), \(owners.count) owner(s)"
      + (lost.isEmpty ? "" : "; gone since the snapshot: " + lost.joined(separator: ", "))
    try self.record(id, step, .done, detail, result: created.id)
    try crash(.afterDone)
    var outcomes = [outcome(.done, detail)]
    outcomes += try await restoreAccess(snapshot, to: created.id)
    if snapshot.kind == .microsoft365,
      let text = ExchangeScript.restoreUnified(
        snapshot, capture: capture, newGroupId: created.id, newMail: created.mail)
    {
      try script.write(text)
      outcomes.append(
        outcome(
          .pending,
          "run the Exchange Online script \(script.location) for the addresses and settings "
            + "Graph cannot set"))
    }
    return outcomes
  }

  /// Parents, app roles and licences of the snapshot, on the recreated group.
  private func restoreAccess(_ snapshot: GroupSnapshot, to newId: String) async throws
    -> [GroupOutcome]
  {
    let parents = snapshot.parents.filter { $0.type == .group }.map { parent in
      AccessRestoration.Parent(
        id: parent.id, displayName: parent.displayName,
        via: parent.synced == true
          ? .directory : (parent.groupKind?.isExchangeManaged ?? false) ? .exchangeScript : .graph)
    }
    return try await restoreAccess(
      AccessRestoration(
        parents: parents, appRoleAssignments: snapshot.appRoleAssignments,
        licenses: snapshot.assignedLicenses),
      of: snapshot.group.id, to: newId)
  }

  /// The group an earlier restore of this snapshot's group created, if it still exists: the one
  /// the journal names, else (a crash before the journal named it) a cloud-only group of the same
  /// kind, name and mailNickname.
  private func restoredGroup(_ snapshot: GroupSnapshot) async throws -> CloudGroup? {
    let groups = try await tenant.groups()
    if let recorded = try journal.resultId(groupId: snapshot.group.id, step: .restore),
      let found = groups.first(where: { $0.id.lowercased() == recorded.lowercased() })
    {
      return found
    }
    return groups.first { group in
      group.onPremisesSyncEnabled != true && group.displayName == snapshot.group.displayName
        && group.mailNickname?.lowercased() == snapshot.group.mailNickname?.lowercased()
        && group.kind == snapshot.kind
    }
  }

  /// A mailNickname from a display name: ASCII letters and digits only (Graph's rules).
  public static func nickname(_ name: String) -> String {
    let kept = name.unicodeScalars.filter {
      $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))
    }
    return kept.isEmpty ? "group" : String(String.UnicodeScalarView(kept.prefix(64)))
  }
}
