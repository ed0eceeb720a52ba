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
    let (order, ties) = PlanItem.directoryOrder(directoryUsers)
    var directory = DirectoryIndex(
      directoryUsers, includeMappingKeys: !mapping.isEmpty,
      sameObjectGUID: ties.map { Array(order[$0]) })
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
    var twins = [Int32](repeating: -1, count: outcomes.count)
    for (position, outcome) in outcomes.enumerated() {
      guard case .twin(let twin, _, _, _) = outcome else { continue }
      twins[position] = twin
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

    // Pass 3: actions and steps, built straight in the plan's order (by objectGUID): sorting a
    // million positions is cheaper than sorting, then permuting, a million items.
    let inputs = PlanInputs(directory: directory.users, cloud: cloud.users)
    var items: [PlanItem] = []
    items.reserveCapacity(outcomes.count)
    var federatedItems: [FederatedItem] = []
    outcomes.withUnsafeBufferPointer { outcomes in
      twins.withUnsafeBufferPointer { twins in
        directory.users.withUnsafeBufferPointer { directoryUsers in
          cloud.users.withUnsafeBufferPointer { cloudUsers in
            for start in stride(from: 0, to: order.count, by: CacheWarming.block) {
              let block = order[start..<min(start + CacheWarming.block, order.count)]
              CacheWarming.touch(
                block, outcomes: outcomes, twins: twins, directory: directoryUsers,
                cloud: cloudUsers, isFederated: cloud.isFederated)
              for position in block {
                let index = items.count
                items.append(
                  item(
                    for: position, outcomes[Int(position)], inputs: inputs, directory: directory,
                    cloud: cloud
                  ) {
                    federatedItems.append(FederatedItem(item: index, position: position, twin: $0))
                  })
              }
            }
          }
        }
      }
    }
    outcomes = []
    twins = []
    // Federated items need the documented sequence, once every temporary UPN wanted is known.
    if !federatedItems.isEmpty {
      addFederatedSteps(to: &items, federatedItems, directory: directory, cloud: cloud)
    }
    // Equal objectGUIDs (rare) are ordered by the rest of `PlanItem.precedes`.
    for range in ties { items[range].sort(by: PlanItem.precedes) }
    return (items, diagnostics, (directory.fingerprint, cloud.fingerprint))
  }

  /// One per directory user until items are built. The rare cases are boxed (`indirect`) so the
  /// array of a million outcomes stays at the size of a twin (~16 bytes, not ~56).
  enum Outcome {
    indirect case skip(DiagnosticCode, String)
    /// `anchorUnheld`: the immutableId rule looked the anchor up and no cloud user holds it.
    case twin(Int32, MatchRule, [Diagnostic], anchorUnheld: Bool)
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
    if !directory.users[index].enabled && !settings.includeDisabled {
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
    return .twin(decided.twin, decided.rule, diagnostics, anchorUnheld: anchorUnheld)
  }
}

/// The first cloud entry holding each directory user's anchor and UPN (-1: none), probed for all
/// users up front. Each probe is a chain of cache misses (the table's slot, then the cloud user
/// and its UPN to compare); in short loops of independent probes the CPU overlaps them, which it
/// can't inside the long matching step. Software-pipelined by block: while block b is probed,
/// block b's candidate keys and block b + 1's home slots are read ahead (`CacheWarming`).
struct CloudProbes {
  var anchor: [Int32] = []
  var upn: [Int32] = []

  init(directory: DirectoryIndex, cloud: TenantIndex, rules: [MatchRule]) {
    let count = directory.users.count
    anchor = [Int32](repeating: -1, count: count)
    upn = [Int32](repeating: -1, count: count)
    let probeAnchors = rules.contains(.immutableId) && !cloud.byAnchor.isEmpty
    let probeUPNs = rules.contains(.userPrincipalName)
    guard probeAnchors || probeUPNs else { return }
    let upnHashes = directory.upnHashes
    let block = CacheWarming.block
    // Two blocks of anchor hashes: this block's and the next one's.
    var anchorHashes = [UInt64](repeating: 0, count: 2 * block)
    directory.users.withUnsafeBufferPointer { users in
      cloud.users.withUnsafeBufferPointer { cloudUsers in
        /// Hashes block `start`'s anchors into its half and reads the home slots of both keys.
        func readSlots(_ start: Int) {
          guard start < count else { return }
          let end = min(start + block, count)
          if probeAnchors {
            let half = (start / block) % 2 * block
            for index in start..<end {
              anchorHashes[half + index - start] = users[index].anchor?.indexHash ?? 0
            }
            cloud.byAnchor.touch(anchorHashes[half..<half + end - start])
          }
          if probeUPNs { cloud.byUPN.touch(upnHashes[start..<end]) }
        }
        readSlots(0)
        for start in stride(from: 0, to: count, by: block) {
          let end = min(start + block, count)
          let half = (start / block) % 2 * block
          readSlots(start + block)
          if probeAnchors {
            cloud.byAnchor.touchCandidates(anchorHashes[half..<half + end - start]) {
              cloudUsers[Int($0)].onPremisesImmutableId == nil ? 0 : 1
            }
          }
          if probeUPNs {
            cloud.byUPN.touchCandidates(upnHashes[start..<end]) {
              CacheWarming.firstByte(cloudUsers[Int($0)].userPrincipalName)
            }
          }
          for index in start..<end {
            if probeAnchors, let key = users[index].anchor {
              anchor[index] =
                cloud.byAnchor.firstEntry(key, hash: anchorHashes[half + index - start]) ?? -1
            }
            if probeUPNs {
              // In place (no retains); -2: not ASCII, probed from a copy out of line.
              let found =
                users[index].userPrincipalName?.utf8.withContiguousStorageIfAvailable { key in
                  key.isEmpty
                    ? -1
                    : isASCII(key)
                      ? cloud.byUPN.firstEntry(ascii: key, hash: upnHashes[index]) : -2
                } ?? -2
              upn[index] =
                found != -2
                ? found
                : CloudProbes.probe(users.baseAddress! + index, cloud.byUPN, upnHashes[index])
            }
          }
        }
      }
    }
  }
}

extension CloudProbes {
  /// The UPN probe for a user whose UPN is not ASCII, not contiguous, or missing (-1).
  @inline(never)
  fileprivate static func probe(
    _ user: UnsafePointer<DirectoryUser>, _ index: PositionIndex<CloudKeys>, _ hash: UInt64
  ) -> Int32 {
    guard let key = user.pointee.userPrincipalName, !key.isEmpty else { return -1 }
    return index.firstEntry(key, hash: hash) ?? -1
  }
}

extension MatchRule {
  /// Rules that name the twin outright (an existing link or the operator's mapping) rather than
  /// infer it from an attribute; a disagreeing attribute rule is then a warning, not a conflict.
  var isExplicit: Bool { self == .immutableId || self == .mapping }
}
