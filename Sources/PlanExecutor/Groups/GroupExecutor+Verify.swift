import AnchorCore

extension GroupExecutor {
  /// `groups verify`: (5) the synced twin exists, the cloud-only group is gone, the primary SMTP
  /// address is the snapshot's and every member that had an AD twin is a member again; with
  /// `restoreAccess`, (6) the new group gets back the cloud-only parents, app role assignments and
  /// licences of the snapshot (each only if missing, so a rerun changes nothing).
  public func verify(_ plan: GroupPlan, restoreAccess: Bool) async throws -> [GroupOutcome] {
    var outcomes: [GroupOutcome] = []
    let groups = try await tenant.groups()
    for item in plan.items {
      guard let cloud = item.cloud else { continue }
      switch item.action {
      case .migrate:
        let (snapshot, _) = try storedSnapshot(item)
        let (outcome, twin) = try await verifyMigration(item, snapshot: snapshot, groups: groups)
        outcomes.append(outcome)
        try record(cloud.id, outcome.step, Self.journalState(outcome.state), outcome.detail)
        if restoreAccess, outcome.state == .done, let twin {
          outcomes += try await self.restoreAccess(
            item.restoreAccess ?? AccessRestoration(), of: cloud.id, to: twin.id)
        }
      case .switchSourceOfAuthority:
        let managed = try await tenant.isCloudManaged(group: cloud.id)
        outcomes.append(
          GroupOutcome(
            groupId: cloud.id, step: .verify,
            state: managed ? .done : .pending,
            detail: managed ? "cloud-managed" : "isCloudManaged is false: apply the plan"))
      default:
        continue
      }
    }
    return outcomes
  }

  /// How a verify or restore outcome is journaled: waiting (pending, stale) is `skipped`.
  static func journalState(_ state: GroupOutcome.State) -> Journal.GroupEventState {
    switch state {
    case .done, .unchanged: .done
    case .failed: .failed
    case .pending, .stale: .skipped
    }
  }

  private func verifyMigration(
    _ item: GroupPlanItem, snapshot: GroupSnapshot, groups: [CloudGroup]
  ) async throws -> (GroupOutcome, CloudGroup?) {
    let step = GroupEventStep.verify
    let id = snapshot.group.id
    func result(_ state: GroupOutcome.State, _ detail: String) -> GroupOutcome {
      GroupOutcome(groupId: id, step: step, state: state, detail: detail)
    }
    if groups.contains(where: { $0.id.lowercased() == id.lowercased() }) {
      return (result(.pending, "the cloud-only group still exists (step 3 not done)"), nil)
    }
    guard let sid = item.directory?.objectSid,
      let twin = groups.first(where: {
        $0.onPremisesSyncEnabled == true
          && $0.onPremisesSecurityIdentifier?.caseInsensitiveCompare(sid) == .orderedSame
      })
    else {
      return (
        result(
          .pending,
          "no synced group with objectSid \(item.directory?.objectSid ?? "-") yet: wait for sync"),
        nil
      )
    }
    var problems: [String] = []
    let expectedSmtp = snapshot.group.primarySmtp
    let actualSmtp = twin.primarySmtp
    if let expectedSmtp, actualSmtp?.caseInsensitiveCompare(expectedSmtp) != .orderedSame {
      problems.append("primary SMTP is \(actualSmtp ?? "none"), the snapshot had \(expectedSmtp)")
    }
    let members = try await tenant.members(ofGroup: twin.id)
    let present = Set(members.map { $0.id.lowercased() })
    let pairs = (item.members?.inBoth ?? []) + (item.members?.addToDirectory ?? [])
    let missingUsers = pairs.filter {
      $0.type == .user && !present.contains($0.cloudId.lowercased())
    }
    if !missingUsers.isEmpty {
      problems.append("members missing: " + missingUsers.map(\.label).joined(separator: ", "))
    }
    let expectedGroups = pairs.filter { $0.type == .group }.count
    let groupMembers = members.filter { $0.type == .group }.count
    if groupMembers < expectedGroups {
      problems.append("\(expectedGroups - groupMembers) nested group(s) missing")
    }
    if !problems.isEmpty {
      return (result(.failed, "synced as \(twin.id) but " + problems.joined(separator: "; ")), twin)
    }
    return (
      result(
        .done,
        "synced as \(twin.id) with \(members.count) member(s), primary SMTP \(actualSmtp ?? "none")"
      ),
      twin
    )
  }

  /// Step 6 for one group: parents through Graph (the script and AD do the others), app role
  /// assignments and licences, each only if missing, each recorded under the deleted group's id.
  func restoreAccess(_ access: AccessRestoration, of oldId: String, to newId: String)
    async throws -> [GroupOutcome]
  {
    let step = GroupEventStep.restoreAccess
    var outcomes: [GroupOutcome] = []
    func note(_ state: GroupOutcome.State, _ detail: String) throws {
      outcomes.append(GroupOutcome(groupId: oldId, step: step, state: state, detail: detail))
      try record(oldId, step, Self.journalState(state), detail)
    }
    let parents = Set(try await tenant.parents(ofGroup: newId).map { $0.id.lowercased() })
    for parent in access.parents {
      let name = parent.displayName ?? parent.id
      if parents.contains(parent.id.lowercased()) {
        try note(.unchanged, "already a member of \(name)")
        continue
      }
      switch parent.via {
      case .graph:
        do {
          try await tenant.addMember(newId, toGroup: parent.id)
          try crash(.afterWrite)
          try note(.done, "added to \(name)")
        } catch let error as any GroupStepRefusal {
          try note(.failed, "adding to \(name): \(error)")
        }
      case .exchangeScript:
        try note(.pending, "add to \(name) with the script's -RestoreAccess")
      case .directory:
        try note(
          .pending, "member of \(name) in AD (\(parent.distinguishedName ?? "?")): wait for sync")
      }
    }
    let roles = try await tenant.appRoleAssignments(ofGroup: newId)
    for role in access.appRoleAssignments {
      let name = role.resourceDisplayName ?? role.resourceId
      if roles.contains(where: {
        $0.resourceId == role.resourceId && $0.appRoleId == role.appRoleId
      }) {
        try note(.unchanged, "app role \(role.appRoleId) of \(name) already assigned")
        continue
      }
      do {
        try await tenant.assignAppRole(
          toGroup: newId, resourceId: role.resourceId, appRoleId: role.appRoleId)
        try crash(.afterWrite)
        try note(.done, "app role \(role.appRoleId) of \(name) assigned")
      } catch let error as any GroupStepRefusal {
        try note(.failed, "app role \(role.appRoleId) of \(name): \(error)")
      }
    }
    if !access.licenses.isEmpty {
      let held = Set(
        try await tenant.assignedLicenses(ofGroup: newId).map { $0.skuId.lowercased() })
      let missing = access.licenses.filter { !held.contains($0.skuId.lowercased()) }
      if missing.isEmpty {
        try note(.unchanged, "licences already assigned")
      } else {
        do {
          try await tenant.assignLicenses(toGroup: newId, add: missing)
          try crash(.afterWrite)
          try note(.done, "licences " + missing.map(\.skuId).joined(separator: ", ") + " assigned")
        } catch let error as any GroupStepRefusal {
          try note(.failed, "licences: \(error)")
        }
      }
    }
    return outcomes
  }
}
