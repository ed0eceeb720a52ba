/// What to search for. Paging is always on (RFC 2696): AD caps unpaged searches at MaxPageSize.
public struct LDAPSearchRequest: Sendable {
  public var base: String
  public var scope: LDAPScope
  public var filter: String
  /// Explicit attribute names; never "all attributes".
  public var attributes: [String]
  /// Page size, 1...1000 (AD's MaxPageSize is 1000); default 500.
  public var pageSize: Int
  public var controls: [LDAPRequestControl]
  /// Base-scope reads of one entry go without the paged-results control.
  var paged = true

  public init(
    base: String, scope: LDAPScope = .subtree, filter: String, attributes: [String],
    pageSize: Int = 500, controls: [LDAPRequestControl] = []
  ) {
    self.base = base
    self.scope = scope
    self.filter = filter
    self.attributes = attributes.isEmpty ? ["1.1"] : attributes
    self.pageSize = min(max(pageSize, 1), 1000)
    self.controls = controls
  }
}

/// The entries of a paged search, one page in memory at a time (plus the one being fetched).
public struct LDAPSearchResults: AsyncSequence, Sendable {
  public typealias Element = LDAPEntry
  let connection: LDAPConnection
  let request: LDAPSearchRequest

  public struct AsyncIterator: AsyncIteratorProtocol {
    var pages: LDAPSearchPages.AsyncIterator
    var buffer: [LDAPEntry] = []
    var index = 0

    public mutating func next() async throws -> LDAPEntry? {
      while index >= buffer.count {
        guard let page = try await pages.next() else { return nil }
        buffer = page
        index = 0
      }
      defer { index += 1 }
      return buffer[index]
    }
  }

  public func makeAsyncIterator() -> AsyncIterator {
    AsyncIterator(pages: pages().makeAsyncIterator())
  }

  /// The pages themselves, for callers that process entries in batches.
  public func pages() -> LDAPSearchPages {
    LDAPPagedSearch(connection: connection, request: request) { connection, request, cookie in
      try connection.page(request, cookie: cookie)
    }
  }
}

/// The pages of a paged search, each an array of at most `pageSize` entries.
public typealias LDAPSearchPages = LDAPPagedSearch<[LDAPEntry]>
/// The pages of a paged search, each packed as an `LDAPEntryBatch`.
public typealias LDAPEntryBatches = LDAPPagedSearch<LDAPEntryBatch>

/// The pages of a paged search.
///
/// As soon as a page arrives, the request for the next one (it needs this page's cookie) goes out
/// on the connection's thread while the caller works on this page: the directory's time and the
/// caller's time overlap, and memory holds at most two pages.
public struct LDAPPagedSearch<Page: Sendable>: AsyncSequence, Sendable {
  public typealias Element = Page
  typealias Fetch =
    @Sendable (isolated LDAPConnection, LDAPSearchRequest, [UInt8]) throws -> SearchPage<Page>
  let connection: LDAPConnection
  let request: LDAPSearchRequest
  let fetch: Fetch

  init(connection: LDAPConnection, request: LDAPSearchRequest, fetch: @escaping Fetch) {
    self.connection = connection
    self.request = request
    self.fetch = fetch
  }

  public struct AsyncIterator: AsyncIteratorProtocol {
    let connection: LDAPConnection
    let request: LDAPSearchRequest
    let fetch: Fetch
    var pending: Task<SearchPage<Page>, any Error>?
    var started = false
    var finished = false
    var progress = PagedSearchProgress()

    public mutating func next() async throws -> Page? {
      if finished { return nil }
      let page: SearchPage<Page>
      if let pending {
        page = try await pending.value
      } else if !started {
        page = try await fetch(connection, request, [])
      } else {
        return nil
      }
      started = true
      pending = nil
      if let problem = progress.record(count: page.count, cookie: page.cookie, keys: page.keys) {
        finished = true
        throw LDAPError(
          kind: .misbehaved, operation: "search '\(request.filter)' under '\(request.base)'",
          message: "\(connection.configuration.uris.joined(separator: " ")) \(problem)")
      }
      if page.cookie.isEmpty {
        finished = true
      } else {
        let connection = self.connection
        let request = self.request
        let cookie = page.cookie
        let fetch = self.fetch
        pending = Task { try await fetch(connection, request, cookie) }
      }
      return page.entries
    }
  }

  public func makeAsyncIterator() -> AsyncIterator {
    AsyncIterator(connection: connection, request: request, fetch: fetch)
  }
}

/// What a paged search has received so far, to stop a server that never ends it.
///
/// A cookie unlike every earlier one shows progress by itself (AD's cookies name the position). A
/// cookie seen before (Samba keeps one per search) is accepted only while every entry is new: from
/// the first repeat on, every entry's DN is remembered and one sent again ends the search. The
/// entries and the empty pages in a row stay within `LDAPSearchLimits`.
struct PagedSearchProgress: Sendable {
  private var cookies: Set<[UInt8]> = []
  private(set) var pages = 0
  private(set) var entries = 0
  private var emptyInARow = 0
  private var previous: [EntryKey] = []
  /// The DNs seen since the cookie first repeated; nil while cookies keep changing.
  private var seen: Set<EntryKey>?

  /// Counts one page; returns what the server did wrong, if it did.
  mutating func record(count: Int, cookie: [UInt8], keys: [EntryKey]) -> String? {
    pages += 1
    entries += count
    emptyInARow = count == 0 ? emptyInARow + 1 : 0
    if entries > LDAPSearchLimits.entriesPerSearch {
      return "sent more than \(LDAPSearchLimits.entriesPerSearch) entries for one search"
    }
    guard !cookie.isEmpty else { return nil }
    if emptyInARow > LDAPSearchLimits.emptyPagesInARow {
      return "sent \(emptyInARow) pages in a row without an entry and still asks for more"
    }
    if seen == nil {
      if cookies.insert(cookie).inserted {
        previous = keys
        return nil
      }
      seen = Set(previous)
      previous = []
    }
    for key in keys where seen!.insert(key).inserted == false {
      return
        "repeated a paged-results cookie after \(pages) pages and sent an entry again: the "
        + "search would never end"
    }
    return nil
  }
}

/// An entry's DN reduced to two independent hashes: enough to tell entries apart without keeping
/// their DNs.
struct EntryKey: Hashable, Sendable {
  let first: Int
  let second: Int

  init(_ dn: UnsafeRawBufferPointer) {
    var first = Hasher()
    first.combine(0 as UInt8)
    first.combine(bytes: dn)
    var second = Hasher()
    second.combine(1 as UInt8)
    second.combine(bytes: dn)
    self.first = first.finalize()
    self.second = second.finalize()
  }

  static func keys(of entries: [LDAPEntry]) -> [EntryKey] {
    entries.map { entry in
      var dn = entry.dn
      return dn.withUTF8 { EntryKey(UnsafeRawBufferPointer($0)) }
    }
  }

  static func keys(of batch: LDAPEntryBatch) -> [EntryKey] {
    batch.withUnsafeEntries { entries in (0..<entries.count).map { EntryKey(entries.dn($0)) } }
  }
}
