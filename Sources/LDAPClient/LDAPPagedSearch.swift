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
