/// Plans moving groups' source of authority without losing anything (issue #6).
///
/// `toDirectory`: a cloud-only group with an AD twin is deleted in the cloud (Graph for security
/// and Microsoft 365 groups, Exchange Online for distribution lists and mail-enabled security
/// groups) so that sync creates the AD twin in its place; before that the AD group takes over the
/// cloud group's addresses, members, owner and synced parents, and afterwards the new group gets
/// back the cloud-only parents, app role assignments and licences, all from the snapshot.
/// `toCloud`: a synced group becomes cloud-managed by Group Source of Authority where the tenant
/// supports it, else by a copy in the cloud after the AD group leaves sync scope.
///
/// Pure: matcher results, snapshots and the user pairs in, a `GroupPlan` out.
public struct GroupPlanner: Sendable {
  public var matchOrder: [GroupMatchRule]
  public var direction: GroupDirection
  /// The tenant answers `onPremisesSyncBehavior` (toCloud only).
  public var sourceOfAuthoritySupported: Bool
  /// Plan `migrate` even when members without an AD twin would be lost (they are still listed).
  public var allowMemberLoss: Bool

  public init(
    matchOrder: [GroupMatchRule] = GroupMatchRule.defaultOrder,
    direction: GroupDirection = .toDirectory, sourceOfAuthoritySupported: Bool = false,
    allowMemberLoss: Bool = false
  ) {
    self.matchOrder = matchOrder.filter { $0 != .objectSid }
    self.direction = direction
    self.sourceOfAuthoritySupported = sourceOfAuthoritySupported
    self.allowMemberLoss = allowMemberLoss
  }

  /// The inputs of one planning round.
  public struct Inputs: Sendable {
    public var directoryGroups: [DirectoryGroup]
    /// The directory users in scope: member objectGUIDs are shown as their DNs.
    public var directoryUsers: [DirectoryUser]
    public var cloudGroups: [CloudGroup]
    /// Snapshots of the groups `snapshotTargets` named, by cloud group id.
    public var snapshots: [String: GroupSnapshot]
    /// Cloud user id → its AD twin (from the user plan: linked, to be linked or blocked twins).
    public var userTwins: [String: DirectoryObjectRef]
    public var tenant: String
    public var createdAt: String

    public init(
      directoryGroups: [DirectoryGroup], directoryUsers: [DirectoryUser],
      cloudGroups: [CloudGroup], snapshots: [String: GroupSnapshot],
      userTwins: [String: DirectoryObjectRef], tenant: String, createdAt: String
    ) {
      self.directoryGroups = directoryGroups
      self.directoryUsers = directoryUsers
      self.cloudGroups = cloudGroups
      self.snapshots = snapshots
      self.userTwins = userTwins
      self.tenant = tenant
      self.createdAt = createdAt
    }
  }

  /// The cloud groups whose snapshot the plan needs (read them, then call `plan`).
  public func snapshotTargets(directoryGroups: [DirectoryGroup], cloudGroups: [CloudGroup])
    -> [String]
  {
    let result = GroupMatcher(order: matchOrder).match(
      directory: directoryGroups, cloud: cloudGroups)
    var ids: [String] = []
    for outcome in result.outcomes {
      switch (direction, outcome) {
      case (.toDirectory, .matched(let twin, _)): ids.append(cloudGroups[twin].id)
      case (.toCloud, .synced(let twin)): ids.append(cloudGroups[twin].id)
      default: break
      }
    }
    return ids.sorted()
  }

  public func plan(_ inputs: Inputs) -> GroupPlan {
    let matching = GroupMatcher(order: matchOrder).match(
      directory: inputs.directoryGroups, cloud: inputs.cloudGroups)
    let context = Context(inputs: inputs, outcomes: matching.outcomes)
    var items: [GroupPlanItem] = []
    for (position, outcome) in matching.outcomes.enumerated() {
      items.append(item(position, outcome, context))
    }
    items.sort {
      ($0.directory?.distinguishedName ?? "", $0.cloud?.id ?? "")
        < ($1.directory?.distinguishedName ?? "", $1.cloud?.id ?? "")
    }
    return GroupPlan(
      direction: direction, createdAt: inputs.createdAt, tenant: inputs.tenant,
      inputFingerprint: fingerprint(inputs), matchOrder: matchOrder,
      diagnostics: matching.diagnostics, items: items)
  }

  private func item(_ position: Int, _ outcome: GroupMatchOutcome, _ context: Context)
    -> GroupPlanItem
  {
    let group = context.inputs.directoryGroups[position]
    let directory = GroupDirectoryRef(group)
    let cloud = context.inputs.cloudGroups
    switch outcome {
    case .none:
      return GroupPlanItem(
        action: .skip, reason: .noCloudTwin,
        explanation: "no cloud group matches by objectSid or "
          + matchOrder.map(\.rawValue).joined(separator: ", "), directory: directory)
    case .ambiguous(let rule, let twins):
      return GroupPlanItem(
        action: .conflict, reason: .ambiguousGroupMatch,
        explanation: "\(twins.count) cloud groups match by \(rule.rawValue): "
          + twins.map { "\(cloud[$0].displayName) (\(cloud[$0].id))" }.joined(separator: ", ")
          + "; make the names or addresses unique, then plan again",
        directory: directory, matchedBy: rule,
        involved: [group.distinguishedName] + twins.map { cloud[$0].id })
    case .claimedTwice(let twin, let rule, let others):
      let dns = others.map { context.inputs.directoryGroups[$0].distinguishedName }
      return GroupPlanItem(
        action: .conflict, reason: .cloudGroupClaimedTwice,
        explanation: "cloud group \(cloud[twin].displayName) (\(cloud[twin].id)) also matches "
          + dns.joined(separator: ", ") + " by \(rule.rawValue)",
        directory: directory, cloud: GroupCloudRef(cloud[twin]), matchedBy: rule,
        involved: ([group.distinguishedName] + dns).sorted() + [cloud[twin].id])
    case .synced(let twin):
      switch direction {
      case .toDirectory:
        return GroupPlanItem(
          action: .noop, reason: .groupAlreadySynced,
          explanation:
            "already synced from AD (onPremisesSecurityIdentifier \(group.objectSid ?? ""))",
          directory: directory, cloud: GroupCloudRef(cloud[twin]), matchedBy: .objectSid)
      case .toCloud:
        return toCloud(group, cloud[twin], context)
      }
    case .cloudManaged(let twin):
      switch direction {
      case .toDirectory:
        return GroupPlanItem(
          action: .blocked, reason: .groupIsConvertedTwin,
          explanation: "this cloud group came from the AD group (same objectSid) and is "
            + "cloud-managed now (Group Source of Authority, or sync turned off): return it to AD "
            + "with onPremisesSyncBehavior.isCloudManaged=false instead of deleting it",
          directory: directory, cloud: GroupCloudRef(cloud[twin]), matchedBy: .objectSid)
      case .toCloud:
        return GroupPlanItem(
          action: .noop, reason: .groupAlreadyCloudManaged,
          explanation: "already cloud-managed (onPremisesSyncEnabled is not true)",
          directory: directory, cloud: GroupCloudRef(cloud[twin]), matchedBy: .objectSid)
      }
    case .matched(let twin, let rule):
      switch direction {
      case .toDirectory:
        return migrate(group, cloud[twin], rule: rule, context)
      case .toCloud:
        return GroupPlanItem(
          action: .skip, reason: .groupAlreadyCloudManaged,
          explanation: "its twin \(cloud[twin].displayName) is already a cloud-only group",
          directory: directory, cloud: GroupCloudRef(cloud[twin]), matchedBy: rule)
      }
    }
  }

  private func fingerprint(_ inputs: Inputs) -> String {
    var hash = SHA256()
    func line(_ text: String) {
      hash.update(text)
      hash.update("\n")
    }
    line(
      "direction \(direction.rawValue) soa \(sourceOfAuthoritySupported) loss \(allowMemberLoss)")
    line("order " + matchOrder.map(\.rawValue).joined(separator: ","))
    line("tenant \(inputs.tenant)")
    for group in inputs.directoryGroups.sorted(by: { $0.distinguishedName < $1.distinguishedName })
    {
      line(
        "ad \(group.distinguishedName) \(group.objectGUID) \(group.objectSid ?? "-") "
          + "\(group.groupType.rawValue) \(group.mail ?? "-") \(group.mailNickname ?? "-") "
          + "\(group.displayName ?? "-") \(group.samAccountName ?? "-") \(group.managedBy ?? "-") "
          + group.proxyAddresses.joined(separator: ",") + " "
          + group.members.map(\.description).sorted().joined(separator: ","))
    }
    for group in inputs.cloudGroups.sorted(by: { $0.id < $1.id }) {
      line(
        "cloud \(group.id) \(group.displayName) \(group.mail ?? "-") \(group.mailNickname ?? "-") "
          + "\(group.mailEnabled) \(group.securityEnabled) \(group.groupTypes) "
          + "\(group.onPremisesSyncEnabled.map { "\($0)" } ?? "-") "
          + "\(group.onPremisesSecurityIdentifier ?? "-") "
          + group.proxyAddresses.joined(separator: ","))
    }
    for id in inputs.snapshots.keys.sorted() {
      line("snapshot \(id) \(inputs.snapshots[id]!.digest)")
    }
    for id in inputs.userTwins.keys.sorted() {
      line("twin \(id) \(inputs.userTwins[id]!.distinguishedName)")
    }
    return "sha256:" + Hex.encode(hash.finalize())
  }
}

/// Lookups shared by the items of one plan.
struct GroupPlanningContext: Sendable {
  let inputs: GroupPlanner.Inputs
  /// AD group by objectSid (case-insensitive) and by objectGUID.
  let directoryBySid: [CaseInsensitiveKey: Int]
  let directoryByGuid: [ObjectGUID: Int]
  /// AD user DN by objectGUID.
  let userByGuid: [ObjectGUID: DirectoryUser]
  let cloudById: [String: Int]
  /// Cloud-only group id → its matched AD group (toDirectory twins).
  let directoryTwinOfCloudOnly: [String: Int]

  init(inputs: GroupPlanner.Inputs, outcomes: [GroupMatchOutcome]) {
    self.inputs = inputs
    var bySid: [CaseInsensitiveKey: Int] = [:]
    var byGuid: [ObjectGUID: Int] = [:]
    for (position, group) in inputs.directoryGroups.enumerated() {
      if let sid = group.objectSid { bySid[CaseInsensitiveKey(sid)] = position }
      byGuid[group.objectGUID] = position
    }
    directoryBySid = bySid
    directoryByGuid = byGuid
    var users: [ObjectGUID: DirectoryUser] = [:]
    for user in inputs.directoryUsers { users[user.objectGUID] = user }
    userByGuid = users
    var cloud: [String: Int] = [:]
    for (position, group) in inputs.cloudGroups.enumerated() {
      cloud[group.id.lowercased()] = position
    }
    cloudById = cloud
    var twins: [String: Int] = [:]
    for (position, outcome) in outcomes.enumerated() {
      if case .matched(let twin, _) = outcome {
        twins[inputs.cloudGroups[twin].id.lowercased()] = position
      }
    }
    directoryTwinOfCloudOnly = twins
  }

  func cloudGroup(_ id: String) -> CloudGroup? {
    cloudById[id.lowercased()].map { inputs.cloudGroups[$0] }
  }

  /// The AD twin of a cloud group: by objectSid when synced, by the matcher when cloud-only.
  func directoryTwin(ofCloudGroup id: String) -> DirectoryGroup? {
    guard let group = cloudGroup(id) else { return nil }
    if group.isSynced {
      return group.onPremisesSecurityIdentifier
        .flatMap { directoryBySid[CaseInsensitiveKey($0)] }
        .map { inputs.directoryGroups[$0] }
    }
    return directoryTwinOfCloudOnly[id.lowercased()].map { inputs.directoryGroups[$0] }
  }

  /// A member objectGUID as a DN when it is in scope, else the GUID.
  func label(ofDirectoryMember guid: ObjectGUID) -> String {
    if let user = userByGuid[guid] { return user.distinguishedName }
    if let group = directoryByGuid[guid] { return inputs.directoryGroups[group].distinguishedName }
    return "<GUID=\(guid)>"
  }
}

extension GroupPlanner {
  typealias Context = GroupPlanningContext
}
