/// A collection read page by page: each element is one page's `value`, `@odata.nextLink`
/// followed verbatim until it is absent. Pages may be empty.
public struct GraphPages<Item: Decodable & Sendable>: AsyncSequence, Sendable {
  public typealias Element = [Item]

  let client: GraphClient
  let first: GraphRequest

  public struct AsyncIterator: AsyncIteratorProtocol {
    let client: GraphClient
    var next: GraphRequest?

    public mutating func next() async throws -> [Item]? {
      guard let request = next else { return nil }
      let response = try await client.send(request)
      let page = try response.decode(GraphPage<Item>.self, operation: request.operation)
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
