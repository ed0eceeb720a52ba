import AnchorCore
import Foundation
import GraphClient
import PlanExecutor

extension GroupOperations {
  /// `groups verify`: (5) the synced twin exists, the cloud-only group is gone, the primary SMTP
  /// address is the snapshot's and every member that had an AD twin is a member again; with
  /// `restoreAccess`, (6) the new group gets back the cloud-only parents, app role assignments and
  /// licences of the snapshot (each only if missing, so a rerun changes nothing).
  func verify(_ plan: GroupPlan, client: GraphClient, journal: Journal, restoreAccess: Bool)
    async throws -> [GroupOutcome]
  {
    var outcomes: [GroupOutcome] = []
    let groups = try await client.groups().collect()
    for item in plan.items {
      guard let cloud = item.cloud else { continue }
      switch item.action {
      case .migrate:
        let (snapshot, _) = try storedSnapshot(item, journal: journal)
        let (outcome, twin) = try await verifyMigration(
          item, snapshot: snapshot, groups: groups, client: client)
        outcomes.append(outcome)
        let state: Journal.GroupEventState =
          switch outcome.state {
          case .done, .unchanged: .done
          case .failed: .failed
          case .pending, .stale: .skipped
          }
        try journal.recordGroupEvent(
          groupId: cloud.id, step: outcome.step, state: state, detail: outcome.detail,
          at: Clock.now())
        if restoreAccess, outcome.state == .done, let twin {
          outcomes += try await restore(
            item.restoreAccess ?? AccessRestoration(), of: cloud.id, to: twin, client: client,
            journal: journal)
        }
      case .switchSourceOfAuthority:
        let managed = try await client.isCloudManaged(group: cloud.id)
        outcomes.append(
          GroupOutcome(
            groupId: cloud.id, step: GroupStep.Name.verify.rawValue,
            state: managed ? .done : .pending,
            detail: managed ? "cloud-managed" : "isCloudManaged is false: apply the plan"))
      default:
        continue
      }
    }
    return outcomes
  }

  private func verifyMigration(
    _ item: GroupPlanItem, snapshot: GroupSnapshot, groups: [GraphGroup], client: GraphClient
  ) async throws -> (GroupOutcome, GraphGroup?) {
    let step = GroupStep.Name.verify.rawValue
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
    let actualSmtp = Self.cloudGroup(twin).primarySmtp
    if let expectedSmtp, actualSmtp?.caseInsensitiveCompare(expectedSmtp) != .orderedSame {
      problems.append("primary SMTP is \(actualSmtp ?? "none"), the snapshot had \(expectedSmtp)")
    }
    let members = try await client.members(ofGroup: twin.id).collect()
    let present = Set(members.map { $0.id.lowercased() })
    let pairs = (item.members?.inBoth ?? []) + (item.members?.addToDirectory ?? [])
    let missingUsers = pairs.filter {
      $0.type == .user && !present.contains($0.cloudId.lowercased())
    }
    if !missingUsers.isEmpty {
      problems.append("members missing: " + missingUsers.map(\.label).joined(separator: ", "))
    }
    let expectedGroups = pairs.filter { $0.type == .group }.count
    let groupMembers = members.filter { SnapshotObject.type(odataType: $0.odataType) == .group }
      .count
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
  /// assignments and licences; each recorded in the journal under the old group's id.
  func restore(
    _ access: AccessRestoration, of oldId: String, to twin: GraphGroup, client: GraphClient,
    journal: Journal
  ) async throws -> [GroupOutcome] {
    let step = GroupStep.Name.restoreAccess.rawValue
    var outcomes: [GroupOutcome] = []
    func record(_ state: GroupOutcome.State, _ detail: String) throws {
      outcomes.append(GroupOutcome(groupId: oldId, step: step, state: state, detail: detail))
      let journalState: Journal.GroupEventState =
        switch state {
        case .done, .unchanged: .done
        case .failed: .failed
        case .pending, .stale: .skipped
        }
      try journal.recordGroupEvent(
        groupId: oldId, step: step, state: journalState, detail: detail, at: Clock.now())
    }
    let parents = Set(
      try await client.parentGroups(ofGroup: twin.id).collect().map { $0.id.lowercased() })
    for parent in access.parents {
      let name = parent.displayName ?? parent.id
      if parents.contains(parent.id.lowercased()) {
        try record(.unchanged, "already a member of \(name)")
        continue
      }
      switch parent.via {
      case .graph:
        do {
          try await client.addMember(twin.id, toGroup: parent.id)
          try record(.done, "added to \(name)")
        } catch let error as GraphError {
          try record(.failed, "adding to \(name): \(error)")
        }
      case .exchangeScript:
        try record(.pending, "add to \(name) with the script's -RestoreAccess")
      case .directory:
        try record(
          .pending, "member of \(name) in AD (\(parent.distinguishedName ?? "?")): wait for sync")
      }
    }
    let roles = try await client.appRoleAssignments(ofGroup: twin.id).collect()
    for role in access.appRoleAssignments {
      let name = role.resourceDisplayName ?? role.resourceId
      if roles.contains(where: {
        $0.resourceId == role.resourceId && $0.appRoleId == role.appRoleId
      }) {
        try record(.unchanged, "app role \(role.appRoleId) of \(name) already assigned")
        continue
      }
      do {
        _ = try await client.assignAppRole(
          toGroup: twin.id, resourceId: role.resourceId, appRoleId: role.appRoleId)
        try record(.done, "app role \(role.appRoleId) of \(name) assigned")
      } catch let error as GraphError {
        try record(.failed, "app role \(role.appRoleId) of \(name): \(error)")
      }
    }
    if !access.licenses.isEmpty {
      let held = Set(
        (try await client.group(twin.id, select: GraphGroup.snapshotFields).assignedLicenses ?? [])
          .map { $0.skuId.lowercased() })
      let missing = access.licenses.filter { !held.contains($0.skuId.lowercased()) }
      if missing.isEmpty {
        try record(.unchanged, "licences already assigned")
      } else {
        do {
          try await client.assignLicenses(
            toGroup: twin.id,
            add: missing.map {
              GraphAssignedLicense(skuId: $0.skuId, disabledPlans: $0.disabledPlans)
            },
            remove: [])
          try record(
            .done, "licences " + missing.map(\.skuId).joined(separator: ", ") + " assigned")
        } catch let error as GraphError {
          try record(.failed, "licences: \(error)")
        }
      }
    }
    return outcomes
  }
}
