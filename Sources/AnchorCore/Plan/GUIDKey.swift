/// A directory user's objectGUID (two words) and position: what the plan's order sorts.
struct GUIDKey {
  var high: UInt64
  var low: UInt64
  var position: Int32

  /// By objectGUID, then by position.
  @inline(__always)
  static func precedes(_ lhs: GUIDKey, _ rhs: GUIDKey) -> Bool {
    if lhs.high != rhs.high { return lhs.high < rhs.high }
    if lhs.low != rhs.low { return lhs.low < rhs.low }
    return lhs.position < rhs.position
  }
}

/// Sorts `keys` by `GUIDKey.precedes` (a total order: positions are unique, so any correct sort
/// gives the same result).
///
/// objectGUIDs are random, so one counting pass on the top bits spreads a million keys into
/// buckets of about sixteen, each then sorted while it is in cache: two passes over the keys
/// where a merge sort makes twenty. A bucket that is not small (GUIDs that are not random) is
/// sorted by the standard sort, so no input is worse than that sort by more than the one pass.
func sortByGUID(_ keys: inout [GUIDKey]) {
  let count = keys.count
  guard count > 4096 else {
    keys.sort(by: GUIDKey.precedes)
    return
  }
  var bits = 1
  while 1 << bits < count / 16 { bits += 1 }
  let shift = UInt64(64 - bits)
  var starts = [Int](repeating: 0, count: (1 << bits) + 1)
  keys.withUnsafeBufferPointer { keys in
    for key in keys { starts[Int(truncatingIfNeeded: key.high >> shift) + 1] += 1 }
  }
  for bucket in 0..<(1 << bits) { starts[bucket + 1] += starts[bucket] }
  // Scattered in input order: each bucket keeps its keys in position order.
  var next = starts
  let sorted = [GUIDKey](unsafeUninitializedCapacity: count) { buffer, initialized in
    keys.withUnsafeBufferPointer { keys in
      next.withUnsafeMutableBufferPointer { next in
        for key in keys {
          let bucket = Int(truncatingIfNeeded: key.high >> shift)
          (buffer.baseAddress! + next[bucket]).initialize(to: key)
          next[bucket] += 1
        }
      }
    }
    initialized = count
    for bucket in 0..<(1 << bits) {
      let range = starts[bucket]..<starts[bucket + 1]
      if range.count <= 1 { continue }
      if range.count > 64 {
        buffer[range].sort(by: GUIDKey.precedes)
        continue
      }
      // Insertion sort: a handful of keys, already close to their place.
      for index in range.dropFirst() {
        let key = buffer[index]
        var hole = index
        while hole > range.lowerBound && GUIDKey.precedes(key, buffer[hole - 1]) {
          buffer[hole] = buffer[hole - 1]
          hole -= 1
        }
        buffer[hole] = key
      }
    }
  }
  keys = sorted
}
