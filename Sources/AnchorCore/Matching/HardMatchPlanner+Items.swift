extension HardMatchPlanner {
  /// Turns one directory user's match outcome into a plan item (action, steps, before-image).
  /// A link or relink in a federated domain gets its steps afterwards (`FederatedSequencer`, once
  /// every temporary UPN is known): `deferFederated` is called with its twin.
  /// `anchor` is the directory user's (read by the caller, or known from its objectGUID).
  func item(
    for position: Int32, _ outcome: Outcome, anchor: SourceAnchor?, inputs: PlanInputs,
    directory: DirectoryIndex, cloud: TenantIndex, deferFederated: (Int32) -> Void
  ) -> PlanItem {
    switch outcome {
    case .skip(let code, let text):
      return PlanItem(
        action: .skip, reason: code, explanation: text, inputs: inputs, directory: position)
    case .conflict(let code, let text, let twins, let involved):
      return PlanItem(
        action: .conflict, reason: code, explanation: text, inputs: inputs, directory: position,
        cloud: twins.count == 1 ? twins[0] : -1,
        involved: involved.sorted(by: PlanObjectRef.precedes))
    case .twin(let twin, let rule, let diagnostics, let anchorUnheld, let probed):
      let state = probed.contains(.known) ? probed : TwinState(cloud: cloud, twin, anchor: anchor)
      var decision = decide(
        anchor, rule: rule, position: position, twin: twin, state: state,
        anchorUnheld: anchorUnheld, directory: directory, cloud: cloud)
      if decision.involved.count > 1 { decision.involved.sort(by: PlanObjectRef.precedes) }
      // The item reads its references, before-image and step from the inputs (`PlanItem.Sides`).
      var derived = PlanItem.DerivedSides.before
      if decision.action == .link || decision.action == .relink, anchor != nil {
        if state.contains(.federated) {
          deferFederated(twin)
        } else {
          derived = .setImmutableId
        }
      }
      return PlanItem(
        action: decision.action, reason: decision.reason, explanation: decision.explanation,
        inputs: inputs, directory: position, cloud: twin, derived: derived, matchedBy: rule,
        immutableId: anchor, involved: decision.involved, diagnostics: diagnostics)
    }
  }

  /// A link or relink item in a federated domain, waiting for its steps.
  struct FederatedItem {
    /// Its index in the plan's items.
    var item: Int
    /// Its directory user and cloud twin.
    var position: Int32
    var twin: Int32
  }

  /// Adds the federated sequences (`FederatedSequencer`) to `federatedItems`, a block at a time.
  /// Each item then holds its sides, copied from its users at random places in memory: the
  /// block's users, strings, items and table slots are read ahead first so that their cache misses
  /// overlap rather than come one after the other.
  func addFederatedSteps(
    to items: inout [PlanItem], _ federatedItems: [FederatedItem], directory: DirectoryIndex,
    cloud: TenantIndex
  ) {
    var federated = FederatedSequencer(cloud: cloud)
    let block = CacheWarming.block
    var temporaries: [String?] = []
    temporaries.reserveCapacity(federatedItems.count)
    var hashes = [UInt64](repeating: 0, count: block)
    directory.users.withUnsafeBufferPointer { directoryUsers in
      cloud.users.withUnsafeBufferPointer { cloudUsers in
        for start in stride(from: 0, to: federatedItems.count, by: block) {
          let entries = federatedItems[start..<min(start + block, federatedItems.count)]
          CacheWarming.touch(upnsOf: entries.lazy.map(\.twin), cloud: cloudUsers)
          for entry in entries { temporaries.append(federated.reserve(entry.twin)) }
        }
        for start in stride(from: 0, to: federatedItems.count, by: block) {
          let end = min(start + block, federatedItems.count)
          for offset in start..<end {
            hashes[offset - start] = temporaries[offset].map(CaseFolding.hash) ?? 0
          }
          // `FederatedSequencer` checks that no cloud user has the temporary UPN.
          cloud.byUPN.touch(hashes[0..<end - start])
          if !cloud.bySMTP.isEmpty { cloud.bySMTP.touch(hashes[0..<end - start]) }
          items.withUnsafeBufferPointer { items in
            CacheWarming.touch(
              federatedItems[start..<end], items: items, directory: directoryUsers,
              cloud: cloudUsers)
          }
          for offset in start..<end {
            let index = federatedItems[offset].item
            federated.addSteps(
              to: &items[index], twin: federatedItems[offset].twin,
              setting: items[index].immutableId!, temporary: temporaries[offset])
          }
        }
      }
    }
  }

  /// What `decide` found: the item's action and why.
  struct Decision {
    var action = PlanAction.noop
    var reason = DiagnosticCode.alreadyLinked
    var explanation = ""
    var involved: [PlanObjectRef] = []
  }

  /// Decides from the twin's `state`; the twin itself is read only for the texts of rare cases.
  private func decide(
    _ anchor: SourceAnchor?, rule: MatchRule, position: Int32, twin: Int32, state: TwinState,
    anchorUnheld: Bool, directory: DirectoryIndex, cloud: TenantIndex
  ) -> Decision {
    var decision = Decision()
    guard let target = anchor else {
      decision.action = .blocked
      decision.reason = .noSourceAnchor
      decision.explanation =
        "the directory user has no sourceAnchor (\(directory.users[Int(position)].anchorSource) is empty): there is nothing to link"
      return decision
    }
    if let same = directory.sharedAnchor(target) {
      decision.action = .conflict
      decision.reason = .duplicateDirectoryAnchor
      decision.explanation = "\(same.count) directory users have the anchor \(target)"
      decision.involved = same.map(directory.involved) + [cloud.involved(twin)]
      return decision
    }
    if state.contains(.synced) {
      if state.contains(.holdsAnchor) {
        decision.reason = .syncedAndLinked
        decision.explanation = "synced by Entra Connect with this anchor already"
      } else {
        let current = cloud.users[Int(twin)].onPremisesImmutableId
        decision.action = .blocked
        decision.reason = .cloudUserSynced
        decision.explanation =
          "the cloud user is synced (onPremisesSyncEnabled=true) and read-only here; its ImmutableID "
          + (current.map { "\($0) does not agree with \(target)" } ?? "is empty, not \(target)")
          + ": fix the anchor on the object its sync source exports, not in the cloud"
      }
      return decision
    }
    if state.contains(.holdsAnchor) {
      decision.reason = .alreadyLinked
      decision.explanation = "the cloud user's ImmutableID already equals the directory anchor"
      return decision
    }
    // The matcher already looked this anchor up when its immutableId rule ran.
    let holders =
      anchorUnheld ? [] : cloud.byAnchor.lookup(target).positions.filter { $0 != twin }
    if !holders.isEmpty {
      decision.action = .conflict
      decision.reason = .immutableIdInUse
      decision.explanation =
        "ImmutableID \(target) is already used by "
        + holders.map { cloud.users[Int($0)].userPrincipalName }.sorted().joined(separator: ", ")
        + "; ImmutableIDs are unique in a tenant"
      decision.involved =
        [directory.involved(position), cloud.involved(twin)] + holders.map(cloud.involved)
      return decision
    }
    if state.contains(.holdsDirectoryRole) {
      decision.action = .blocked
      decision.reason = .cloudUserHoldsRole
      decision.explanation =
        "the cloud user holds a Microsoft Entra directory role: Entra blocks matching role holders "
        + "(InvalidHardMatch / Existing Admin Role Conflict). Remedy: remove the role assignments, "
        + "let the match complete, then re-add the roles"
      return decision
    }
    if !state.contains(.noImmutableId), let current = cloud.users[Int(twin)].onPremisesImmutableId {
      guard settings.allowRelink else {
        decision.action = .blocked
        decision.reason = .relinkNotAllowed
        decision.explanation =
          "the cloud user has ImmutableID \(current), not \(target): replacing it needs allowRelink"
        return decision
      }
      decision.action = .relink
      decision.reason = .immutableIdDiffers
      decision.explanation = "replace ImmutableID \(current) with \(target) (allowRelink)"
      return decision
    }
    decision.action = .link
    decision.reason = .cloudUserHasNoImmutableId
    decision.explanation = HardMatchPlanner.linkExplanation(rule)
    return decision
  }

  /// Shared texts, so that link items don't each build their own strings.
  private static func linkExplanation(_ rule: MatchRule) -> String {
    switch rule {
    case .immutableId: "set the ImmutableID"
    case .mapping: "matched by the mapping file; set the ImmutableID"
    case .userPrincipalName: "matched by userPrincipalName; set the ImmutableID"
    case .primarySmtp: "matched by primary SMTP address; set the ImmutableID"
    }
  }
}
