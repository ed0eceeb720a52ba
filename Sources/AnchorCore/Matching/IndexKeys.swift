/// The keys behind the planners' `PositionIndex`es, read in place from the users (an entry is the
/// user's position) or, for cloud SMTP addresses (several per user), from a short list.

/// A text field of the cloud users; entry = position.
struct CloudKeys: IndexKeys {
  enum Field { case id, upn }
  let users: [CloudUser]
  let field: Field

  @inline(__always)
  func entry(_ entry: Int32, matches key: String) -> Bool {
    switch field {
    case .id: CaseFolding.equal(users[Int(entry)].id, key)
    case .upn: CaseFolding.equal(users[Int(entry)].userPrincipalName, key)
    }
  }
  /// `entry(entry, matches: key)` for a key of ASCII bytes, read in place (no retains); nil
  /// when the entry's key is not ASCII (then `entry(_:matches:)` knows).
  @inline(__always)
  func entry(_ entry: Int32, matchesASCII key: UnsafeBufferPointer<UInt8>) -> Bool? {
    users.withUnsafeBufferPointer { users in
      switch field {
      case .id: CaseFolding.asciiEqual(users[Int(entry)].id, key)
      case .upn: CaseFolding.asciiEqual(users[Int(entry)].userPrincipalName, key)
      }
    }
  }

  func entry(_ entry: Int32, sameKeyAs other: Int32) -> Bool {
    self.entry(entry, matches: key(other))
  }
  func position(_ entry: Int32) -> Int32 { entry }
  func key(_ entry: Int32) -> String {
    switch field {
    case .id: users[Int(entry)].id
    case .upn: users[Int(entry)].userPrincipalName
    }
  }
}

/// A text field of the directory users (or their primary SMTP addresses); entry = position.
struct DirectoryKeys: IndexKeys {
  enum Field { case upn, dn, sam, smtp }
  let users: [DirectoryUser]
  let field: Field
  let smtp: [String?]

  init(users: [DirectoryUser], field: Field) {
    self.users = users
    self.field = field
    smtp = []
  }

  init(users: [DirectoryUser], smtp: [String?]) {
    self.users = users
    field = .smtp
    self.smtp = smtp
  }

  @inline(__always)
  func entry(_ entry: Int32, matches key: String) -> Bool {
    let index = Int(entry)
    switch field {
    case .upn: return users[index].userPrincipalName.map { CaseFolding.equal($0, key) } ?? false
    case .dn: return CaseFolding.equal(users[index].distinguishedName, key)
    case .sam: return users[index].samAccountName.map { CaseFolding.equal($0, key) } ?? false
    case .smtp: return smtp[index].map { CaseFolding.equal($0, key) } ?? false
    }
  }
  func entry(_ entry: Int32, sameKeyAs other: Int32) -> Bool {
    self.entry(entry, matches: key(other))
  }
  func position(_ entry: Int32) -> Int32 { entry }
  func key(_ entry: Int32) -> String {
    let index = Int(entry)
    return switch field {
    case .upn: users[index].userPrincipalName ?? ""
    case .dn: users[index].distinguishedName
    case .sam: users[index].samAccountName ?? ""
    case .smtp: smtp[index] ?? ""
    }
  }
}

/// Texts listed with their owners' positions (cloud SMTP addresses: mail and proxies).
struct ListedKeys: IndexKeys {
  private(set) var texts: [Substring] = []
  private(set) var owners: [Int32] = []

  var count: Int { texts.count }

  mutating func append(_ text: Substring, _ position: Int32) {
    texts.append(text)
    owners.append(position)
  }

  func hash(_ entry: Int32) -> UInt64 { CaseFolding.hash(texts[Int(entry)]) }

  func entry(_ entry: Int32, matches key: String) -> Bool {
    CaseFolding.equal(texts[Int(entry)], key)
  }
  func entry(_ entry: Int32, sameKeyAs other: Int32) -> Bool {
    CaseFolding.equal(texts[Int(entry)], texts[Int(other)])
  }
  func position(_ entry: Int32) -> Int32 { owners[Int(entry)] }
  func key(_ entry: Int32) -> String { String(texts[Int(entry)]) }
}

/// The cloud users' ImmutableIDs (exact comparison); entry = position.
struct CloudAnchorKeys: IndexKeys {
  let users: [CloudUser]
  func entry(_ entry: Int32, matches key: SourceAnchor) -> Bool {
    users[Int(entry)].onPremisesImmutableId == key
  }
  func entry(_ entry: Int32, sameKeyAs other: Int32) -> Bool {
    users[Int(entry)].onPremisesImmutableId == users[Int(other)].onPremisesImmutableId
  }
  func position(_ entry: Int32) -> Int32 { entry }
  func key(_ entry: Int32) -> SourceAnchor { users[Int(entry)].onPremisesImmutableId! }
}

/// The directory users' anchors (exact comparison); entry = position.
struct DirectoryAnchorKeys: IndexKeys {
  let users: [DirectoryUser]
  func entry(_ entry: Int32, matches key: SourceAnchor) -> Bool {
    users[Int(entry)].anchor == key
  }
  func entry(_ entry: Int32, sameKeyAs other: Int32) -> Bool {
    users[Int(entry)].anchor == users[Int(other)].anchor
  }
  func position(_ entry: Int32) -> Int32 { entry }
  func key(_ entry: Int32) -> SourceAnchor { users[Int(entry)].anchor! }
}

/// The tenant's domains by case-insensitive name, to tell whether a UPN's domain is federated
/// without building a string per user.
struct DomainTable: Sendable {
  // Three arrays, not one of tuples: reading a tuple element copied (retained and released) its
  // name for every UPN looked up.
  private var hashes: [UInt64] = []
  private var names: [String] = []
  private var federated: [Bool] = []

  /// A later domain with the same name (ignoring case) replaces an earlier one.
  init(_ domains: [TenantDomain]) {
    for domain in domains {
      let hash = CaseFolding.hash(domain.name)
      let isFederated = domain.authenticationType == .federated
      if let index = hashes.indices.first(where: {
        hashes[$0] == hash && CaseFolding.equal(names[$0], domain.name)
      }) {
        federated[index] = isFederated
      } else {
        hashes.append(hash)
        names.append(domain.name)
        federated.append(isFederated)
      }
    }
  }

  var hasFederated: Bool { federated.contains(true) }

  /// `isFederated(upn:)` for the UPN's UTF-8 bytes; nil when the UPN or a domain name is not
  /// ASCII (then `isFederated(upn:)` knows).
  @inline(__always)
  func isFederated(utf8 units: UnsafeBufferPointer<UInt8>) -> Bool? {
    guard let at = units.lastIndex(of: UInt8(ascii: "@")) else { return false }
    let domain = UnsafeBufferPointer(rebasing: units[(at + 1)...])
    guard let hash = CaseFolding.asciiHash(domain) else { return nil }
    for index in hashes.indices where hashes[index] == hash && federated[index] {
      guard let equal = CaseFolding.asciiEqual(domain, names[index]) else { return nil }
      if equal { return true }
    }
    return false
  }

  /// Is the domain after the UPN's last `@` a federated domain of the tenant?
  func isFederated(upn: String) -> Bool {
    // Read in place (no substring, no retain) when the UPN and the names are ASCII.
    let fast: Bool?? = upn.utf8.withContiguousStorageIfAvailable { isFederated(utf8: $0) }
    if let fast = fast.flatMap({ $0 }) { return fast }
    guard let at = upn.utf8.lastIndex(of: UInt8(ascii: "@")) else { return false }
    let domain = upn[upn.utf8.index(after: at)...]
    let hash = CaseFolding.hash(domain)
    return hashes.indices.contains {
      federated[$0] && hashes[$0] == hash && CaseFolding.equal(names[$0], domain)
    }
  }
}
