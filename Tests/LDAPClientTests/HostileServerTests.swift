import Logging
import Synchronization
import TestSupport
import Testing

@testable import LDAPClient

/// LDAPClient against `HostileLDAPServer`: every search loop ends, with an error naming the server
/// and what it did, whatever the server sends.
@Suite struct HostileServerTests {
  func connect(
    _ server: HostileLDAPServer, operationTimeout: Duration = .seconds(10),
    logger: Logger = Logger(label: "test")
  ) async throws -> LDAPConnection {
    try await LDAPConnection.connect(
      LDAPConfiguration(
        uris: [server.uri], bind: .anonymous, connectTimeout: .seconds(2),
        operationTimeout: operationTimeout),
      logger: logger)
  }

  func request(pageSize: Int = 10) -> LDAPSearchRequest {
    LDAPSearchRequest(
      base: "DC=hostile", filter: "(objectClass=user)", attributes: ["cn"], pageSize: pageSize)
  }

  static func entries(_ count: Int, from first: Int = 0) -> [HostileLDAPServer.Entry] {
    (first..<first + count).map {
      .init(dn: "CN=u\($0),DC=hostile", [("cn", [Array("u\($0)".utf8)])])
    }
  }

  /// Reads every page of a search; returns the error that ended it and how many pages came first.
  func drain(_ pages: some AsyncSequence) async -> (error: LDAPError?, pages: Int) {
    var count = 0
    do {
      for try await _ in pages { count += 1 }
    } catch {
      return (error as? LDAPError, count)
    }
    return (nil, count)
  }

  @Test func aCookieThatRepeatsEndsTheSearch() async throws {
    let server = try HostileLDAPServer { _ in .init(entries: Self.entries(1), cookie: [7, 7]) }
    defer { server.close() }
    let connection = try await connect(server)
    let result = await drain(connection.search(request()).pages())
    let error = try #require(result.error)
    #expect(error.kind == .misbehaved)
    #expect(error.description.contains(server.uri))
    #expect(error.description.contains("repeated a paged-results cookie"))
    #expect(result.pages == 1)
  }

  @Test func aCookieThatCyclesEndsTheSearch() async throws {
    let server = try HostileLDAPServer { search in
      // A, B, A, B, ...: each cookie differs from the last one, but not from all before it.
      .init(entries: Self.entries(1), cookie: search.cookie == [1] ? [2] : [1])
    }
    defer { server.close() }
    let connection = try await connect(server)
    let result = await drain(connection.batches(request()))
    #expect(result.error?.kind == .misbehaved)
    #expect(
      result.error?.message.contains("repeated a paged-results cookie after 3 pages and sent an")
        == true)
  }

  @Test func emptyPagesThatNeverEndEndTheSearch() async throws {
    let pages = Atomic(0)
    let server = try HostileLDAPServer { _ in
      let page = pages.add(1, ordering: .relaxed).newValue
      return .init(entries: [], cookie: Array("page \(page)".utf8))
    }
    defer { server.close() }
    let connection = try await connect(server)
    let result = await drain(connection.search(request()).pages())
    #expect(result.error?.kind == .misbehaved)
    #expect(result.error?.message.contains("pages in a row without an entry") == true)
    #expect(result.pages == LDAPSearchLimits.emptyPagesInARow)
  }

  @Test func aCookieThatChangesWhileEntriesComeIsFollowedToItsEnd() async throws {
    let server = try HostileLDAPServer { search in
      let page = search.cookie.first.map(Int.init) ?? 0
      return .init(
        entries: Self.entries(10, from: page * 10), cookie: page < 4 ? [UInt8(page + 1)] : [])
    }
    defer { server.close() }
    let connection = try await connect(server)
    var names: [String] = []
    for try await entry in connection.search(request()) { names.append(entry.dn) }
    #expect(names.count == 50)
    #expect(Set(names).count == 50)
  }

  /// Samba's way: one cookie for the whole search, every page with new entries.
  @Test(arguments: [false, true])
  func aRepeatedCookieIsFollowedWhileEveryEntryIsNew(packed: Bool) async throws {
    let served = Atomic(0)
    let server = try HostileLDAPServer { _ in
      let page = served.add(1, ordering: .relaxed).newValue - 1
      return .init(entries: Self.entries(10, from: page * 10), cookie: page < 4 ? [7] : [])
    }
    defer { server.close() }
    let connection = try await connect(server)
    let result =
      packed
      ? await drain(connection.batches(request()))
      : await drain(connection.search(request()).pages())
    #expect(result.error == nil)
    #expect(result.pages == 5)
  }

  @Test(arguments: [false, true])
  func aRepeatedCookieWithAnEntryAlreadySentEndsTheSearch(packed: Bool) async throws {
    let served = Atomic(0)
    let server = try HostileLDAPServer { _ in
      // Three pages of new entries, then the first page again, all under one cookie.
      let page = served.add(1, ordering: .relaxed).newValue - 1
      return .init(entries: Self.entries(10, from: page % 3 * 10), cookie: [7])
    }
    defer { server.close() }
    let connection = try await connect(server)
    let result =
      packed
      ? await drain(connection.batches(request()))
      : await drain(connection.search(request()).pages())
    #expect(result.error?.kind == .misbehaved)
    #expect(result.error?.message.contains("after 4 pages and sent an entry again") == true)
    #expect(result.pages == 3)
  }

  @Test(arguments: [false, true])
  func aPageFarLargerThanAskedIsRefused(packed: Bool) async throws {
    let server = try HostileLDAPServer { search in
      .init(entries: Self.entries((search.pageSize ?? 0) * LDAPSearchLimits.pageOverrun + 1))
    }
    defer { server.close() }
    let connection = try await connect(server)
    let result =
      packed
      ? await drain(connection.batches(request(pageSize: 10)))
      : await drain(connection.search(request(pageSize: 10)).pages())
    let error = try #require(result.error)
    #expect(error.kind == .misbehaved)
    #expect(error.message.contains("sent 21 entries at once (a page of 10 was asked"))
    #expect(error.message.contains(server.uri))
  }

  /// A server that ignores the page size is abandoned once the count passes the limit, not read
  /// to the end into memory.
  @Test func aServerIgnoringThePageSizeIsAbandonedEarly() async throws {
    let sent = 200_000
    let server = try HostileLDAPServer { _ in .init(entries: Self.entries(sent)) }
    defer { server.close() }
    // The test server builds all its entries first; the timeout leaves it that time on a slow
    // machine (ThreadSanitizer), so only the page limit can end the search.
    let connection = try await connect(server, operationTimeout: .seconds(300))
    let result = await drain(connection.batches(request(pageSize: 10)))
    let error = try #require(result.error)
    #expect(error.kind == .misbehaved)
    let counted = error.message.split(separator: "sent ").last?.split(separator: " ").first
    let received = try #require(counted.flatMap { Int($0) })
    #expect(received > 20)
    #expect(received < sent)
  }

  @Test func aPageUpToTheOverrunIsAccepted() async throws {
    let server = try HostileLDAPServer { _ in .init(entries: Self.entries(20)) }
    defer { server.close() }
    let connection = try await connect(server)
    var count = 0
    for try await page in connection.batches(request(pageSize: 10)) { count += page.count }
    #expect(count == 20)
  }

  @Test func anUnpagedReadOfManyEntriesIsRefused() async throws {
    let server = try HostileLDAPServer { _ in
      .init(entries: Self.entries(LDAPSearchLimits.unpagedEntries + 1))
    }
    defer { server.close() }
    let connection = try await connect(server)
    let error = try await #require(throws: LDAPError.self) {
      _ = try await connection.read("CN=one,DC=hostile", attributes: ["cn"])
    }
    #expect(error.kind == .misbehaved)
    #expect(error.message.contains("in an unpaged read"))
  }

  @Test(arguments: [false, true])
  func anEntryWithMoreAttributesThanAnyADObjectIsRefused(packed: Bool) async throws {
    let names = (0...LDAPSearchLimits.attributesPerEntry).map { ("a\($0)", [[UInt8(1)]]) }
    let server = try HostileLDAPServer { _ in
      .init(entries: [.init(dn: "CN=wide,DC=hostile", names)])
    }
    defer { server.close() }
    let connection = try await connect(server)
    let result =
      packed
      ? await drain(connection.batches(request()))
      : await drain(connection.search(request()).pages())
    let error = try #require(result.error)
    #expect(error.kind == .misbehaved)
    #expect(error.operation == "read entry 'CN=wide,DC=hostile'")
    #expect(error.message.contains("more than any AD object has"))
    #expect(error.message.contains(server.uri))
  }

  @Test func anEntryWithManyAttributesUpToTheLimitIsRead() async throws {
    // Many distinct names (past the builder's remembered spellings); the requested one comes last.
    var attributes = (1..<LDAPSearchLimits.attributesPerEntry).map { ("x\($0)", [[UInt8(1)]]) }
    attributes.append(("cn", [Array("wide".utf8)]))
    let server = try HostileLDAPServer { [attributes] _ in
      .init(entries: [.init(dn: "CN=wide,DC=hostile", attributes)])
    }
    defer { server.close() }
    let connection = try await connect(server)
    var values: [[UInt8]] = []
    for try await batch in connection.batches(request()) {
      for entry in batch { values.append(contentsOf: entry.values(0).map(Array.init)) }
    }
    #expect(values == [Array("wide".utf8)])
  }

  @Test func aServerThatTricklesItsAnswerIsCutOffAtTheOperationTimeout() async throws {
    let server = try HostileLDAPServer { _ in
      .init(entries: Self.entries(100), delay: .milliseconds(300))
    }
    defer { server.close() }
    let connection = try await connect(server, operationTimeout: .seconds(1))
    let started = ContinuousClock.now
    let result = await drain(connection.search(request()).pages())
    let error = try #require(result.error)
    #expect(error.resultCode == LDAPError.timeout)
    // Cut off long before the 30 s the trickle would take (with room for a loaded machine).
    #expect(ContinuousClock.now - started < .seconds(15))
  }

  @Test func aSlowAnswerIsLogged() async throws {
    let server = try HostileLDAPServer { _ in
      .init(entries: Self.entries(1), delay: .milliseconds(300))
    }
    defer { server.close() }
    let lines = LogLines()
    var configuration = LDAPConfiguration(
      uris: [server.uri], bind: .anonymous, connectTimeout: .seconds(2),
      operationTimeout: .seconds(10))
    configuration.slowOperationThreshold = .milliseconds(100)
    let connection = try await LDAPConnection.connect(
      configuration, logger: Logger(label: "test") { _ in lines })
    for try await _ in connection.search(request()) {}
    let logged = lines.all
    #expect(logged.contains { $0.contains("slow LDAP search") && $0.contains(server.uri) })
  }
}

/// A log handler that keeps every line (with its metadata) for the test to read.
final class LogLines: LogHandler, Sendable {
  private let lines = Mutex<[String]>([])
  var all: [String] { lines.withLock { $0 } }

  var metadata: Logger.Metadata {
    get { [:] }
    set {}
  }
  var logLevel: Logger.Level {
    get { .trace }
    set {}
  }
  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { nil }
    set {}
  }

  func log(event: LogEvent) {
    let text = "\(event.message) \(event.metadata ?? [:])"
    lines.withLock { $0.append(text) }
  }
}
