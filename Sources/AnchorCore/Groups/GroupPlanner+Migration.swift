extension GroupPlanner {
  /// toDirectory: a cloud-only group with an AD twin.
  func migrate(
    _ group: DirectoryGroup, _ twin: CloudGroup, rule: GroupMatchRule, _ context: Context
  ) -> GroupPlanItem {
    let directory = GroupDirectoryRef(group)
    let cloud = GroupCloudRef(twin)
    guard let snapshot = context.inputs.snapshots[twin.id] else {
      return GroupPlanItem(
        action: .blocked, reason: .snapshotMissing,
        explanation: "the cloud group could not be read completely; nothing is planned without "
          + "a snapshot", directory: directory, cloud: cloud, matchedBy: rule)
    }
    var diagnostics: [Diagnostic] = []
    let members = compareMembers(group, snapshot, context)
    var preparation = prepare(group, snapshot, members, context, &diagnostics)
    let restore = restoration(group, snapshot, context, &preparation, &diagnostics)

    // What sync will make of the AD group once it carries the cloud addresses.
    var prepared = group
    if prepared.primarySmtp == nil, let smtp = snapshot.group.primarySmtp {
      prepared.proxyAddresses = ["SMTP:" + smtp]
    }
    let resulting = CloudGroupKind.synced(from: prepared)
    let kind = snapshot.kind
    var blocks: [(DiagnosticCode, String)] = []
    if let rule = snapshot.group.membershipRule {
      blocks.append((.dynamicMembership, "dynamic membership (\(rule)) cannot be carried by AD"))
    }
    if snapshot.group.isAssignableToRole == true {
      blocks.append(
        (
          .roleAssignableGroup,
          "role-assignable groups cannot be synced from AD; keep it cloud-only"
        ))
    }
    if snapshot.group.resourceProvisioningOptions.contains("Team") {
      blocks.append(
        (.groupHasTeam, "it has a team; deleting the group deletes the team's channels and files"))
    }
    if let cloudPrimary = snapshot.group.primarySmtp, let adPrimary = group.primarySmtp,
      !CaseFolding.equal(cloudPrimary, adPrimary)
    {
      blocks.append(
        (
          .primarySmtpDiffers,
          "the AD group's primary SMTP address is \(adPrimary), the cloud group's \(cloudPrimary): "
            + "after sync the group would answer to another address; make them equal in AD first"
        ))
    }
    if !members.withoutDirectoryTwin.isEmpty && !allowMemberLoss {
      blocks.append(
        (
          .membersWithoutDirectoryTwin,
          "\(members.withoutDirectoryTwin.count) member(s) have no AD twin and would be lost: "
            + members.withoutDirectoryTwin.map(\.label).joined(separator: ", ")
            + " (create or link their AD twins, or plan with --allow-member-loss)"
        ))
    }
    if resulting != kind {
      let needsSecurity =
        !snapshot.appRoleAssignments.isEmpty || !snapshot.assignedLicenses.isEmpty
      let message =
        "the synced twin will be a \(resulting.rawValue) group, not a \(kind.rawValue) group"
      if needsSecurity && !resulting.canHoldLicenses {
        blocks.append(
          (.groupKindChanges, message + ", which cannot hold its app roles and licences"))
      } else {
        diagnostics.append(Diagnostic(.warning, .groupKindChanges, subject: twin.id, message))
      }
    }
    preparation.needsExchangeCapture = kind.isExchangeManaged || kind == .microsoft365

    let steps = migrationSteps(snapshot, preparation, restore)
    if let (reason, explanation) = blocks.first {
      for (code, message) in blocks.dropFirst() {
        diagnostics.append(Diagnostic(.error, code, subject: twin.id, message))
      }
      return GroupPlanItem(
        action: .blocked, reason: reason, explanation: explanation, directory: directory,
        cloud: cloud, matchedBy: rule, resultingKind: resulting, snapshotDigest: snapshot.digest,
        members: members, prepareDirectory: preparation, restoreAccess: restore, steps: steps,
        diagnostics: diagnostics)
    }
    return GroupPlanItem(
      action: .migrate, reason: .cloudOnlyGroupWithDirectoryTwin,
      explanation: "cloud-only \(kind.rawValue) group matched by \(rule.rawValue): delete it "
        + (kind.isExchangeManaged ? "in Exchange Online (script)" : "through Graph")
        + " so sync creates the AD twin, then restore its access",
      directory: directory, cloud: cloud, matchedBy: rule, resultingKind: resulting,
      snapshotDigest: snapshot.digest, members: members, prepareDirectory: preparation,
      restoreAccess: restore, steps: steps, diagnostics: diagnostics)
  }

  /// Cloud members against AD members, through the user pairs and group twins.
  func compareMembers(_ group: DirectoryGroup, _ snapshot: GroupSnapshot, _ context: Context)
    -> MembershipComparison
  {
    let directoryMembers = Set(group.members)
    var comparison = MembershipComparison()
    var twinned: Set<ObjectGUID> = []
    for member in snapshot.members.sorted(by: { $0.id < $1.id }) {
      var twin: (guid: ObjectGUID, dn: String, sid: String?)?
      switch member.type {
      case .user:
        twin = context.inputs.userTwins[member.id.lowercased()].map {
          ($0.objectGuid, $0.distinguishedName, nil)
        }
      case .group:
        twin = context.directoryTwin(ofCloudGroup: member.id).map {
          ($0.objectGUID, $0.distinguishedName, $0.objectSid)
        }
      default:
        twin = nil
      }
      guard let twin else {
        comparison.withoutDirectoryTwin.append(member)
        continue
      }
      twinned.insert(twin.guid)
      let pair = MemberPair(
        cloudId: member.id, type: member.type, label: member.label, distinguishedName: twin.dn,
        objectSid: twin.sid)
      if directoryMembers.contains(twin.guid) {
        comparison.inBoth.append(pair)
      } else {
        comparison.addToDirectory.append(pair)
      }
    }
    comparison.directoryOnly = group.members.filter { !twinned.contains($0) }
      .map { context.label(ofDirectoryMember: $0) }.sorted()
    return comparison
  }

  /// Step 2: addresses, members and owner the AD group must carry before the cloud group goes.
  func prepare(
    _ group: DirectoryGroup, _ snapshot: GroupSnapshot, _ members: MembershipComparison,
    _ context: Context, _ diagnostics: inout [Diagnostic]
  ) -> DirectoryPreparation {
    var preparation = DirectoryPreparation()
    let present = Set(
      group.proxyAddresses.map { CaseInsensitiveKey(Self.addressPart($0)) })
    let hasPrimary = group.primarySmtp != nil
    for address in snapshot.group.proxyAddresses.sorted() {
      guard !present.contains(CaseInsensitiveKey(Self.addressPart(address))) else { continue }
      if address.hasPrefix("SMTP:") && hasPrimary {
        preparation.addProxyAddresses.append("smtp:" + address.dropFirst(5))
      } else {
        preparation.addProxyAddresses.append(address)
      }
    }
    if group.primarySmtp == nil, group.mail == nil, let smtp = snapshot.group.primarySmtp {
      preparation.setMail = smtp
    }
    preparation.addMembers = members.addToDirectory.map(\.distinguishedName).sorted()
    let ownerTwins = snapshot.owners.filter { $0.type == .user }.sorted { $0.id < $1.id }
      .compactMap { owner in context.inputs.userTwins[owner.id.lowercased()].map { (owner, $0) } }
    if group.managedBy == nil, let first = ownerTwins.first {
      preparation.managedBy = first.1.distinguishedName
    }
    let carried = group.managedBy == nil ? ownerTwins.prefix(1).map(\.0.id) : []
    let dropped = snapshot.owners.filter { !carried.contains($0.id) }
    if !dropped.isEmpty {
      diagnostics.append(
        Diagnostic(
          .warning, .ownersNotCarried, subject: snapshot.group.id,
          "AD managedBy holds one owner"
            + (group.managedBy.map { " (already \($0))" } ?? "")
            + "; these owners are in the snapshot and the Exchange capture only: "
            + dropped.map(\.label).joined(separator: ", ")))
    }
    return preparation
  }

  /// Step 6, and the synced parents that become AD memberships in step 2.
  func restoration(
    _ group: DirectoryGroup, _ snapshot: GroupSnapshot, _ context: Context,
    _ preparation: inout DirectoryPreparation, _ diagnostics: inout [Diagnostic]
  ) -> AccessRestoration {
    var restore = AccessRestoration(
      appRoleAssignments: snapshot.appRoleAssignments.sorted { $0.id < $1.id },
      licenses: snapshot.assignedLicenses.sorted { $0.skuId < $1.skuId })
    for parent in snapshot.parents.sorted(by: { $0.id < $1.id }) where parent.type != .group {
      diagnostics.append(
        Diagnostic(
          .warning, .parentNotAGroup, subject: parent.id,
          "\(snapshot.group.displayName) is in \(parent.label) (\(parent.type.rawValue), e.g. an "
            + "administrative unit): add the new group to it by hand"))
    }
    for parent in snapshot.parents.sorted(by: { $0.id < $1.id }) where parent.type == .group {
      let current = context.cloudGroup(parent.id)
      let synced = current?.isSynced ?? parent.synced ?? false
      let kind = current?.kind ?? parent.groupKind ?? .security
      // A synced parent, or a cloud-only one that moves to AD too: membership of its AD twin.
      let moving = synced ? nil : context.directoryTwinOfCloudOnly[parent.id.lowercased()]
      if synced || moving != nil {
        guard
          let twin = moving.map({ context.inputs.directoryGroups[$0] })
            ?? context.directoryTwin(ofCloudGroup: parent.id)
        else {
          diagnostics.append(
            Diagnostic(
              .warning, .parentWithoutDirectoryTwin, subject: parent.id,
              "parent group \(parent.label) is synced but its AD group is not in scope: add "
                + "\(group.distinguishedName) to it in AD by hand"))
          continue
        }
        restore.parents.append(
          .init(
            id: parent.id, displayName: parent.displayName, via: .directory,
            distinguishedName: twin.distinguishedName))
        if !twin.members.contains(group.objectGUID) {
          preparation.joinGroups.append(twin.distinguishedName)
        }
      } else {
        restore.parents.append(
          .init(
            id: parent.id, displayName: parent.displayName,
            via: kind.isExchangeManaged ? .exchangeScript : .graph))
      }
    }
    preparation.joinGroups.sort()
    return restore
  }

  func migrationSteps(
    _ snapshot: GroupSnapshot, _ preparation: DirectoryPreparation, _ restore: AccessRestoration
  ) -> [GroupStep] {
    let exchange = snapshot.kind.isExchangeManaged
    var prepared: [String] = []
    if !preparation.addProxyAddresses.isEmpty {
      prepared.append("add proxyAddresses " + preparation.addProxyAddresses.joined(separator: ", "))
    }
    if preparation.needsExchangeCapture {
      prepared.append("add X500:<legacyExchangeDN> from the Exchange capture")
    }
    if !preparation.addMembers.isEmpty {
      prepared.append("add \(preparation.addMembers.count) member(s)")
    }
    if let owner = preparation.managedBy { prepared.append("managedBy \(owner)") }
    if let mail = preparation.setMail { prepared.append("mail \(mail)") }
    if !preparation.joinGroups.isEmpty {
      prepared.append("join " + preparation.joinGroups.joined(separator: ", "))
    }
    let byGraph = restore.parents.filter { $0.via == .graph }.count
    let byScript = restore.parents.filter { $0.via == .exchangeScript }.count
    return [
      GroupStep(
        number: 1, name: .snapshot, actor: .anchorbridge, command: "anchorbridge groups plan",
        detail: "taken \(snapshot.takenAt): \(snapshot.members.count) members, "
          + "\(snapshot.owners.count) owners, \(snapshot.parents.count) parents, "
          + "\(snapshot.appRoleAssignments.count) app role assignments, "
          + "\(snapshot.assignedLicenses.count) licences"
          + (exchange ? "; the script captures the Exchange settings next to it" : "")),
      GroupStep(
        number: 2, name: .prepareDirectory, actor: .anchorbridge,
        command: "anchorbridge groups apply --write-ad"
          + (preparation.needsExchangeCapture ? " --exchange-capture DIR" : ""),
        detail: prepared.isEmpty ? "nothing to change" : prepared.joined(separator: "; ")),
      GroupStep(
        number: 3, name: .deleteCloudGroup, actor: exchange ? .exchangeScript : .anchorbridge,
        command: exchange
          ? "Remove-DistributionGroup -Identity \(snapshot.group.id) -BypassSecurityGroupManagerCheck"
          : "anchorbridge groups apply (DELETE /groups/\(snapshot.group.id))",
        detail: exchange
          ? "Graph cannot delete distribution lists or mail-enabled security groups"
          : snapshot.kind == .microsoft365
            ? "after the AD group is prepared; then purged from deleted items, or its address "
              + "stays reserved for 30 days and the synced twin can't take it"
            : "after the AD group is prepared"),
      GroupStep(
        number: 4, name: .waitForSync, actor: .sync,
        command: "Start-ADSyncSyncCycle -PolicyType Delta",
        detail: "sync creates the AD group in the cloud (soft match on the primary SMTP address "
          + "for mail-enabled groups)"),
      GroupStep(
        number: 5, name: .verify, actor: .anchorbridge, command: "anchorbridge groups verify",
        detail: "the synced group exists with the same primary SMTP address and members"),
      GroupStep(
        number: 6, name: .restoreAccess, actor: .anchorbridge,
        command: "anchorbridge groups verify --restore-access",
        detail: "\(byGraph) parent(s) through Graph, \(byScript) through the script, "
          + "\(restore.appRoleAssignments.count) app role assignment(s), "
          + "\(restore.licenses.count) licence(s)"),
    ]
  }

  /// toCloud: a synced group that should become cloud-managed.
  func toCloud(_ group: DirectoryGroup, _ twin: CloudGroup, _ context: Context) -> GroupPlanItem {
    let directory = GroupDirectoryRef(group)
    let cloud = GroupCloudRef(twin)
    let snapshot = context.inputs.snapshots[twin.id]
    let exchange = twin.kind.isExchangeManaged
    if sourceOfAuthoritySupported {
      return GroupPlanItem(
        action: .switchSourceOfAuthority, reason: .sourceOfAuthoritySupported,
        explanation: "the tenant supports Group Source of Authority: the group keeps its id, "
          + "members and access"
          + (exchange ? "; afterwards it is managed in Exchange Online, not Graph" : ""),
        directory: directory, cloud: cloud, matchedBy: .objectSid, resultingKind: twin.kind,
        snapshotDigest: snapshot?.digest,
        steps: [
          GroupStep(
            number: 1, name: .snapshot, actor: .anchorbridge, command: "anchorbridge groups plan",
            detail: snapshot.map { "taken \($0.takenAt)" } ?? "not taken"),
          GroupStep(
            number: 2, name: .switchSourceOfAuthority, actor: .anchorbridge,
            command: "anchorbridge groups apply (PATCH /groups/\(twin.id)/onPremisesSyncBehavior)",
            detail: "isCloudManaged: true"),
          GroupStep(
            number: 3, name: .waitForSync, actor: .sync,
            command: "Start-ADSyncSyncCycle -PolicyType Delta",
            detail: "Entra Connect sets blockOnPremisesSync and stops changing the group"),
          GroupStep(
            number: 4, name: .verify, actor: .anchorbridge, command: "anchorbridge groups verify",
            detail: "isCloudManaged is true"),
        ])
    }
    guard let snapshot else {
      return GroupPlanItem(
        action: .blocked, reason: .snapshotMissing,
        explanation: "the synced group could not be read completely", directory: directory,
        cloud: cloud, matchedBy: .objectSid)
    }
    return GroupPlanItem(
      action: .recreateInCloud, reason: .sourceOfAuthorityUnsupported,
      explanation: "the tenant does not support Group Source of Authority: take the AD group out "
        + "of sync scope, then recreate it in the cloud from the snapshot",
      directory: directory, cloud: cloud, matchedBy: .objectSid, resultingKind: twin.kind,
      snapshotDigest: snapshot.digest,
      restoreAccess: AccessRestoration(
        parents: snapshot.parents.filter { $0.type == .group }.map {
          .init(
            id: $0.id, displayName: $0.displayName,
            via: ($0.groupKind?.isExchangeManaged ?? false) ? .exchangeScript : .graph)
        }, appRoleAssignments: snapshot.appRoleAssignments, licenses: snapshot.assignedLicenses),
      steps: [
        GroupStep(
          number: 1, name: .snapshot, actor: .anchorbridge, command: "anchorbridge groups plan",
          detail: "taken \(snapshot.takenAt)"),
        GroupStep(
          number: 2, name: .removeFromSyncScope, actor: .sync,
          command: "move \(group.distinguishedName) out of the synced OUs",
          detail: "the next sync deletes the synced group"),
        GroupStep(
          number: 3, name: .waitForSync, actor: .sync,
          command: "Start-ADSyncSyncCycle -PolicyType Delta", detail: "the synced group is gone"),
        GroupStep(
          number: 4, name: .createCloudGroup, actor: exchange ? .exchangeScript : .anchorbridge,
          command: exchange
            ? "New-DistributionGroup (restore script)"
            : "anchorbridge groups restore --group \(twin.id)",
          detail: "recreated from the snapshot with its members, owners, parents, app roles and "
            + "licences"),
      ])
  }

  /// `smtp:a@b` → `a@b`; `X500:/o=...` stays whole (its prefix is part of the identity).
  static func addressPart(_ address: String) -> String {
    if address.count > 5, address.prefix(5).lowercased() == "smtp:" {
      return String(address.dropFirst(5))
    }
    return address.lowercased()
  }
}
