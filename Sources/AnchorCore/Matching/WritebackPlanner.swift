/// Plans writing cloud ImmutableIDs back to Active Directory (forest moves): for every cloud user
/// whose ImmutableID matches no directory object's anchor but whose AD twin is found (mapping file,
/// UPN, primary SMTP), an item that writes the 16 bytes behind the ImmutableID into the twin's
/// mS-DS-ConsistencyGuid, so Entra Connect hard-matches it on its first sync. What ADSyncTools'
/// `Update-ADSyncToolsSourceAnchor` does, planned, compare-and-set and reversible.
///
/// Items address the twin (see `PlanKind.anchorWriteback`): the before-image is the anchor its
/// mS-DS-ConsistencyGuid holds now (nil = absent). Pure: values in, `Plan` out.
public struct WritebackPlanner: Sendable {
  public var settings: PlanSettings
  /// The anchor policy of each directory source, by source name. Writing mS-DS-ConsistencyGuid
  /// changes the exported anchor only where the policy is `consistencyGuid`.
  public var policies: [String: AnchorPolicy]
  /// Directory objects outside the users read (other OUs, computers, contacts) that carry an
  /// anchor's bytes in mS-DS-ConsistencyGuid, by DN: the caller finds them with an LDAP search
  /// for each planned write (`carrierSearch`) and plans again.
  public var knownCarriers: [SourceAnchor: [String]]

  public init(
    settings: PlanSettings = PlanSettings(), policies: [String: AnchorPolicy],
    knownCarriers: [SourceAnchor: [String]] = [:]
  ) {
    self.settings = settings
    self.policies = policies
    self.knownCarriers = knownCarriers
  }

  /// The anchors a plan writes: what to search the directory for before trusting the plan.
  public static func carrierSearch(_ plan: Plan) -> [(
    anchor: SourceAnchor, twin: DirectoryObjectRef
  )] {
    plan.items.compactMap { item in
      guard item.action == .link || item.action == .relink, let anchor = item.immutableId,
        let twin = item.directory
      else { return nil }
      return (anchor: anchor, twin: twin)
    }
  }

  public func plan(
    directoryUsers: [DirectoryUser], tenant: TenantSnapshot, mapping: [IdentityMapping] = [],
    createdAt: String
  ) -> Plan {
    let cloud = TenantIndex(tenant, includeIds: !mapping.isEmpty)
    let directory = DirectoryIndex(directoryUsers, includeMappingKeys: !mapping.isEmpty)
    let mapped = mappedDirectory(mapping, directory: directory, cloud: cloud)
    var anchors: Set<SourceAnchor> = []
    var carriers: [ObjectGUID: [Int32]] = [:]
    for (offset, user) in directoryUsers.enumerated() {
      if let anchor = user.anchor { anchors.insert(anchor) }
      if let raw = user.consistencyGuid, let guid = ObjectGUID(bytes: raw) {
        carriers[guid, default: []].append(Int32(offset))
      }
    }

    var items: [PlanItem] = []
    var twins: [Int32] = []
    for (offset, user) in tenant.users.enumerated() {
      let position = Int32(offset)
      guard let anchor = user.onPremisesImmutableId else { continue }
      var item = PlanItem(
        action: .skip, reason: .alreadyLinked, explanation: "", cloud: cloud.ref(position),
        immutableId: anchor)
      if anchors.contains(anchor) {
        item.action = .noop
        item.explanation = "a directory object already exports this ImmutableID as its anchor"
        items.append(item)
        twins.append(-1)
        continue
      }
      let (twin, rule, problem) = findTwin(
        position, user: user, directory: directory, mapped: mapped)
      if let problem {
        (item.action, item.reason, item.explanation, item.involved) = problem
        items.append(item)
        twins.append(-1)
        continue
      }
      guard let twin, let rule else { continue }
      item.matchedBy = rule
      item.directory = directory.ref(twin)
      decide(
        &item, anchor: anchor, twin: directory.users[Int(twin)], twinPosition: twin,
        carriers: carriers, directory: directory)
      items.append(item)
      twins.append(twin)
    }
    // One directory object can take one anchor: a twin claimed twice is a conflict for all claimants.
    var claims: [Int32: [Int]] = [:]
    for (index, twin) in twins.enumerated() where twin >= 0 {
      claims[twin, default: []].append(index)
    }
    for (twin, claimants) in claims where claimants.count > 1 {
      let involved =
        [directory.involved(twin)]
        + claimants.compactMap { items[$0].cloud }.map {
          PlanObjectRef(
            side: .cloud, id: $0.id, userPrincipalName: $0.userPrincipalName, immutableId: nil)
        }
      for index in claimants {
        items[index].action = .conflict
        items[index].reason = .directoryUserClaimedTwice
        items[index].explanation =
          "directory user \(directory.users[Int(twin)].distinguishedName) is the twin of \(claimants.count) cloud users; map them explicitly"
        items[index].steps = []
        items[index].before = nil
        items[index].involved = involved.sorted(by: PlanObjectRef.precedes)
      }
    }
    PlanItem.sortDeterministically(&items)

    var diagnostics = PlanningChecks.tenantDiagnostics(tenant, cloud: cloud, mode: .link)
    diagnostics.sort(by: PlanningChecks.diagnosticOrder)
    var fingerprint = PlanningChecks.fingerprint(
      directory: directory.fingerprint, cloud: cloud.fingerprint, tenant: tenant,
      settings: settings, mode: .link)
    fingerprint.add(
      line: "kind \(PlanKind.anchorWriteback.rawValue) replace \(settings.allowReplace)")
    for (source, policy) in policies.sorted(by: { $0.key < $1.key }) {
      fingerprint.add(line: "policy \(source) \(policy.configValue)")
    }
    for entry in mapping { fingerprint.add(line: "mapping \(entry)") }
    for (anchor, dns) in knownCarriers.sorted(by: { $0.key < $1.key }) {
      fingerprint.add(line: "carrier \(anchor.immutableId) \(dns.sorted())")
    }
    return Plan(
      kind: .anchorWriteback, mode: .link, createdAt: createdAt, tenant: tenant.tenantId,
      inputFingerprint: fingerprint.finalize(), settings: settings, diagnostics: diagnostics,
      items: items)
  }

  typealias Problem = (PlanAction, DiagnosticCode, String, [PlanObjectRef])

  /// The directory twin of a cloud user by the configured rules (the `immutableId` rule has
  /// already failed: the ImmutableID matches no directory anchor). The first rule that finds one
  /// decides; a later rule naming another object is a conflict unless the mapping decided.
  private func findTwin(
    _ position: Int32, user: CloudUser, directory: DirectoryIndex, mapped: [Int32: [Int32]]
  ) -> (Int32?, MatchRule?, Problem?) {
    var decided: (Int32, MatchRule)?
    for rule in settings.matchOrder {
      var hits: [Int32] = []
      switch rule {
      case .immutableId: continue
      case .mapping: hits = mapped[position] ?? []
      case .userPrincipalName:
        hits = directory.byUPN.lookup(user.userPrincipalName).positions
      case .primarySmtp:
        for address in user.smtpAddresses {
          for hit in directory.bySMTP.lookup(address).positions
          where !hits.contains(hit) {
            hits.append(hit)
          }
        }
      }
      if !settings.includeDisabled { hits = hits.filter { directory.users[Int($0)].enabled } }
      if hits.isEmpty { continue }
      if hits.count > 1 {
        if decided?.1 == .mapping { continue }
        return (
          nil, nil,
          (
            .conflict, .ambiguousDirectoryMatch,
            "\(rule.rawValue) matches \(hits.count) directory users: "
              + hits.map { directory.users[Int($0)].distinguishedName }.sorted().joined(
                separator: "; ") + "; map the user explicitly",
            hits.map(directory.involved).sorted(by: PlanObjectRef.precedes)
          )
        )
      }
      guard let current = decided else {
        decided = (hits[0], rule)
        continue
      }
      if current.0 != hits[0] && current.1 != .mapping {
        return (
          nil, nil,
          (
            .conflict, .matchRulesDisagree,
            "\(current.1.rawValue) matches \(directory.users[Int(current.0)].distinguishedName) but \(rule.rawValue) matches \(directory.users[Int(hits[0])].distinguishedName)",
            [directory.involved(current.0), directory.involved(hits[0])].sorted(
              by: PlanObjectRef.precedes)
          )
        )
      }
    }
    guard let decided else {
      return (
        nil, nil,
        (
          .skip, .noDirectoryTwin,
          "no directory user matches by "
            + settings.matchOrder.filter { $0 != .immutableId }.map(\.rawValue).joined(
              separator: ", "), []
        )
      )
    }
    return (decided.0, decided.1, nil)
  }

  /// The refusals, in order of what a person must fix first, then the write.
  private func decide(
    _ item: inout PlanItem, anchor: SourceAnchor, twin: DirectoryUser, twinPosition: Int32,
    carriers: [ObjectGUID: [Int32]], directory: DirectoryIndex
  ) {
    let current = twin.consistencyGuid.flatMap { $0.isEmpty ? nil : SourceAnchor(binaryValue: $0) }
    let before = BeforeImage(
      immutableId: current, userPrincipalName: twin.userPrincipalName ?? "",
      onPremisesSyncEnabled: nil)
    item.action = .blocked
    item.involved = [directory.involved(twinPosition)]
    guard let guid = anchor.guid else {
      item.reason = .opaqueAnchor
      item.explanation =
        "the ImmutableID '\(anchor.immutableId)' is not base64 of a 16-byte GUID: there are no GUID bytes to write into mS-DS-ConsistencyGuid"
      return
    }
    let policy = policies[twin.source]
    guard policy == .consistencyGuid else {
      item.reason = .anchorPolicyNotConsistencyGuid
      item.explanation =
        "directory source '\(twin.source)' anchors on \(policy?.configValue ?? "an unknown policy"), not consistencyGuid: writing mS-DS-ConsistencyGuid would not change the anchor Entra Connect exports"
      return
    }
    let others = (carriers[guid] ?? []).filter { $0 != twinPosition }
    let inScope = Set(others.map { directory.users[Int($0)].distinguishedName.lowercased() })
    let outside = (knownCarriers[anchor] ?? []).filter { dn in
      dn.lowercased() != twin.distinguishedName.lowercased() && !inScope.contains(dn.lowercased())
    }
    if !others.isEmpty || !outside.isEmpty {
      item.reason = .consistencyGuidInUse
      item.explanation =
        "mS-DS-ConsistencyGuid \(guid) is already carried by "
        + (others.map { directory.users[Int($0)].distinguishedName } + outside).sorted().joined(
          separator: "; ") + ": two objects would export the same anchor"
      item.involved =
        (([twinPosition] + others).map(directory.involved)
        + outside.map {
          PlanObjectRef(side: .directory, id: $0, userPrincipalName: nil, immutableId: anchor)
        }).sorted(by: PlanObjectRef.precedes)
      return
    }
    if let current, current != anchor {
      guard settings.allowReplace else {
        item.reason = .consistencyGuidAlreadySet
        item.explanation =
          "the twin's mS-DS-ConsistencyGuid already holds \(current.immutableId); set writeback.allowReplace: true to replace it"
        item.before = before
        return
      }
      item.action = .relink
      item.reason = .consistencyGuidReplaced
      item.explanation =
        "replace the twin's mS-DS-ConsistencyGuid \(current.immutableId) with the cloud ImmutableID's bytes (writeback.allowReplace)"
    } else {
      item.action = .link
      item.reason = .consistencyGuidUnset
      item.explanation =
        "write the cloud ImmutableID's 16 bytes into the twin's empty mS-DS-ConsistencyGuid"
    }
    item.involved = []
    item.steps = [PlanStep(kind: .setImmutableId, immutableId: anchor, expect: before)]
    item.compactBefore()
  }

  /// Cloud position → the directory positions mapping lines name for it.
  private func mappedDirectory(
    _ mapping: [IdentityMapping], directory: DirectoryIndex, cloud: TenantIndex
  ) -> [Int32: [Int32]] {
    var result: [Int32: [Int32]] = [:]
    guard settings.matchOrder.contains(.mapping) else { return result }
    for entry in mapping {
      let cloudHits: Hits
      switch entry.cloud {
      case .objectId(let id): cloudHits = cloud.byId.lookup(id)
      case .userPrincipalName(let upn): cloudHits = cloud.byUPN.lookup(upn)
      }
      guard case .one(let position) = cloudHits else { continue }
      for hit in directory.lookup(entry.directory).positions
      where result[position]?.contains(hit) != true {
        result[position, default: []].append(hit)
      }
    }
    return result
  }
}
