/// Which cloud users a clear plan covers.
public struct ClearScope: Hashable, Sendable {
  /// UPN domains (lowercase); nil = every domain.
  public var domains: Set<String>?
  /// Cloud object ids; nil = every user.
  public var userIds: Set<String>?

  public init(domains: Set<String>? = nil, userIds: Set<String>? = nil) {
    self.domains = domains.map { Set($0.map { $0.lowercased() }) }
    self.userIds = userIds.map { Set($0.map { $0.lowercased() }) }
  }

  public func contains(_ user: CloudUser) -> Bool {
    if let domains, !domains.contains(user.domain) { return false }
    if let userIds, !userIds.contains(user.id.lowercased()) { return false }
    return true
  }
}

/// Plans clearing the ImmutableID of every cloud-only user in a scope, for re-syncing the tenant to a
/// new forest, with a soft-match readiness report: will the new forest's object soft-match each
/// cloud user (unique UPN or primary SMTP), or be blocked (role holder, duplicate, no twin)?
public struct ClearPlanner: Sendable {
  public var settings: PlanSettings
  public var scope: ClearScope

  public init(settings: PlanSettings = PlanSettings(), scope: ClearScope = ClearScope()) {
    self.settings = settings
    self.scope = scope
  }

  /// - Parameter newForestUsers: the new forest's users (for the readiness report; may be empty).
  public func plan(tenant: TenantSnapshot, newForestUsers: [DirectoryUser], createdAt: String)
    -> Plan
  {
    let cloud = TenantIndex(tenant)
    let directory = DirectoryIndex(newForestUsers, includeMappingKeys: false)
    let diagnostics = PlanningChecks.tenantDiagnostics(tenant, cloud: cloud, mode: .clear)
    var items: [PlanItem] = []
    var twins: [Int32] = []
    for (offset, user) in tenant.users.enumerated() where scope.contains(user) {
      let position = Int32(offset)
      var item = PlanItem(
        action: .clear, reason: .cloudOnlyUser,
        explanation: "clear the ImmutableID of a cloud-only user", cloud: cloud.ref(position),
        before: cloud.before(position))
      if user.isSynced {
        item.action = .skip
        item.reason = .cloudUserSynced
        item.explanation =
          "the user is synced (onPremisesSyncEnabled=true), not cloud-only: its anchor belongs to the sync engine"
      } else if user.onPremisesImmutableId == nil {
        item.action = .noop
        item.reason = .alreadyClear
        item.explanation = "the user has no ImmutableID"
      }
      items.append(item)
      twins.append(position)
    }
    var federated = FederatedSequencer(cloud: cloud)
    if settings.allowFederatedClear {
      for (index, item) in items.enumerated() where item.action == .clear {
        federated.reserve(twins[index])
      }
    }
    for index in items.indices {
      if items[index].action == .clear {
        federated.addClearSteps(
          to: &items[index], twin: twins[index], allowFederatedClear: settings.allowFederatedClear)
      }
      if items[index].action != .skip {
        let movedTo = items[index].steps.first(where: { $0.kind == .setUserPrincipalName })?
          .userPrincipalName
        items[index].softMatch = readiness(
          twins[index], effectiveUPN: movedTo, cloud: cloud, directory: directory)
      }
    }
    PlanItem.sortDeterministically(&items)
    var fingerprint = PlanningChecks.fingerprint(
      directory: directory.fingerprint, cloud: cloud.fingerprint, tenant: tenant,
      settings: settings, mode: .clear)
    fingerprint.add(
      line:
        "scope \(scope.domains.map { $0.sorted() } ?? []) \(scope.userIds.map { $0.sorted() } ?? [])"
    )
    return Plan(
      mode: .clear, createdAt: createdAt, tenant: tenant.tenantId,
      inputFingerprint: fingerprint.finalize(), settings: settings,
      diagnostics: diagnostics.sorted(by: PlanningChecks.diagnosticOrder), items: items)
  }

  /// Predicts Entra's soft match: the incoming user matches on UPN or on its primary SMTP address
  /// against the cloud user's SMTP addresses; role holders are never matched; any second candidate
  /// on either side makes the match fail (duplicate attribute errors).
  func readiness(
    _ position: Int32, effectiveUPN: String?, cloud: TenantIndex, directory: DirectoryIndex
  )
    -> SoftMatchReadiness
  {
    let user = cloud.users[Int(position)]
    if user.holdsDirectoryRole {
      return SoftMatchReadiness(outcome: .blocked, reason: .cloudUserHoldsRole)
    }
    var candidates: [(Int32, MatchRule)] = []
    func add(_ hits: Hits, _ rule: MatchRule) {
      for hit in hits.positions where !candidates.contains(where: { $0.0 == hit }) {
        candidates.append((hit, rule))
      }
    }
    add(
      directory.byUPN.lookup(effectiveUPN ?? user.userPrincipalName),
      .userPrincipalName)
    for address in user.smtpAddresses {
      add(directory.bySMTP.lookup(address), .primarySmtp)
    }
    guard let (candidate, rule) = candidates.first else {
      return SoftMatchReadiness(outcome: .noTwin, reason: .noCloudTwin)
    }
    if candidates.count > 1 {
      return SoftMatchReadiness(outcome: .blocked, reason: .duplicateMatch)
    }
    // The incoming user must not also match another cloud user.
    let incoming = directory.users[Int(candidate)]
    var others: Set<Int32> = []
    if let upn = incoming.userPrincipalName {
      others.formUnion(cloud.byUPN.lookup(upn).positions)
    }
    if let smtp = directory.primarySmtp[Int(candidate)] {
      others.formUnion(cloud.bySMTP.lookup(smtp).positions)
    }
    others.remove(position)
    if !others.isEmpty {
      return SoftMatchReadiness(
        outcome: .blocked, by: rule, directory: directory.ref(candidate), reason: .duplicateMatch)
    }
    return SoftMatchReadiness(
      outcome: .willSoftMatch, by: rule, directory: directory.ref(candidate))
  }
}
