import AnchorCore

extension GroupExecutor {
  /// Deletes a security or Microsoft 365 group if it is still exactly what the snapshot shows
  /// (members, owners, parents, app roles, licences, addresses, not synced): anything added since
  /// would be lost, so the plan must be made again. A Microsoft 365 group is then purged from
  /// deleted items, or its addresses stay reserved and the synced twin can't take them. A group
  /// already gone counts as done.
  func delete(_ cloud: GroupCloudRef, snapshot: GroupSnapshot) async throws -> GroupOutcome {
    let step = GroupStep.Name.deleteCloudGroup
    func outcome(_ state: GroupOutcome.State, _ detail: String) -> GroupOutcome {
      GroupOutcome(groupId: cloud.id, step: GroupEventStep(step), state: state, detail: detail)
    }
    let unified = snapshot.kind == .microsoft365
    guard try await tenant.groupExists(cloud.id) else {
      if unified, try await tenant.deletedItemExists(cloud.id) {
        try await tenant.purgeDeletedItem(cloud.id)
        try record(cloud.id, step, .done, "purged from deleted items")
        return outcome(.done, "purged from deleted items")
      }
      return outcome(.unchanged, "already deleted")
    }
    let now = try await tenant.snapshot(group: cloud.id)
    let changes = Self.differences(snapshot, now)
    guard changes.isEmpty else {
      return outcome(
        .stale,
        "the group changed since its snapshot (" + changes.joined(separator: "; ")
          + "): plan again")
    }
    try record(cloud.id, step, .intent, "DELETE /groups/\(cloud.id)")
    try crash(.afterIntent)
    do {
      try await tenant.deleteGroup(cloud.id)
      guard try await !tenant.groupExists(cloud.id) else {
        throw GroupReadBackError(message: "the group still exists after DELETE")
      }
      if unified { try await tenant.purgeDeletedItem(cloud.id) }
    } catch let error as any GroupStepRefusal {
      try record(cloud.id, step, .failed, error.description)
      return outcome(.failed, error.description)
    }
    try crash(.afterVerify)
    let detail = unified ? "deleted and purged from deleted items" : "deleted"
    try record(cloud.id, step, .done, detail)
    return outcome(.done, detail)
  }

  /// What differs between two snapshots of one group, for a person (empty: the same group).
  public static func differences(_ old: GroupSnapshot, _ new: GroupSnapshot) -> [String] {
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

  /// Turns a synced group's Source of Authority to the cloud (`isCloudManaged: true`).
  func switchAuthority(_ cloud: GroupCloudRef) async throws -> GroupOutcome {
    let step = GroupStep.Name.switchSourceOfAuthority
    func outcome(_ state: GroupOutcome.State, _ detail: String) -> GroupOutcome {
      GroupOutcome(groupId: cloud.id, step: GroupEventStep(step), state: state, detail: detail)
    }
    if try await tenant.isCloudManaged(group: cloud.id) {
      return outcome(.unchanged, "already cloud-managed")
    }
    try record(cloud.id, step, .intent, "isCloudManaged: true")
    try crash(.afterIntent)
    do {
      try await tenant.setCloudManaged(true, group: cloud.id)
      guard try await tenant.isCloudManaged(group: cloud.id) else {
        throw GroupReadBackError(message: "isCloudManaged is still false")
      }
    } catch let error as any GroupStepRefusal {
      try record(cloud.id, step, .failed, error.description)
      return outcome(.failed, error.description)
    }
    try crash(.afterVerify)
    try record(cloud.id, step, .done, "isCloudManaged: true")
    return outcome(.done, "isCloudManaged: true")
  }
}
