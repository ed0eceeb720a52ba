extension HardMatchPlanner {
  /// Turns one directory user's match outcome into a plan item (action, steps, before-image).
  /// A link or relink in a federated domain gets its steps afterwards (`FederatedSequencer`, once
  /// every temporary UPN is known): `deferFederated` is called with its twin.
  func item(
    for position: Int32, _ outcome: Outcome, directory: DirectoryIndex, cloud: TenantIndex,
    deferFederated: (Int32) -> Void
  ) -> PlanItem {
    let directoryRef = directory.ref(position)
    switch outcome {
    case .skip(let code, let text):
      return PlanItem(action: .skip, reason: code, explanation: text, directory: directoryRef)
    case .conflict(let code, let text, let twins, let involved):
      return PlanItem(
        action: .conflict, reason: code, explanation: text,
        cloud: twins.count == 1 ? cloud.ref(twins[0]) : nil, directory: directoryRef,
        involved: involved.sorted(by: PlanObjectRef.precedes))
    case .twin(let twin, let rule, let diagnostics):
      let before = cloud.before(twin)
      var item = PlanItem(
        action: .noop, reason: .alreadyLinked, explanation: "", cloud: cloud.ref(twin),
        directory: directoryRef, matchedBy: rule,
        immutableId: directory.users[Int(position)].anchor, diagnostics: diagnostics)
      decide(
        &item, before: before, position: position, twin: twin, directory: directory, cloud: cloud)
      if item.involved.count > 1 { item.involved.sort(by: PlanObjectRef.precedes) }
      // The before-image lives in the first step when there is one (not stored twice).
      if item.action == .link || item.action == .relink, let anchor = item.immutableId {
        if cloud.isFederated(twin) {
          item.before = before
          deferFederated(twin)
        } else {
          item.steps = [PlanStep(kind: .setImmutableId, immutableId: anchor, expect: before)]
        }
      } else {
        item.before = before
      }
      return item
    }
  }

  private func decide(
    _ item: inout PlanItem, before: BeforeImage, position: Int32, twin: Int32,
    directory: DirectoryIndex, cloud: TenantIndex
  ) {
    let current = before.immutableId
    guard let target = item.immutableId else {
      item.action = .blocked
      item.reason = .noSourceAnchor
      item.explanation =
        "the directory user has no sourceAnchor (\(directory.users[Int(position)].anchorSource) is empty): there is nothing to link"
      return
    }
    if let same = directory.sharedAnchor(target) {
      item.action = .conflict
      item.reason = .duplicateDirectoryAnchor
      item.explanation = "\(same.count) directory users have the anchor \(target)"
      item.involved = same.map(directory.involved) + [cloud.involved(twin)]
      return
    }
    if before.onPremisesSyncEnabled == true {
      if current == target {
        item.reason = .syncedAndLinked
        item.explanation = "synced by Entra Connect with this anchor already"
      } else {
        item.action = .blocked
        item.reason = .cloudUserSynced
        item.explanation =
          "the cloud user is synced (onPremisesSyncEnabled=true) and read-only here; its ImmutableID "
          + (current.map { "\($0) does not agree with \(target)" } ?? "is empty, not \(target)")
          + ": fix the anchor on the object its sync source exports, not in the cloud"
      }
      return
    }
    if current == target {
      item.reason = .alreadyLinked
      item.explanation = "the cloud user's ImmutableID already equals the directory anchor"
      return
    }
    let holders = cloud.byAnchor.lookup(target).positions.filter { $0 != twin }
    if !holders.isEmpty {
      item.action = .conflict
      item.reason = .immutableIdInUse
      item.explanation =
        "ImmutableID \(target) is already used by "
        + holders.map { cloud.users[Int($0)].userPrincipalName }.sorted().joined(separator: ", ")
        + "; ImmutableIDs are unique in a tenant"
      item.involved =
        [directory.involved(position), cloud.involved(twin)] + holders.map(cloud.involved)
      return
    }
    if cloud.users[Int(twin)].holdsDirectoryRole {
      item.action = .blocked
      item.reason = .cloudUserHoldsRole
      item.explanation =
        "the cloud user holds a Microsoft Entra directory role: Entra blocks matching role holders "
        + "(InvalidHardMatch / Existing Admin Role Conflict). Remedy: remove the role assignments, "
        + "let the match complete, then re-add the roles"
      return
    }
    if let current {
      guard settings.allowRelink else {
        item.action = .blocked
        item.reason = .relinkNotAllowed
        item.explanation =
          "the cloud user has ImmutableID \(current), not \(target): replacing it needs allowRelink"
        return
      }
      item.action = .relink
      item.reason = .immutableIdDiffers
      item.explanation = "replace ImmutableID \(current) with \(target) (allowRelink)"
      return
    }
    item.action = .link
    item.reason = .cloudUserHasNoImmutableId
    item.explanation = HardMatchPlanner.linkExplanation(item.matchedBy ?? .userPrincipalName)
  }

  /// Shared texts: a million link items should not build a million strings.
  private static func linkExplanation(_ rule: MatchRule) -> String {
    switch rule {
    case .immutableId: "set the ImmutableID"
    case .mapping: "matched by the mapping file; set the ImmutableID"
    case .userPrincipalName: "matched by userPrincipalName; set the ImmutableID"
    case .primarySmtp: "matched by primary SMTP address; set the ImmutableID"
    }
  }
}
