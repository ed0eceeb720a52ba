/// Where a `PositionIndex` finds the key of an entry: it stores no keys itself, so building an
/// index retains no strings and copies no users.
protocol IndexKeys: Sendable {
  associatedtype Key
  /// Does `entry`'s key equal `key`?
  func entry(_ entry: Int32, matches key: Key) -> Bool
  /// Do two entries have equal keys?
  func entry(_ entry: Int32, sameKeyAs other: Int32) -> Bool
  /// The position of the object `entry` belongs to (several entries may share one).
  func position(_ entry: Int32) -> Int32
  /// The key itself (for findings that name it).
  func key(_ entry: Int32) -> Key
}

/// A hash index from a key to the positions of the objects that have it (`HashSlots` underneath).
/// Almost every key has one object: only the first entry of a key is in the table, and the rare
/// later ones wait in `duplicates`, so lookups and duplicate checks of unique keys never touch it.
///
/// The caller hashes the key (`CaseFolding.hash`, `anchorHash`) and compares real keys only for
/// entries whose hash tag matches. Positions come back in insertion order.
struct PositionIndex<Keys: IndexKeys>: Sendable {
  let keys: Keys
  private var slots: HashSlots
  /// First entry of a key -> the later entries with the same key (other objects only).
  private var duplicates: [Int32: [Int32]] = [:]
  /// Set once some key's later entries are not in position order. Until then an object can
  /// already have a key only through that key's last entry (see `insert`).
  private var unorderedDuplicates = false

  init(keys: Keys, capacity: Int = 0) {
    self.keys = keys
    slots = HashSlots(expectedCount: capacity)
  }

  var isEmpty: Bool { slots.count == 0 }

  /// Does any key belong to more than one object? (If not, `shared` is nil for every key.)
  var hasSharedKeys: Bool { !duplicates.isEmpty }

  /// Adds `entry` under `hash`; an entry whose object already has this key adds nothing.
  mutating func insert(_ entry: Int32, hash: UInt64) {
    var first: Int32 = -1
    let keys = self.keys
    slots.forEachCandidate(hash) { candidate in
      if keys.entry(candidate, sameKeyAs: entry) {
        first = candidate
        return false
      }
      return true
    }
    guard first >= 0 else {
      slots.insert(hash, entry)
      return
    }
    let position = keys.position(entry)
    if keys.position(first) == position { return }
    let last = duplicates[first]?.last.map(keys.position)
    if let last {
      // Positions arrive in order (every caller inserts that way), so only the last entry can
      // belong to this object, which keeps a key shared by many users linear rather than
      // quadratic. Out of order, every entry is compared.
      if last == position { return }
      if last > position { unorderedDuplicates = true }
      if unorderedDuplicates,
        duplicates[first]!.contains(where: { keys.position($0) == position })
      {
        return
      }
    }
    duplicates[first, default: []].append(entry)
  }

  /// Inserts `entries` in order, each under `hash(entry)`, reading the home slots of a block of
  /// entries before inserting them: their cache misses overlap (see `CacheWarming`).
  mutating func insert(_ entries: some RandomAccessCollection<Int32>, hash: (Int32) -> UInt64) {
    var start = entries.startIndex
    while start != entries.endIndex {
      let end =
        entries.index(start, offsetBy: CacheWarming.block, limitedBy: entries.endIndex)
        ?? entries.endIndex
      touch(entries[start..<end].lazy.map(hash))
      for entry in entries[start..<end] { insert(entry, hash: hash(entry)) }
      start = end
    }
  }

  /// Inserts `entries[i]` under `hashes[i]`, in order, a block at a time as above.
  mutating func insert(_ entries: [Int32], hashes: [UInt64]) {
    precondition(entries.count == hashes.count, "one hash per entry")
    for start in stride(from: 0, to: entries.count, by: CacheWarming.block) {
      let end = min(start + CacheWarming.block, entries.count)
      touch(hashes[start..<end])
      for index in start..<end { insert(entries[index], hash: hashes[index]) }
    }
  }

  /// Reads the home slots of `hashes` ahead of their use (see `CacheWarming`).
  func touch(_ hashes: some Sequence<UInt64>) {
    var sum: UInt64 = 0
    for hash in hashes { sum &+= slots.homeSlot(hash) }
    CacheWarming.keep(sum)
  }

  /// Reads ahead, for each of `hashes`, the first entry whose tag matches, with `touchKey`: the
  /// key comparison that follows then finds the entry's key in cache. The home slots should
  /// have been read ahead already (`touch`): each chain here is then one or two misses, and the
  /// chains of a block overlap (see `CacheWarming`).
  func touchCandidates(_ hashes: some Sequence<UInt64>, _ touchKey: (Int32) -> UInt64) {
    var sum: UInt64 = 0
    for hash in hashes {
      slots.forEachCandidate(hash) { candidate in
        sum &+= touchKey(candidate)
        return false
      }
    }
    CacheWarming.keep(sum)
  }

  /// The first entry inserted with `key`.
  @inline(__always)
  func firstEntry(_ key: Keys.Key, hash: UInt64) -> Int32? {
    var found: Int32 = -1
    let keys = self.keys
    slots.forEachCandidate(hash) { candidate in
      if keys.entry(candidate, matches: key) {
        found = candidate
        return false
      }
      return true
    }
    return found < 0 ? nil : found
  }

  func lookup(_ key: Keys.Key, hash: UInt64) -> Hits {
    guard let first = firstEntry(key, hash: hash) else { return .none }
    return hits(first: first)
  }

  /// The positions of a key, given the first entry `firstEntry` found for it.
  func hits(first: Int32) -> Hits {
    guard !duplicates.isEmpty, let more = duplicates[first] else {
      return .one(keys.position(first))
    }
    return .many(positions(first, more))
  }

  /// The positions sharing `key` when more than one object has it; nil otherwise. Without any
  /// duplicate in the index this costs nothing (no probing), which is the common case.
  func shared(_ key: Keys.Key, hash: UInt64) -> [Int32]? {
    guard !duplicates.isEmpty, let first = firstEntry(key, hash: hash),
      let more = duplicates[first]
    else { return nil }
    return positions(first, more)
  }

  /// Keys held by more than one object: the first two entries (the second names the key in
  /// findings) and every position, in insertion order; ordered by first entry.
  var collisions: [(first: Int32, second: Int32, positions: [Int32])] {
    duplicates.keys.sorted().map { first in
      let more = duplicates[first]!
      return (first, more[0], positions(first, more))
    }
  }

  private func positions(_ first: Int32, _ more: [Int32]) -> [Int32] {
    [keys.position(first)] + more.map(keys.position)
  }
}

extension PositionIndex where Keys == CloudKeys {
  /// The first entry whose key is the ASCII text `key`: -1 for none, -2 when some candidate's
  /// key is not ASCII (then `firstEntry(_:hash:)` knows). Compared in place.
  ///
  /// A `String` loaded from memory and passed on is retained and released around the call (a
  /// locked instruction each, which stalls the cache misses around it): the planner's probes
  /// read both keys' bytes in place instead, with nothing out of line while they do.
  @inline(__always)
  func firstEntry(ascii key: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int32 {
    var found: Int32 = -1
    slots.forEachCandidate(hash) { candidate in
      guard let equal = keys.entry(candidate, matchesASCII: key) else {
        found = -2
        return false
      }
      if equal { found = candidate }
      return !equal
    }
    return found
  }
}

/// What an index lookup found.
enum Hits: Sendable {
  case none
  case one(Int32)
  case many([Int32])

  var positions: [Int32] {
    switch self {
    case .none: []
    case .one(let position): [position]
    case .many(let positions): positions
    }
  }

  var isEmpty: Bool {
    if case .none = self { return true }
    return false
  }
}

extension PositionIndex where Keys.Key == String {
  /// Case-insensitive text lookups (`CaseFolding`).
  func lookup(_ text: String) -> Hits { lookup(text, hash: CaseFolding.hash(text)) }
  func shared(_ text: String) -> [Int32]? {
    duplicates.isEmpty ? nil : shared(text, hash: CaseFolding.hash(text))
  }
}

extension PositionIndex where Keys.Key == SourceAnchor {
  func lookup(_ anchor: SourceAnchor) -> Hits { lookup(anchor, hash: anchor.indexHash) }
}

extension SourceAnchor {
  /// A 64-bit hash of the ImmutableID for `PositionIndex` (GUID words mixed; opaque text by bytes,
  /// case-sensitively: ImmutableIDs compare exactly).
  var indexHash: UInt64 {
    if let (high, low) = guid?.words {
      var x = (high ^ 0x9E37_79B9_7F4A_7C15) &* 0xBF58_476D_1CE4_E5B9
      x = (x ^ x >> 31 ^ low) &* 0x94D0_49BB_1331_11EB
      return x ^ x >> 29
    }
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for unit in immutableId.utf8 { hash = (hash ^ UInt64(unit)) &* 0x0000_0100_0000_01B3 }
    return hash ^ hash >> 32
  }
}
