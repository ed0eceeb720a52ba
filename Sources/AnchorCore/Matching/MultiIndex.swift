/// A hash index from a key to the positions of the objects that have it. Almost every key has one
/// object, so the first is kept inline and only collisions pay for an array.
struct MultiIndex<Key: Hashable>: Sendable where Key: Sendable {
  private var first: [Key: Int32] = [:]
  private var more: [Key: [Int32]] = [:]

  init(capacity: Int = 0) { first.reserveCapacity(capacity) }

  /// Adds `position` under `key`; adding the same pair twice has no effect.
  mutating func insert(_ key: Key, _ position: Int32) {
    guard let existing = first.updateValue(position, forKey: key) else { return }
    first[key] = existing
    if existing == position { return }
    if more[key]?.contains(position) == true { return }
    more[key, default: []].append(position)
  }

  /// The positions sharing `key` when more than one object has it; nil otherwise. Without any
  /// collision in the index this costs nothing (no hashing), which is the common case.
  func shared(_ key: Key) -> [Int32]? {
    guard !more.isEmpty, let others = more[key], let one = first[key] else { return nil }
    return [one] + others
  }

  func lookup(_ key: Key) -> Hits {
    guard let one = first[key] else { return .none }
    guard let others = more[key] else { return .one(one) }
    return .many([one] + others)
  }

  /// Keys shared by more than one object, with all their positions.
  var collisions: [(Key, [Int32])] {
    more.map { key, others in (key, [first[key]!] + others) }
  }
}

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
