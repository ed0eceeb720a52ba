/// A collection read page by page: each element is one page's `value`, `@odata.nextLink`
/// followed verbatim until it is absent. Pages may be empty.
public struct GraphPages<Item: Decodable & Sendable>: AsyncSequence, Sendable {
  public typealias Element = [Item]

  let client: GraphClient
  let first: GraphRequest

  public struct AsyncIterator: AsyncIteratorProtocol {
    let client: GraphClient
    var next: GraphRequest?
    var guardrail = PageGuard()

    public mutating func next() async throws -> [Item]? {
      guard let request = next else { return nil }
      let response = try await client.send(request)
      let page = try response.decode(GraphPage<Item>.self, operation: request.operation)
      try guardrail.check(
        items: page.value.count, nextLink: page.nextLink, host: client.endpoints.graphRoot,
        operation: request.operation)
      next = page.nextLink.map { GraphRequests.link($0, operation: request.operation) }
      return page.value
    }
  }

  public func makeAsyncIterator() -> AsyncIterator {
    AsyncIterator(client: client, next: first)
  }

  /// Every item of every page.
  public func collect() async throws -> [Item] {
    var all: [Item] = []
    for try await page in self { all.append(contentsOf: page) }
    return all
  }
}

/// The progress guard of a paged read: a `@odata.nextLink` seen before (a loop), more pages than
/// any tenant needs, or a page far larger than Graph ever sends ends the read with an error naming
/// the host and what it did.
struct PageGuard: Sendable {
  /// Pages of one read: 999 objects each, far more than any directory holds.
  static let maxPages = 100_000
  /// Graph pages hold at most `$top` (≤ 999) objects; twice that is a server ignoring the size.
  static let maxPageItems = GraphRequests.maxPageSize * 2

  private var seen: Set<String> = []
  private var pages = 0

  mutating func check(items: Int, nextLink: String?, host: String, operation: String)
    throws(GraphError)
  {
    pages += 1
    if items > Self.maxPageItems {
      throw GraphError(
        kind: .invalidResponse,
        message:
          "\(host) sent a page of \(items) objects (at most \(GraphRequests.maxPageSize) were asked for); read stopped",
        operation: operation)
    }
    guard let nextLink else { return }
    if !seen.insert(nextLink).inserted {
      throw GraphError(
        kind: .invalidResponse,
        message:
          "\(host) sent an @odata.nextLink it had already sent (page \(pages) loops back); read stopped",
        operation: operation)
    }
    if pages >= Self.maxPages {
      throw GraphError(
        kind: .invalidResponse,
        message: "\(host) sent more than \(Self.maxPages) pages; read stopped",
        operation: operation)
    }
  }
}
