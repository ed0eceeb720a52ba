/// Hash indexes over the tenant snapshot: every lookup the planners make is O(1).
struct TenantIndex: Sendable {
  let users: [CloudUser]
  /// Built only when a mapping file names cloud users by object id.
  private(set) var byId: PositionIndex<CloudKeys>
  private(set) var byUPN: PositionIndex<CloudKeys>
  /// mail and every smtp:/SMTP: proxy address.
  private(set) var bySMTP: PositionIndex<ListedKeys>
  private(set) var byAnchor: PositionIndex<CloudAnchorKeys>
  let initialDomain: String?
  /// Per user: is the UPN in a federated domain (computed once; empty when no domain is).
  private let federated: [Bool]
  /// The users' part of the input fingerprint, taken in the same pass.
  let fingerprint: MultisetHash

  init(_ snapshot: TenantSnapshot, includeIds: Bool = false) {
    let users = snapshot.users
    self.users = users
    var byId = PositionIndex(
      keys: CloudKeys(users: users, field: .id), capacity: includeIds ? users.count : 0)
    var byUPN = PositionIndex(keys: CloudKeys(users: users, field: .upn), capacity: users.count)
    // ImmutableIDs are collected first and the table sized to them: most users have none, so
    // sizing for every user wastes memory, and growing as they are found rehashes repeatedly.
    var anchorPositions: [Int32] = []
    var anchorHashes: [UInt64] = []
    var smtp = ListedKeys()
    let domains = DomainTable(snapshot.domains)
    var federated: [Bool] = []
    let hasFederated = domains.hasFederated
    if hasFederated { federated.reserveCapacity(users.count) }
    var fingerprint = MultisetHash()
    var upnHashes = [UInt64](repeating: 0, count: users.count)
    users.withUnsafeBufferPointer { buffer in
      for offset in buffer.indices {
        let position = Int32(offset)
        // The strings of a snapshot need not lie in the order of its users: read a block ahead.
        if offset % CacheWarming.block == 0 { CacheWarming.touch(cloud: buffer, from: offset) }
        fingerprint.add(buffer.baseAddress! + offset)
        if includeIds { byId.insert(position, hash: CaseFolding.hash(buffer[offset].id)) }
        // The UPN is read once, while it is in cache: hashed, and its domain looked up. In place
        // (a String passed on is retained and released: locked instructions that stall the cache
        // misses around them); text that is not ASCII takes the general path.
        let read =
          buffer[offset].userPrincipalName.utf8.withContiguousStorageIfAvailable {
            units -> (hash: UInt64, isFederated: Bool)? in
            guard let hash = CaseFolding.asciiHash(units) else { return nil }
            if !hasFederated { return (hash, false) }
            return domains.isFederated(utf8: units).map { (hash, $0) }
          } ?? nil
        if let read {
          upnHashes[offset] = read.hash
          if hasFederated { federated.append(read.isFederated) }
        } else {
          upnHashes[offset] = CaseFolding.hash(buffer[offset].userPrincipalName)
          if hasFederated {
            federated.append(domains.isFederated(upn: buffer[offset].userPrincipalName))
          }
        }
        if let mail = buffer[offset].mail, !mail.isEmpty {
          smtp.append(Substring(mail), position)
        }
        if !buffer[offset].proxyAddresses.isEmpty {
          for address in buffer[offset].proxyAddresses where ProxyAddresses.isSMTP(address) {
            smtp.append(address.dropFirst(5), position)
          }
        }
        if let anchor = buffer[offset].onPremisesImmutableId {
          anchorPositions.append(position)
          anchorHashes.append(anchor.indexHash)
        }
      }
    }
    upnHashes.withUnsafeBufferPointer { hashes in
      byUPN.insert(0..<Int32(users.count)) { hashes[Int($0)] }
    }
    var byAnchor = PositionIndex(
      keys: CloudAnchorKeys(users: users), capacity: anchorPositions.count)
    byAnchor.insert(anchorPositions, hashes: anchorHashes)
    var bySMTP = PositionIndex(keys: smtp, capacity: smtp.count)
    for entry in 0..<Int32(smtp.count) { bySMTP.insert(entry, hash: smtp.hash(entry)) }
    self.byId = byId
    self.byUPN = byUPN
    self.bySMTP = bySMTP
    self.byAnchor = byAnchor
    self.federated = federated
    self.fingerprint = fingerprint
    initialDomain = snapshot.initialDomain
  }

  /// Is this cloud user's current UPN in a federated domain?
  func isFederated(_ position: Int32) -> Bool {
    federated.isEmpty ? false : federated[Int(position)]
  }

  /// True when no cloud user has `upn` as UPN or SMTP address (Entra keeps both unique together).
  func isFree(_ upn: String) -> Bool {
    let hash = CaseFolding.hash(upn)
    return byUPN.firstEntry(upn, hash: hash) == nil && bySMTP.firstEntry(upn, hash: hash) == nil
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
  private(set) var byUPN: PositionIndex<DirectoryKeys>
  private(set) var bySMTP: PositionIndex<DirectoryKeys>
  /// Only anchors held by two or more directory users (found by sorting, not hashing: a full
  /// index of every anchor would be built only to find the rare duplicate).
  let duplicateAnchors: [SourceAnchor: [Int32]]
  private(set) var byDN: PositionIndex<DirectoryKeys>
  private(set) var bySam: PositionIndex<DirectoryKeys>
  /// The primary SMTP address of each user (computed once).
  let primarySmtp: [String?]
  /// Each user's `enabled`, taken in the index pass: matching reads nothing else of most users,
  /// and a separate pass for one flag would load a cache line of every user.
  let enabled: [Bool]
  /// `CaseFolding.hash` of each user's UPN (0 without one), kept for the matcher's lookups.
  private(set) var upnHashes: [UInt64]
  /// The users' part of the input fingerprint, taken in the same pass.
  let fingerprint: MultisetHash
  /// Is every user's anchor its objectGUID (`SourceAnchor(guid: objectGUID)`)?
  let anchorsAreObjectGUIDs: Bool

  /// - Parameters:
  ///   - includeMappingKeys: build the DN and sAMAccountName indexes (only a mapping needs them).
  ///   - sameObjectGUID: when known, the groups of users sharing an objectGUID (the ties of
  ///     `PlanItem.directoryOrder`): if every anchor is the objectGUID, they are the duplicate
  ///     anchors, and a second sort of the anchors is saved.
  init(_ users: [DirectoryUser], includeMappingKeys: Bool, sameObjectGUID: [[Int32]]? = nil) {
    self.users = users
    var primary: [String?] = []
    primary.reserveCapacity(users.count)
    var enabled: [Bool] = []
    enabled.reserveCapacity(users.count)
    var hashes: [UInt64] = []
    hashes.reserveCapacity(users.count)
    var byUPN = PositionIndex(keys: DirectoryKeys(users: users, field: .upn), capacity: users.count)
    var byDN = PositionIndex(
      keys: DirectoryKeys(users: users, field: .dn), capacity: includeMappingKeys ? users.count : 0)
    var bySam = PositionIndex(
      keys: DirectoryKeys(users: users, field: .sam), capacity: includeMappingKeys ? users.count : 0
    )
    var anySMTP = false
    var anchorsAreObjectGUIDs = true
    var fingerprint = MultisetHash()
    var withUPN: [Int32] = []
    withUPN.reserveCapacity(users.count)
    users.withUnsafeBufferPointer { buffer in
      for offset in buffer.indices {
        let position = Int32(offset)
        fingerprint.add(buffer.baseAddress! + offset)
        // Checked here, while the user is in cache, for `duplicateAnchors(sameObjectGUID:)`.
        if anchorsAreObjectGUIDs {
          let objectGUID = buffer[offset].objectGUID
          let anchorGUID = buffer[offset].anchor?.guid
          anchorsAreObjectGUIDs = anchorGUID == objectGUID
        }
        // Hashed in place (no retain, as in `TenantIndex`); text that is not ASCII takes the
        // general path.
        var hash: UInt64 = 0
        var hasUPN = false
        let read = buffer[offset].userPrincipalName?.utf8.withContiguousStorageIfAvailable {
          units -> Bool in
          if units.isEmpty { return true }
          guard let ascii = CaseFolding.asciiHash(units) else { return false }
          hash = ascii
          hasUPN = true
          return true
        }
        if read != true, let upn = buffer[offset].userPrincipalName, !upn.isEmpty {
          hash = CaseFolding.hash(upn)
          hasUPN = true
        }
        if hasUPN { withUPN.append(position) }
        hashes.append(hash)
        let smtp =
          buffer[offset].proxyAddresses.isEmpty
          ? buffer[offset].mail
          : ProxyAddresses.primarySmtp(buffer[offset].proxyAddresses, mail: buffer[offset].mail)
        if let smtp, !smtp.isEmpty { anySMTP = true }
        primary.append(smtp)
        enabled.append(buffer[offset].enabled)
        if includeMappingKeys {
          byDN.insert(position, hash: CaseFolding.hash(buffer[offset].distinguishedName))
          if let sam = buffer[offset].samAccountName {
            bySam.insert(position, hash: CaseFolding.hash(sam))
          }
        }
      }
    }
    // Inserted after hashing, a block at a time: the table is the random access here.
    hashes.withUnsafeBufferPointer { hashes in byUPN.insert(withUPN) { hashes[Int($0)] } }
    primarySmtp = primary
    self.enabled = enabled
    // Addresses are rare next to UPNs: their index is sized to them, in a second short pass.
    var bySMTP = PositionIndex(keys: DirectoryKeys(users: users, smtp: primary))
    if anySMTP {
      for offset in primary.indices {
        if let smtp = primary[offset], !smtp.isEmpty {
          bySMTP.insert(Int32(offset), hash: CaseFolding.hash(smtp))
        }
      }
    }
    self.byUPN = byUPN
    self.bySMTP = bySMTP
    self.byDN = byDN
    self.bySam = bySam
    upnHashes = hashes
    self.fingerprint = fingerprint
    self.anchorsAreObjectGUIDs = anchorsAreObjectGUIDs
    duplicateAnchors =
      sameObjectGUID.flatMap {
        DirectoryIndex.duplicateAnchors(
          users, sameObjectGUID: $0, anchorsAreObjectGUIDs: anchorsAreObjectGUIDs)
      }
      ?? DirectoryIndex.findDuplicateAnchors(users)
  }

  /// The duplicate anchors from the groups of users sharing an objectGUID, or nil when some
  /// user's anchor is not its objectGUID (a custom or consistency-GUID anchor).
  private static func duplicateAnchors(
    _ users: [DirectoryUser], sameObjectGUID: [[Int32]], anchorsAreObjectGUIDs: Bool
  ) -> [SourceAnchor: [Int32]]? {
    guard anchorsAreObjectGUIDs else { return nil }
    var result: [SourceAnchor: [Int32]] = [:]
    for group in sameObjectGUID {
      result[users[Int(group[0])].anchor!] = group.sorted()
    }
    return result
  }

  private static func findDuplicateAnchors(_ users: [DirectoryUser]) -> [SourceAnchor: [Int32]] {
    struct Entry {
      var high: UInt64
      var low: UInt64
      var position: Int32
    }
    var guids: [Entry] = []
    guids.reserveCapacity(users.count)
    var opaque = PositionIndex(keys: DirectoryAnchorKeys(users: users))
    users.withUnsafeBufferPointer { users in
      for offset in users.indices {
        guard let anchor = users[offset].anchor else { continue }
        if let words = anchor.guid?.words {
          guids.append(Entry(high: words.0, low: words.1, position: Int32(offset)))
        } else {
          opaque.insert(Int32(offset), hash: anchor.indexHash)
        }
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
    for collision in opaque.collisions {
      result[users[Int(collision.first)].anchor!] = collision.positions.sorted()
    }
    return result
  }

  /// Frees the UPN, SMTP, DN and sAMAccountName indexes once matching is done: they are large,
  /// and the item-building pass does not read them.
  mutating func dropKeyIndexes() {
    byUPN = PositionIndex(keys: byUPN.keys)
    bySMTP = PositionIndex(keys: bySMTP.keys)
    byDN = PositionIndex(keys: byDN.keys)
    bySam = PositionIndex(keys: bySam.keys)
    upnHashes = []
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
    case .distinguishedName(let dn): byDN.lookup(dn)
    case .samAccountName(let sam): bySam.lookup(sam)
    case .userPrincipalName(let upn): byUPN.lookup(upn)
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
