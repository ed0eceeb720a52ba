/// The fingerprint of the planner's inputs, `sha256:<hex>`, recorded in the plan so that an
/// executor (or a reviewer) can tell whether a plan was made from the data it sees now.
///
/// It is order-independent: the same users read in another page order give the same fingerprint.
/// Each object is hashed on its own with a fast 128-bit mix and the results are summed (a multiset
/// hash); the sums, counts and the small inputs then go through SHA-256. This is drift detection,
/// not a security boundary, so a fast non-cryptographic mix per object is enough.
///
/// The per-user hashes are taken by the planners' index passes (`TenantIndex`, `DirectoryIndex`),
/// while each user's strings are in cache anyway, rather than in a separate pass that would visit
/// the users in random memory order a second time.
struct InputFingerprint {
  private var directory: MultisetHash
  private var cloud: MultisetHash
  private var rest = SHA256()

  init(directory: MultisetHash, cloud: MultisetHash) {
    self.directory = directory
    self.cloud = cloud
  }

  /// Small inputs (tenant, domains, flags, mapping, settings) in a canonical text form.
  mutating func add(line: String) {
    rest.update(line)
    rest.update("\n")
  }

  mutating func finalize() -> String {
    rest.update("directory " + directory.summary + "\ncloud " + cloud.summary + "\n")
    return "sha256:" + Hex.encode(rest.finalize())
  }
}

/// An order-independent sum of per-object hashes.
struct MultisetHash: Sendable {
  var count = 0
  var sumA: UInt64 = 0
  var sumB: UInt64 = 0
  var xorA: UInt64 = 0

  mutating func add(_ hash: ObjectHash) {
    let (a, b) = hash.finalize()
    count += 1
    sumA &+= a
    sumB &+= b
    xorA ^= a
  }

  var summary: String { "\(count) \(sumA) \(sumB) \(xorA)" }

  /// Adds one directory user, read in place through the pointer: passed as a value, the user
  /// would be copied whole (every string retained and released, locked instructions that stall on
  /// the cache misses around them).
  @inline(__always)
  mutating func add(_ pointer: UnsafePointer<DirectoryUser>) {
    var hash = ObjectHash()
    hash.add(pointer.pointee.source)
    hash.add(pointer.pointee.distinguishedName)
    hash.add(pointer.pointee.objectGUID.words)
    hash.add(pointer.pointee.anchor)
    hash.add(pointer.pointee.userPrincipalName)
    hash.add(pointer.pointee.samAccountName)
    hash.add(pointer.pointee.mail)
    if !pointer.pointee.proxyAddresses.isEmpty {
      for address in pointer.pointee.proxyAddresses { hash.add(address) }
    }
    hash.add(pointer.pointee.enabled ? "1" : "0")
    add(hash)
  }

  @inline(__always)
  mutating func add(_ pointer: UnsafePointer<CloudUser>) {
    var hash = ObjectHash()
    hash.add(pointer.pointee.id)
    hash.add(pointer.pointee.userPrincipalName)
    hash.add(pointer.pointee.mail)
    if !pointer.pointee.proxyAddresses.isEmpty {
      for address in pointer.pointee.proxyAddresses { hash.add(address) }
    }
    hash.add(pointer.pointee.onPremisesImmutableId)
    hash.add(pointer.pointee.onPremisesSyncEnabled.map { $0 ? "1" : "0" })
    hash.add(pointer.pointee.accountEnabled.map { $0 ? "1" : "0" })
    hash.add(pointer.pointee.holdsDirectoryRole ? "1" : "0")
    add(hash)
  }
}

/// Two 64-bit lanes over the fields' UTF-8, eight bytes at a time, fields separated.
struct ObjectHash {
  var a: UInt64 = 0x243F_6A88_85A3_08D3
  var b: UInt64 = 0x1319_8A2E_0370_7344

  @inline(__always)
  mutating func add(_ text: String?) {
    if let text { add(text) } else { mix(0xFFFF_FFFF_FFFF_FFFE) }
  }

  @inline(__always)
  mutating func add(_ text: String) {
    // Read in place (`withUTF8` needs a mutable copy: a retain and release per field).
    if text.utf8.withContiguousStorageIfAvailable({ add(bytes: $0) }) == nil {
      Array(text.utf8).withUnsafeBufferPointer { add(bytes: $0) }
    }
    mix(0xFFFF_FFFF_FFFF_FFFF)
  }

  @inline(__always)
  private mutating func add(bytes units: UnsafeBufferPointer<UInt8>) {
    let raw = UnsafeRawBufferPointer(units)
    var index = 0
    while index + 8 <= units.count {
      mix(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
      index += 8
    }
    var tail: UInt64 = 0
    while index < units.count {
      tail = tail << 8 | UInt64(units[index])
      index += 1
    }
    mix(tail ^ UInt64(units.count) << 56)
  }

  mutating func add(_ anchor: SourceAnchor?) {
    if let guid = anchor?.guid {
      mix(0xFFFF_FFFF_FFFF_FFFD)
      add(guid.words)
    } else {
      add(anchor?.immutableId)
    }
  }

  mutating func add(_ words: (UInt64, UInt64)) {
    mix(words.0)
    mix(words.1)
  }

  @inline(__always)
  private mutating func mix(_ word: UInt64) {
    a = (a ^ word) &* 0x9E37_79B9_7F4A_7C15
    a ^= a >> 31
    b = (b ^ word ^ 0x5851_F42D_4C95_7F2D) &* 0xBF58_476D_1CE4_E5B9
    b ^= b >> 29
  }

  func finalize() -> (UInt64, UInt64) {
    var x = a
    x ^= x >> 33
    x = x &* 0xFF51_AFD7_ED55_8CCD
    x ^= x >> 33
    var y = b
    y ^= y >> 31
    y = y &* 0xC4CE_B9FE_1A85_EC53
    y ^= y >> 33
    return (x, y)
  }
}
