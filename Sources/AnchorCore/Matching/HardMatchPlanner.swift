/// Plans linking directory users to their cloud twins by ImmutableID (hard match), explaining every
/// case it will not decide: it never guesses. Pure: values in, `Plan` out; O(n) with hash indexes.
public struct HardMatchPlanner: Sendable {
  public var settings: PlanSettings

  public init(settings: PlanSettings = PlanSettings()) {
    self.settings = settings
  }

  /// - Parameters:
  ///   - directoryUsers: the users read from AD, anchors already resolved by policy.
  ///   - tenant: the tenant snapshot (users, domains, flags).
  ///   - mapping: explicit pairs from a mapping file (used where `settings.matchOrder` has `.mapping`).
  ///   - createdAt: the creation time to record (RFC 3339); the planner reads no clock.
  public func plan(
    directoryUsers: [DirectoryUser], tenant: TenantSnapshot, mapping: [IdentityMapping] = [],
    createdAt: String
  ) -> Plan {
    // The indexes live only inside buildItems: they are freed before the plan is assembled.
    let (items, diagnostics, hashes) = buildItems(
      directoryUsers: directoryUsers, tenant: tenant, mapping: mapping)

    var fingerprint = PlanningChecks.fingerprint(
      directory: hashes.directory, cloud: hashes.cloud, tenant: tenant, settings: settings,
      mode: .link)
    for entry in mapping { fingerprint.add(line: "mapping \(entry)") }
    return Plan(
      mode: .link, createdAt: createdAt, tenant: tenant.tenantId,
      inputFingerprint: fingerprint.finalize(), settings: settings,
      diagnostics: diagnostics.sorted(by: PlanningChecks.diagnosticOrder), items: items)
  }

  /// Matching (passes 1-2) and actions with steps (pass 3), in the plan's order; and the users'
  /// fingerprint hashes, taken while the indexes were built.
  private func buildItems(
    directoryUsers: [DirectoryUser], tenant: TenantSnapshot, mapping: [IdentityMapping]
  ) -> ([PlanItem], [Diagnostic], (directory: MultisetHash, cloud: MultisetHash)) {
    let cloud = TenantIndex(tenant, includeIds: !mapping.isEmpty)
    // The plan's order (by objectGUID) is sorted first: its groups of equal objectGUIDs are also
    // the duplicate anchors when anchors are objectGUIDs.
    let (order, ties) = PlanItem.directoryKeys(directoryUsers)
    var directory = DirectoryIndex(
      directoryUsers, includeMappingKeys: !mapping.isEmpty,
      sameObjectGUID: ties.map { order[$0].map(\.position) })
    var diagnostics = PlanningChecks.tenantDiagnostics(tenant, cloud: cloud, mode: .link)
    let mappedTo = resolve(mapping, directory: directory, cloud: cloud, diagnostics: &diagnostics)

    // Pass 1: each directory user's twin (or why there is none).
    let probes = CloudProbes(directory: directory, cloud: cloud, rules: settings.matchOrder)
    var outcomes: [Outcome] = []
    outcomes.reserveCapacity(directoryUsers.count)
    for position in 0..<directoryUsers.count {
      outcomes.append(
        match(
          Int32(position), directory: directory, cloud: cloud, probes: probes, mappedTo: mappedTo))
    }

    directory.dropKeyIndexes()

    // Pass 2: a cloud user claimed by several directory users is a conflict for all of them.
    var claimant = [Int32](repeating: -1, count: cloud.users.count)
    var contested: [Int32: [Int32]] = [:]
    for (position, outcome) in outcomes.enumerated() {
      guard case .twin(let twin, _, _, _, _) = outcome else { continue }
      let first = claimant[Int(twin)]
      if first < 0 {
        claimant[Int(twin)] = Int32(position)
      } else {
        contested[twin, default: [first]].append(Int32(position))
      }
    }
    for (twin, claimants) in contested {
      let involved = claimants.map(directory.involved) + [cloud.involved(twin)]
      for position in claimants {
        outcomes[Int(position)] = .conflict(
          .cloudUserClaimedTwice,
          "cloud user \(cloud.users[Int(twin)].userPrincipalName) is the match of \(claimants.count) directory users",
          cloud: [twin], involved: involved)
      }
    }

    // Pass 3: actions and steps, built straight in the plan's order (by objectGUID): sorting
    // positions is cheaper than sorting, then permuting, the much larger items. Each item reads
    // its outcome (with its twin's state) and its directory user's anchor; when every anchor is
    // the objectGUID, that is in the sorted keys, and no user is read at all.
    let anchorsFromKeys = directory.anchorsAreObjectGUIDs
    let inputs = PlanInputs(directory: directory.users, cloud: cloud.users)
    var items: [PlanItem] = []
    items.reserveCapacity(outcomes.count)
    var federatedItems: [FederatedItem] = []
    outcomes.withUnsafeBufferPointer { outcomes in
      directory.users.withUnsafeBufferPointer { directoryUsers in
        for start in stride(from: 0, to: order.count, by: CacheWarming.block) {
          let block = order[start..<min(start + CacheWarming.block, order.count)]
          CacheWarming.touch(
            block, outcomes: outcomes, directory: anchorsFromKeys ? nil : directoryUsers)
          for key in block {
            let position = key.position
            let index = items.count
            let anchor =
              anchorsFromKeys
              ? SourceAnchor(guid: ObjectGUID(words: (key.high, key.low)))
              : directoryUsers[Int(position)].anchor
            items.append(
              item(
                for: position, outcomes[Int(position)], anchor: anchor, inputs: inputs,
                directory: directory, cloud: cloud
              ) {
                federatedItems.append(FederatedItem(item: index, position: position, twin: $0))
              })
          }
        }
      }
    }
    outcomes = []
    // Federated items need the documented sequence, once every temporary UPN wanted is known.
    if !federatedItems.isEmpty {
      addFederatedSteps(to: &items, federatedItems, directory: directory, cloud: cloud)
    }
    // Equal objectGUIDs (rare) are ordered by the rest of `PlanItem.precedes`.
    for range in ties { items[range].sort(by: PlanItem.precedes) }
    return (items, diagnostics, (directory.fingerprint, cloud.fingerprint))
  }

  /// One per directory user until items are built. The rare cases are boxed (`indirect`) so each
  /// element of the outcome array stays the size of a twin.
  enum Outcome {
    indirect case skip(DiagnosticCode, String)
    /// `anchorUnheld`: the immutableId rule looked the anchor up and no cloud user holds it.
    /// `state`: the twin's, when the probes found it (else unknown).
    case twin(Int32, MatchRule, [Diagnostic], anchorUnheld: Bool, state: TwinState)
    indirect case conflict(DiagnosticCode, String, cloud: [Int32], involved: [PlanObjectRef])
  }

  /// Maps each directory position named in the mapping file to the cloud positions it names.
  private func resolve(
    _ mapping: [IdentityMapping], directory: DirectoryIndex, cloud: TenantIndex,
    diagnostics: inout [Diagnostic]
  ) -> [Int32: (Hits, String)] {
    var result: [Int32: (Hits, String)] = [:]
    guard settings.matchOrder.contains(.mapping) else { return result }
    for entry in mapping {
      let directoryHits = directory.lookup(entry.directory)
      let cloudHits: Hits
      switch entry.cloud {
      case .objectId(let id): cloudHits = cloud.byId.lookup(id)
      case .userPrincipalName(let upn): cloudHits = cloud.byUPN.lookup(upn)
      }
      switch directoryHits {
      case .none:
        diagnostics.append(
          Diagnostic(
            .warning, .mappingUnresolved, subject: entry.origin,
            "mapping line names directory user \(entry.directory) that was not read from the directory"
          ))
      case .many(let positions):
        diagnostics.append(
          Diagnostic(
            .error, .mappingAmbiguous, subject: entry.origin,
            "mapping line names \(entry.directory), which matches \(positions.count) directory users; use the DN"
          ))
      case .one(let position):
        if cloudHits.isEmpty {
          diagnostics.append(
            Diagnostic(
              .warning, .mappingUnresolved, subject: entry.origin,
              "mapping line names cloud user \(entry.cloud) that is not in the tenant snapshot"))
        }
        result[position] = (cloudHits, entry.origin)
      }
    }
    return result
  }

  private func lookup(
    _ rule: MatchRule, _ position: Int32, directory: DirectoryIndex, cloud: TenantIndex,
    probes: CloudProbes, mappedTo: [Int32: (Hits, String)]
  ) -> (hits: Hits, sameKey: Hits) {
    let index = Int(position)
    switch rule {
    case .immutableId:
      let first = probes.anchor[index]
      return (first < 0 ? .none : cloud.byAnchor.hits(first: first), .none)
    case .mapping:
      return mappedTo.isEmpty ? (.none, .none) : (mappedTo[position]?.0 ?? .none, .none)
    case .userPrincipalName:
      // Probed only for users with a UPN: -1 also stands for no or an empty UPN.
      let first = probes.upn[index]
      if first < 0 { return (.none, .none) }
      let hits = cloud.byUPN.hits(first: first)
      // The UPN is read (and retained) only when some UPN repeats among directory users; it was
      // hashed once, when the directory index was built.
      guard directory.byUPN.hasSharedKeys, let upn = directory.users[index].userPrincipalName
      else { return (hits, .none) }
      let sameKey = directory.byUPN.shared(upn, hash: directory.upnHashes[index])
      return (hits, sameKey.map(Hits.many) ?? .none)
    case .primarySmtp:
      guard let smtp = directory.primarySmtp[Int(position)], !smtp.isEmpty else {
        return (.none, .none)
      }
      if cloud.bySMTP.isEmpty { return (.none, .none) }
      let hash = CaseFolding.hash(smtp)
      let hits = cloud.bySMTP.lookup(smtp, hash: hash)
      if hits.isEmpty { return (.none, .none) }
      return (hits, directory.bySMTP.shared(smtp, hash: hash).map(Hits.many) ?? .none)
    }
  }

  private func match(
    _ position: Int32, directory: DirectoryIndex, cloud: TenantIndex, probes: CloudProbes,
    mappedTo: [Int32: (Hits, String)]
  ) -> Outcome {
    let index = Int(position)
    if !directory.enabled[index] && !settings.includeDisabled {
      return .skip(
        .directoryUserDisabled, "the directory user is disabled and includeDisabled is off")
    }
    var decided: (twin: Int32, rule: MatchRule)?
    var diagnostics: [Diagnostic] = []
    var anchorUnheld = false
    for rule in settings.matchOrder {
      let (hits, sameKey) = lookup(
        rule, position, directory: directory, cloud: cloud, probes: probes, mappedTo: mappedTo)
      if rule == .immutableId && hits.isEmpty { anchorUnheld = true }
      // Once an explicit rule decided, later disagreement is reported but does not override it.
      let explicitlyDecided = decided?.rule.isExplicit == true
      switch hits {
      case .none:
        continue
      case .many(let positions):
        let message =
          "\(rule.rawValue) matches \(positions.count) cloud users: "
          + positions.map { cloud.users[Int($0)].userPrincipalName }.sorted().joined(
            separator: ", ")
        if explicitlyDecided {
          diagnostics.append(
            Diagnostic(
              .warning, .ambiguousCloudMatch, subject: directory.users[index].distinguishedName,
              message))
          continue
        }
        let code: DiagnosticCode =
          rule == .userPrincipalName
          ? .duplicateCloudUpn : rule == .primarySmtp ? .duplicateCloudSmtp : .ambiguousCloudMatch
        return .conflict(
          code, message + "; resolve the duplicate or map the user explicitly", cloud: positions,
          involved: [directory.involved(position)] + positions.map(cloud.involved))
      case .one(let twin):
        if case .many(let sameKey) = sameKey {
          let what = rule == .userPrincipalName ? "UPN" : "primary SMTP address"
          let message = "\(sameKey.count) directory users share this \(what)"
          if explicitlyDecided {
            diagnostics.append(
              Diagnostic(
                .warning,
                rule == .userPrincipalName ? .duplicateDirectoryUpn : .duplicateDirectorySmtp,
                subject: directory.users[index].distinguishedName, message))
            continue
          }
          return .conflict(
            rule == .userPrincipalName ? .duplicateDirectoryUpn : .duplicateDirectorySmtp, message,
            cloud: [twin], involved: sameKey.map(directory.involved) + [cloud.involved(twin)])
        }
        guard let current = decided else {
          decided = (twin, rule)
          continue
        }
        if current.twin != twin {
          let message =
            "\(current.rule.rawValue) matches \(cloud.users[Int(current.twin)].userPrincipalName) but "
            + "\(rule.rawValue) matches \(cloud.users[Int(twin)].userPrincipalName)"
          if explicitlyDecided {
            diagnostics.append(
              Diagnostic(
                .warning, .matchRulesDisagree, subject: directory.users[index].distinguishedName,
                message))
          } else {
            return .conflict(
              .matchRulesDisagree, message, cloud: [current.twin, twin],
              involved: [
                directory.involved(position), cloud.involved(current.twin), cloud.involved(twin),
              ])
          }
        }
      }
    }
    guard let decided else {
      return .skip(
        .noCloudTwin,
        "no cloud user matches by \(settings.matchOrder.map(\.rawValue).joined(separator: ", "))")
    }
    // The probes took the state of the cloud users they found.
    let state =
      decided.twin == probes.upn[index]
      ? probes.upnState[index]
      : decided.twin == probes.anchor[index] ? probes.anchorState[index] : TwinState()
    return .twin(
      decided.twin, decided.rule, diagnostics, anchorUnheld: anchorUnheld, state: state)
  }
}

extension MatchRule {
  /// Rules that name the twin outright (an existing link or the operator's mapping) rather than
  /// infer it from an attribute; a disagreeing attribute rule is then a warning, not a conflict.
  var isExplicit: Bool { self == .immutableId || self == .mapping }
}
