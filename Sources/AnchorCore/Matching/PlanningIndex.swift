/// Hash indexes over the tenant snapshot: every lookup the planners make is O(1).
struct TenantIndex: Sendable {
  let users: [CloudUser]
  private(set) var byId: MultiIndex<CaseInsensitiveKey>
  private(set) var byUPN: MultiIndex<CaseInsensitiveKey>
  /// mail and every smtp:/SMTP: proxy address.
  private(set) var bySMTP: MultiIndex<CaseInsensitiveKey>
  private(set) var byAnchor: MultiIndex<SourceAnchor>
  let authentication: [String: TenantDomain.AuthenticationType]
  let initialDomain: String?

  init(_ snapshot: TenantSnapshot) {
    users = snapshot.users
    byId = MultiIndex(capacity: users.count)
    byUPN = MultiIndex(capacity: users.count)
    bySMTP = MultiIndex(capacity: users.count)
    byAnchor = MultiIndex(capacity: users.count)
    for (offset, user) in users.enumerated() {
      let position = Int32(offset)
      byId.insert(CaseInsensitiveKey(user.id), position)
      byUPN.insert(CaseInsensitiveKey(user.userPrincipalName), position)
      if let mail = user.mail, !mail.isEmpty { bySMTP.insert(CaseInsensitiveKey(mail), position) }
      for address in user.proxyAddresses where ProxyAddresses.isSMTP(address) {
        bySMTP.insert(CaseInsensitiveKey(address.dropFirst(5)), position)
      }
      if let anchor = user.onPremisesImmutableId { byAnchor.insert(anchor, position) }
    }
    var authentication: [String: TenantDomain.AuthenticationType] = [:]
    for domain in snapshot.domains { authentication[domain.name] = domain.authenticationType }
    self.authentication = authentication
    initialDomain = snapshot.initialDomain
  }

  func isFederated(_ upn: String) -> Bool {
    authentication[UserPrincipalName.domain(of: upn)] == .federated
  }

  /// True when no cloud user has `upn` as UPN or SMTP address (Entra keeps both unique together).
  func isFree(_ upn: String) -> Bool {
    byUPN.lookup(CaseInsensitiveKey(upn)).isEmpty && bySMTP.lookup(CaseInsensitiveKey(upn)).isEmpty
  }

  func ref(_ position: Int32) -> CloudObjectRef {
    let user = users[Int(position)]
    return CloudObjectRef(id: user.id, userPrincipalName: user.userPrincipalName)
  }

  func involved(_ position: Int32) -> PlanObjectRef {
    let user = users[Int(position)]
    return PlanObjectRef(
      side: .cloud, id: user.id, userPrincipalName: user.userPrincipalName,
      immutableId: user.onPremisesImmutableId)
  }

  func before(_ position: Int32) -> BeforeImage {
    let user = users[Int(position)]
    return BeforeImage(
      immutableId: user.onPremisesImmutableId, userPrincipalName: user.userPrincipalName,
      onPremisesSyncEnabled: user.onPremisesSyncEnabled)
  }
}

/// Hash indexes over the directory users.
struct DirectoryIndex: Sendable {
  let users: [DirectoryUser]
  private(set) var byUPN: MultiIndex<CaseInsensitiveKey>
  private(set) var bySMTP: MultiIndex<CaseInsensitiveKey>
  private(set) var byAnchor: MultiIndex<SourceAnchor>
  private(set) var byDN: MultiIndex<CaseInsensitiveKey>
  private(set) var bySam: MultiIndex<CaseInsensitiveKey>
  /// The primary SMTP address of each user (computed once).
  let primarySmtp: [String?]

  /// - Parameter includeMappingKeys: build the DN and sAMAccountName indexes (only a mapping needs them).
  init(_ users: [DirectoryUser], includeMappingKeys: Bool) {
    self.users = users
    byUPN = MultiIndex(capacity: users.count)
    bySMTP = MultiIndex(capacity: users.count)
    byAnchor = MultiIndex(capacity: users.count)
    byDN = MultiIndex(capacity: includeMappingKeys ? users.count : 0)
    bySam = MultiIndex(capacity: includeMappingKeys ? users.count : 0)
    var primary: [String?] = []
    primary.reserveCapacity(users.count)
    for (offset, user) in users.enumerated() {
      let position = Int32(offset)
      if let upn = user.userPrincipalName, !upn.isEmpty { byUPN.insert(CaseInsensitiveKey(upn), position) }
      let smtp = user.primarySmtp
      primary.append(smtp)
      if let smtp, !smtp.isEmpty { bySMTP.insert(CaseInsensitiveKey(smtp), position) }
      if let anchor = user.anchor { byAnchor.insert(anchor, position) }
      if includeMappingKeys {
        byDN.insert(CaseInsensitiveKey(user.distinguishedName), position)
        if let sam = user.samAccountName { bySam.insert(CaseInsensitiveKey(sam), position) }
      }
    }
    primarySmtp = primary
  }

  func ref(_ position: Int32) -> DirectoryObjectRef {
    let user = users[Int(position)]
    return DirectoryObjectRef(
      source: user.source, distinguishedName: user.distinguishedName, objectGuid: user.objectGUID,
      userPrincipalName: user.userPrincipalName)
  }

  func involved(_ position: Int32) -> PlanObjectRef {
    let user = users[Int(position)]
    return PlanObjectRef(
      side: .directory, id: user.distinguishedName, userPrincipalName: user.userPrincipalName,
      immutableId: user.anchor)
  }

  func lookup(_ key: IdentityMapping.DirectoryKey) -> Hits {
    switch key {
    case .distinguishedName(let dn): byDN.lookup(CaseInsensitiveKey(dn))
    case .samAccountName(let sam): bySam.lookup(CaseInsensitiveKey(sam))
    case .userPrincipalName(let upn): byUPN.lookup(CaseInsensitiveKey(upn))
    }
  }
}

extension ProxyAddresses {
  /// True for `smtp:` and `SMTP:` entries with an address after the prefix.
  public static func isSMTP(_ address: String) -> Bool {
    let units = address.utf8
    guard units.count > 5 else { return false }
    return units.prefix(5).elementsEqual("smtp:".utf8) { ($0 | 0x20) == $1 }
  }
}
