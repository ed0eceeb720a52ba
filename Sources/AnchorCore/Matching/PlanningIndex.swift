/// Hash indexes over the tenant snapshot: every lookup the planners make is O(1).
struct TenantIndex: Sendable {
  let users: [CloudUser]
  /// Built only when a mapping file names cloud users by object id.
  private(set) var byId: MultiIndex<CaseInsensitiveKey>
  private(set) var byUPN: MultiIndex<CaseInsensitiveKey>
  /// mail and every smtp:/SMTP: proxy address.
  private(set) var bySMTP: MultiIndex<CaseInsensitiveKey>
  private(set) var byAnchor: MultiIndex<SourceAnchor>
  let authentication: [CaseInsensitiveKey: TenantDomain.AuthenticationType]
  let initialDomain: String?
  /// Per user: is the UPN in a federated domain (computed once; empty when no domain is).
  private let federated: [Bool]

  init(_ snapshot: TenantSnapshot, includeIds: Bool = false) {
    users = snapshot.users
    byId = MultiIndex(capacity: includeIds ? users.count : 0)
    byUPN = MultiIndex(capacity: users.count)
    // Only UPNs are certain to be on every user; mail and ImmutableIDs grow as found (reserving
    // a million slots for a few thousand addresses cost ~40 MB per index at 1M users).
    bySMTP = MultiIndex()
    byAnchor = MultiIndex()
    for offset in users.indices {
      let position = Int32(offset)
      if includeIds { byId.insert(CaseInsensitiveKey(users[offset].id), position) }
      byUPN.insert(CaseInsensitiveKey(users[offset].userPrincipalName), position)
      if let mail = users[offset].mail, !mail.isEmpty {
        bySMTP.insert(CaseInsensitiveKey(mail), position)
      }
      if !users[offset].proxyAddresses.isEmpty {
        for address in users[offset].proxyAddresses where ProxyAddresses.isSMTP(address) {
          bySMTP.insert(CaseInsensitiveKey(address.dropFirst(5)), position)
        }
      }
      if let anchor = users[offset].onPremisesImmutableId { byAnchor.insert(anchor, position) }
    }
    var authentication: [CaseInsensitiveKey: TenantDomain.AuthenticationType] = [:]
    for domain in snapshot.domains {
      authentication[CaseInsensitiveKey(domain.name)] = domain.authenticationType
    }
    self.authentication = authentication
    initialDomain = snapshot.initialDomain
    if authentication.values.contains(.federated) {
      let users = snapshot.users
      federated = users.indices.map {
        TenantIndex.isFederated(users[$0].userPrincipalName, authentication)
      }
    } else {
      federated = []
    }
  }

  /// Is this cloud user's current UPN in a federated domain?
  func isFederated(_ position: Int32) -> Bool {
    federated.isEmpty ? false : federated[Int(position)]
  }

  private static func isFederated(
    _ upn: String, _ authentication: [CaseInsensitiveKey: TenantDomain.AuthenticationType]
  ) -> Bool {
    var upn = upn
    let domain: String? = upn.withUTF8 { units in
      guard let at = units.lastIndex(of: UInt8(ascii: "@")) else { return nil }
      return String(decoding: UnsafeBufferPointer(rebasing: units[(at + 1)...]), as: UTF8.self)
    }
    guard let domain else { return false }
    return authentication[CaseInsensitiveKey(domain)] == .federated
  }

  /// True when no cloud user has `upn` as UPN or SMTP address (Entra keeps both unique together).
  func isFree(_ upn: String) -> Bool {
    byUPN.lookup(CaseInsensitiveKey(upn)).isEmpty && bySMTP.lookup(CaseInsensitiveKey(upn)).isEmpty
  }

  // Field by field: copying a whole user retains every one of its strings.
  func ref(_ position: Int32) -> CloudObjectRef {
    let index = Int(position)
    return CloudObjectRef(id: users[index].id, userPrincipalName: users[index].userPrincipalName)
  }

  func involved(_ position: Int32) -> PlanObjectRef {
    let index = Int(position)
    return PlanObjectRef(
      side: .cloud, id: users[index].id, userPrincipalName: users[index].userPrincipalName,
      immutableId: users[index].onPremisesImmutableId)
  }

  func before(_ position: Int32) -> BeforeImage {
    let index = Int(position)
    return BeforeImage(
      immutableId: users[index].onPremisesImmutableId,
      userPrincipalName: users[index].userPrincipalName,
      onPremisesSyncEnabled: users[index].onPremisesSyncEnabled)
  }
}

/// Hash indexes over the directory users.
struct DirectoryIndex: Sendable {
  let users: [DirectoryUser]
  private(set) var byUPN: MultiIndex<CaseInsensitiveKey>
  private(set) var bySMTP: MultiIndex<CaseInsensitiveKey>
  /// Only anchors held by two or more directory users (found by sorting, not hashing: a full
  /// index of a million anchors cost ~60 MB just to find the rare duplicate).
  let duplicateAnchors: [SourceAnchor: [Int32]]
  private(set) var byDN: MultiIndex<CaseInsensitiveKey>
  private(set) var bySam: MultiIndex<CaseInsensitiveKey>
  /// The primary SMTP address of each user (computed once).
  let primarySmtp: [String?]

  /// - Parameter includeMappingKeys: build the DN and sAMAccountName indexes (only a mapping needs them).
  init(_ users: [DirectoryUser], includeMappingKeys: Bool) {
    self.users = users
    byUPN = MultiIndex(capacity: users.count)
    bySMTP = MultiIndex()
    byDN = MultiIndex(capacity: includeMappingKeys ? users.count : 0)
    bySam = MultiIndex(capacity: includeMappingKeys ? users.count : 0)
    var primary: [String?] = []
    primary.reserveCapacity(users.count)
    for offset in users.indices {
      let position = Int32(offset)
      if let upn = users[offset].userPrincipalName, !upn.isEmpty {
        byUPN.insert(CaseInsensitiveKey(upn), position)
      }
      let smtp =
        users[offset].proxyAddresses.isEmpty
        ? users[offset].mail
        : ProxyAddresses.primarySmtp(users[offset].proxyAddresses, mail: users[offset].mail)
      primary.append(smtp)
      if let smtp, !smtp.isEmpty { bySMTP.insert(CaseInsensitiveKey(smtp), position) }
      if includeMappingKeys {
        byDN.insert(CaseInsensitiveKey(users[offset].distinguishedName), position)
        if let sam = users[offset].samAccountName {
          bySam.insert(CaseInsensitiveKey(sam), position)
        }
      }
    }
    primarySmtp = primary
    duplicateAnchors = DirectoryIndex.findDuplicateAnchors(users)
  }

  private static func findDuplicateAnchors(_ users: [DirectoryUser]) -> [SourceAnchor: [Int32]] {
    struct Entry {
      var high: UInt64
      var low: UInt64
      var position: Int32
    }
    var guids: [Entry] = []
    guids.reserveCapacity(users.count)
    var opaque = MultiIndex<SourceAnchor>()
    for offset in users.indices {
      guard let anchor = users[offset].anchor else { continue }
      if let words = anchor.guid?.words {
        guids.append(Entry(high: words.0, low: words.1, position: Int32(offset)))
      } else {
        opaque.insert(anchor, Int32(offset))
      }
    }
    guids.sort { ($0.high, $0.low) < ($1.high, $1.low) }
    var result: [SourceAnchor: [Int32]] = [:]
    var start = 0
    while start < guids.count {
      var end = start + 1
      while end < guids.count && guids[end].high == guids[start].high
        && guids[end].low == guids[start].low
      {
        end += 1
      }
      if end - start > 1 {
        let anchor = users[Int(guids[start].position)].anchor!
        result[anchor] = guids[start..<end].map(\.position).sorted()
      }
      start = end
    }
    for (anchor, positions) in opaque.collisions { result[anchor] = positions.sorted() }
    return result
  }

  /// Frees the UPN, SMTP, DN and sAMAccountName indexes once matching is done (at 1M users they
  /// hold ~60 MB that the item-building pass no longer needs).
  mutating func dropKeyIndexes() {
    byUPN = MultiIndex()
    bySMTP = MultiIndex()
    byDN = MultiIndex()
    bySam = MultiIndex()
  }

  /// The directory users sharing `anchor`, when more than one does.
  func sharedAnchor(_ anchor: SourceAnchor) -> [Int32]? {
    duplicateAnchors.isEmpty ? nil : duplicateAnchors[anchor]
  }

  func ref(_ position: Int32) -> DirectoryObjectRef {
    let index = Int(position)
    return DirectoryObjectRef(
      source: users[index].source, distinguishedName: users[index].distinguishedName,
      objectGuid: users[index].objectGUID, userPrincipalName: users[index].userPrincipalName)
  }

  func involved(_ position: Int32) -> PlanObjectRef {
    let index = Int(position)
    return PlanObjectRef(
      side: .directory, id: users[index].distinguishedName,
      userPrincipalName: users[index].userPrincipalName, immutableId: users[index].anchor)
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
