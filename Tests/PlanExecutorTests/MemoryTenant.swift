import PlanExecutor

/// An in-memory tenant that follows the Graph rules the executor must respect (graph-facts §1):
/// a federated domain refuses an ImmutableID change in place and a UPN move into it without one;
/// `""` is rejected; synced users refuse writes; ImmutableIDs are unique. Optional faults: a
/// "accepts but ignores" mode for clears (the `$null` trap) and injected per-user errors.
actor MemoryTenant: TenantPort {
  struct User: Hashable, Sendable {
    var userPrincipalName: String
    var immutableId: String?
    var synced: Bool?
  }

  private(set) var users: [String: User]
  let federatedDomains: Set<String>
  /// Clears are answered 204 but not applied.
  var ignoresClears = false
  /// The n-th write to this user fails with this error.
  private var failures: [String: [Int: TenantPortError]] = [:]
  private var writesPerUser: [String: Int] = [:]
  /// The n-th write to this user gets no clear answer; `applies` says whether it took anyway.
  private var unclear: [String: [Int: Bool]] = [:]
  private(set) var writes: [UserChange] = []
  private(set) var readCalls = 0

  init(users: [String: User], federatedDomains: Set<String>) {
    self.users = users
    self.federatedDomains = federatedDomains
  }

  func set(_ id: String, _ user: User) { users[id] = user }
  func setIgnoresClears(_ value: Bool) { ignoresClears = value }
  func failWrite(to id: String, number: Int = 1, with error: TenantPortError) {
    failures[id, default: [:]][writesPerUser[id, default: 0] + number] = error
  }

  func answerUnclearly(to id: String, number: Int = 1, applies: Bool) {
    unclear[id, default: [:]][writesPerUser[id, default: 0] + number] = applies
  }

  func readUsers(ids: [String]) async throws -> [String: CloudUserState] {
    readCalls += 1
    var found: [String: CloudUserState] = [:]
    for id in ids {
      guard let user = users[id] else { continue }
      found[id] = CloudUserState(
        id: id, userPrincipalName: user.userPrincipalName, immutableId: user.immutableId,
        onPremisesSyncEnabled: user.synced)
    }
    return found
  }

  func write(_ changes: [UserChange]) async throws -> [WriteOutcome] {
    changes.map { change in
      writes.append(change)
      let number = writesPerUser[change.userId, default: 0] + 1
      guard let applies = unclear[change.userId]?[number] else {
        return WriteOutcome(apply(change))
      }
      if applies {
        _ = apply(change)
      } else {
        writesPerUser[change.userId, default: 0] += 1
      }
      return .unknown(
        TenantPortError(
          status: 504, code: "GatewayTimeout", message: "the reply was lost", requestId: nil))
    }
  }

  private func isFederated(_ upn: String) -> Bool {
    guard let at = upn.lastIndex(of: "@") else { return false }
    return federatedDomains.contains(upn[upn.index(after: at)...].lowercased())
  }

  private func badRequest(_ message: String) -> Result<Void, TenantPortError> {
    .failure(
      TenantPortError(
        status: 400, code: "Request_BadRequest", message: message, requestId: "req-\(writes.count)")
    )
  }

  private func apply(_ change: UserChange) -> Result<Void, TenantPortError> {
    guard var user = users[change.userId] else {
      return .failure(
        TenantPortError(
          status: 404, code: "Request_ResourceNotFound",
          message: "Resource '\(change.userId)' does not exist", requestId: nil))
    }
    writesPerUser[change.userId, default: 0] += 1
    if let failure = failures[change.userId]?[writesPerUser[change.userId, default: 0]] {
      return .failure(failure)
    }
    if user.synced == true {
      return badRequest(
        "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration."
      )
    }
    if case .set(let value) = change.anchor {
      if value.isEmpty {
        return badRequest(
          "Invalid value specified for property 'onPremisesImmutableId' of resource 'User'.")
      }
      if users.contains(where: { $0.key != change.userId && $0.value.immutableId == value }) {
        return badRequest(
          "Another object with the same value for property onPremisesImmutableId already exists.")
      }
    }
    if let upn = change.userPrincipalName,
      users.contains(where: {
        $0.key != change.userId && $0.value.userPrincipalName.lowercased() == upn.lowercased()
      })
    {
      return badRequest(
        "Another object with the same value for property userPrincipalName already exists.")
    }
    if change.anchor != nil, change.userPrincipalName == nil, isFederated(user.userPrincipalName) {
      return badRequest(
        "You must provide a required property: Parameter name: FederatedUser.SourceAnchor")
    }
    if let upn = change.userPrincipalName, isFederated(upn) {
      let anchorAfter: String?
      switch change.anchor {
      case .set(let value): anchorAfter = value
      case .clear: anchorAfter = nil
      case nil: anchorAfter = isFederated(user.userPrincipalName) ? user.immutableId : nil
      }
      if anchorAfter == nil {
        return badRequest("SourceAnchor is a required property for creation of a federated user.")
      }
    }
    if let upn = change.userPrincipalName { user.userPrincipalName = upn }
    switch change.anchor {
    case .set(let value): user.immutableId = value
    case .clear: if !ignoresClears { user.immutableId = nil }
    case nil: break
    }
    users[change.userId] = user
    return .success(())
  }
}
