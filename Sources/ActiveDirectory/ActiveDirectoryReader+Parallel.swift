import AnchorCore

extension ActiveDirectoryReader {
  /// Every user in scope, read over `source.readConnections` connections at once, each reading one
  /// uSNChanged range (`USNRange.split` of this DC's highestCommittedUSN): a DC serves the
  /// connections in parallel. Pages arrive in no set order. An entry changed during the read can
  /// arrive twice (in its old range and in the last, open one), never not at all: callers drop
  /// repeats by objectGUID. With one connection this is `userPages(changedAfter:)`.
  ///
  /// With several connections the pages wait in an unbounded buffer for the caller, who writes
  /// them out faster than a DC serves them; the extra connections close when the read ends or is
  /// cancelled. With one, pages are fetched as the caller asks (one page ahead).
  public func userPagesInParallel(changedAfter usn: Int64? = nil) async throws
    -> UserPageSequence
  {
    guard source.readConnections > 1 else {
      let serial = userPages(changedAfter: usn)
      return UserPageSequence(connections: 1) {
        var iterator = serial.makeAsyncIterator()
        return { try await iterator.next() }
      }
    }
    // The extra connections' TCP, TLS and bind round trips overlap each other and the read of
    // highestCommittedUSN on this one.
    let source = self.source
    async let highest = currentWatermark().highestCommittedUSN
    let extra = try await withThrowingTaskGroup(of: ActiveDirectoryReader.self) { group in
      for _ in 1..<source.readConnections { group.addTask { try await Self.connect(source) } }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    let ranges = USNRange.split(
      after: usn, highest: try await highest, count: source.readConnections)
    let readers = [self] + extra
    let (stream, continuation) = AsyncThrowingStream<UserPage, any Error>.makeStream()
    let work = Task {
      do {
        try await withThrowingTaskGroup(of: Void.self) { group in
          for (reader, range) in zip(readers, ranges) {
            group.addTask {
              for try await page in reader.userPages(in: range) { continuation.yield(page) }
            }
          }
          try await group.waitForAll()
        }
        continuation.finish()
      } catch {
        continuation.finish(throwing: error)
      }
    }
    continuation.onTermination = { _ in work.cancel() }
    return UserPageSequence(connections: readers.count) {
      var iterator = stream.makeAsyncIterator()
      return { try await iterator.next() }
    }
  }
}

/// The user pages of one read, serial or parallel, behind one type.
public struct UserPageSequence: AsyncSequence {
  public typealias Element = UserPage
  /// How many connections read at once (1 = the serial read).
  public let connections: Int
  let start: () -> () async throws -> UserPage?

  /// Drops the repeats a read over several connections can deliver (see `RepeatFilter`).
  public var repeatFilter: RepeatFilter { RepeatFilter(active: connections > 1) }

  public struct AsyncIterator: AsyncIteratorProtocol {
    let advance: () async throws -> UserPage?
    public mutating func next() async throws -> UserPage? { try await advance() }
  }

  public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(advance: start()) }
}

/// Admits each objectGUID once when active (a parallel read can deliver an entry changed mid-read
/// twice); inactive, it admits everything without hashing.
///
/// Every entry of a parallel read passes through here, so it is an open-addressing table of the
/// GUIDs' two words (objectGUIDs are random: a multiply of the words spreads them) rather than a
/// `Set`, whose SipHash and growth cost more than the rest of the read's bookkeeping.
public struct RepeatFilter: Sendable {
  private var table: GUIDTable?

  public init(active: Bool) { table = active ? GUIDTable() : nil }

  /// True the first time `guid` is offered (always true when inactive).
  public mutating func admits(_ guid: ObjectGUID) -> Bool {
    guard table != nil else { return true }
    return table!.insert(guid.words)
  }
}

/// A set of 128-bit keys: linear probing over one array of word pairs, kept at most half full.
/// The all-zero key marks an empty slot, so it is remembered on the side.
struct GUIDTable: Sendable {
  private var slots: [UInt64]
  private var mask: Int
  private(set) var count = 0
  private var hasZero = false

  init(capacity: Int = 1024) {
    var size = 16
    while size < capacity * 2 { size <<= 1 }
    slots = [UInt64](repeating: 0, count: size * 2)
    mask = size - 1
  }

  /// Adds `key`; false when it was already there.
  mutating func insert(_ key: (UInt64, UInt64)) -> Bool {
    if key.0 == 0 && key.1 == 0 {
      defer { hasZero = true }
      return !hasZero
    }
    if (count + 1) * 2 > mask + 1 { grow() }
    let mask = self.mask
    let inserted = slots.withUnsafeMutableBufferPointer { slots in
      GUIDTable.place(key, in: slots, mask: mask)
    }
    if inserted { count += 1 }
    return inserted
  }

  private static func place(
    _ key: (UInt64, UInt64), in slots: UnsafeMutableBufferPointer<UInt64>, mask: Int
  ) -> Bool {
    var slot = Int(truncatingIfNeeded: ((key.0 ^ key.1) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    while true {
      let high = slots[slot * 2]
      let low = slots[slot * 2 + 1]
      if high == 0 && low == 0 {
        slots[slot * 2] = key.0
        slots[slot * 2 + 1] = key.1
        return true
      }
      if high == key.0 && low == key.1 { return false }
      slot = (slot + 1) & mask
    }
  }

  private mutating func grow() {
    let old = slots
    let size = (mask + 1) * 2
    slots = [UInt64](repeating: 0, count: size * 2)
    mask = size - 1
    let mask = self.mask
    slots.withUnsafeMutableBufferPointer { slots in
      for index in stride(from: 0, to: old.count, by: 2)
      where old[index] != 0 || old[index + 1] != 0 {
        _ = GUIDTable.place((old[index], old[index + 1]), in: slots, mask: mask)
      }
    }
  }
}
