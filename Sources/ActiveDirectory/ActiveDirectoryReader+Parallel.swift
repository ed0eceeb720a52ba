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
  /// cancelled. With one, pages are fetched as the caller asks (one page ahead, as before).
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
    let highest = try await currentWatermark().highestCommittedUSN
    let ranges = USNRange.split(after: usn, highest: highest, count: source.readConnections)
    var opened = [self]
    for _ in ranges.dropFirst() { opened.append(try await Self.connect(source)) }
    let readers = opened
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
public struct RepeatFilter: Sendable {
  private var seen: Set<ObjectGUID>?

  public init(active: Bool) { seen = active ? [] : nil }

  /// True the first time `guid` is offered (always true when inactive).
  public mutating func admits(_ guid: ObjectGUID) -> Bool {
    guard seen != nil else { return true }
    return seen!.insert(guid).inserted
  }
}
