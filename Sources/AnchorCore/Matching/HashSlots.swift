/// An open-addressing multimap from 64-bit hashes to `Int32` entries: the table under the
/// planners' large indexes.
///
/// One `UInt64` per slot holds 32 bits of the hash as a tag and the entry + 1 (0 = empty); linear
/// probing, at most half full. A lookup reads one or two adjacent slots instead of chasing a
/// `Dictionary` bucket and hashing a `String` key; only entries whose tag matches are handed to
/// the caller, who compares the real keys. The home slot comes from the hash's top bits, which the
/// tag keeps, so growing needs no rehashing of keys.
///
/// Entries with the same hash are visited in insertion order (no deletions, and growth re-inserts
/// every probe run from its start), which keeps lookups as deterministic as the input order.
struct HashSlots: Sendable {
  private var slots: [UInt64]
  /// 64 - log2(slot count): the home slot is `hash >> shift`.
  private var shift: UInt64
  private(set) var count = 0

  init(expectedCount: Int = 0) {
    var bits = 4
    while 1 << bits < expectedCount * 2 { bits += 1 }
    slots = [UInt64](repeating: 0, count: 1 << bits)
    shift = UInt64(64 - bits)
  }

  /// Adds `entry` (0 ... Int32.max - 1) under `hash`; equal hashes may repeat.
  mutating func insert(_ hash: UInt64, _ entry: Int32) {
    precondition(entry >= 0 && entry < Int32.max, "HashSlots entry \(entry) out of range")
    if (count + 1) * 2 > slots.count { grow() }
    let value = (hash >> 32) << 32 | UInt64(UInt32(bitPattern: entry) + 1)
    let home = Int(truncatingIfNeeded: hash >> shift)
    slots.withUnsafeMutableBufferPointer { HashSlots.place(value, home: home, in: $0) }
    count += 1
  }

  /// The home slot of `hash`, read only to bring it into cache ahead of use (`CacheWarming`).
  @inline(__always)
  func homeSlot(_ hash: UInt64) -> UInt64 {
    slots.withUnsafeBufferPointer { $0[Int(truncatingIfNeeded: hash >> shift)] }
  }

  /// Calls `body` with every entry whose tag matches `hash`, in insertion order, until it
  /// returns false.
  @inline(__always)
  func forEachCandidate(_ hash: UInt64, _ body: (Int32) -> Bool) {
    let tag = hash >> 32
    slots.withUnsafeBufferPointer { slots in
      let mask = slots.count - 1
      var index = Int(truncatingIfNeeded: hash >> shift)
      while true {
        let value = slots[index]
        if value == 0 { return }
        if value >> 32 == tag && !body(Int32(truncatingIfNeeded: value & 0xFFFF_FFFF) - 1) {
          return
        }
        index = (index + 1) & mask
      }
    }
  }

  @inline(__always)
  private static func place(
    _ value: UInt64, home: Int, in slots: UnsafeMutableBufferPointer<UInt64>
  ) {
    let mask = slots.count - 1
    var index = home
    while slots[index] != 0 { index = (index + 1) & mask }
    slots[index] = value
  }

  /// Doubles the table. Walking the old slots from an empty one visits every probe run from its
  /// start, so entries with equal hashes keep their order.
  private mutating func grow() {
    let old = slots
    let bits = 64 - Int(shift) + 1
    precondition(bits <= 32, "HashSlots cannot grow beyond 2^32 slots")
    slots = [UInt64](repeating: 0, count: 1 << bits)
    shift -= 1
    let start = old.firstIndex(of: 0) ?? 0
    let tagShift = UInt64(32 - bits)
    slots.withUnsafeMutableBufferPointer { slots in
      for step in 0..<old.count {
        let value = old[(start + step) & (old.count - 1)]
        if value == 0 { continue }
        HashSlots.place(value, home: Int(truncatingIfNeeded: (value >> 32) >> tagShift), in: slots)
      }
    }
  }
}
