import AsyncHTTPClient
import Foundation
import Logging
import NIOHTTP1
import TenantEmulator
import Testing

@testable import GraphClient

/// The real AsyncHTTPClient transport, except that it swaps the bearer token of the first
/// `/v1.0` request for a revoked one: the emulator then answers a genuine 401.
struct RevokingTransport: GraphTransport {
  let inner: AsyncHTTPClientTransport
  let revoked = RevokedOnce()

  final class RevokedOnce: @unchecked Sendable {
    // @unchecked: `done` is only touched while holding `lock`.
    private let lock = NSLock()
    private var done = false

    func claim() -> Bool {
      lock.lock()
      defer { lock.unlock() }
      if done { return false }
      done = true
      return true
    }
  }

  func send(_ request: TransportRequest) async throws -> TransportResponse {
    var request = request
    if request.url.contains("/v1.0/"), revoked.claim() {
      request.headers.replaceOrAdd(name: "Authorization", value: "Bearer revoked-token")
    }
    return try await inner.send(request)
  }
}

@Suite("E2E: token cache, sharing and refresh", .serialized)
struct TokenEndToEndTests {
  func withClient(
    server: TenantEmulatorServer, revokeFirst: Bool = false,
    _ body: (GraphClient) async throws -> Void
  ) async throws {
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    do {
      let plain = AsyncHTTPClientTransport(client: http)
      let transport: any GraphTransport = revokeFirst ? RevokingTransport(inner: plain) : plain
      let client = try GraphClient(
        configuration: EmulatorTenant.configuration(server: server),
        credential: .secret(Secret(EmulatorTenant.secret)), transport: transport,
        options: EmulatorTenant.fastOptions(), logger: Logger(label: "test.graph"))
      try await body(client)
    } catch {
      try? await http.shutdown()
      throw error
    }
    try await http.shutdown()
  }

  func tokenRequests(_ server: TenantEmulatorServer) async -> Int {
    await server.requestLog().filter { $0.target.hasSuffix("/oauth2/v2.0/token") }.count
  }

  @Test("concurrent first callers share one token request")
  func sharedFetch() async throws {
    let server = try await TenantEmulatorServer.start(
      stateJSON: Data(EmulatorTenant.state(users: EmulatorTenant.users(1...2)).utf8),
      options: EmulatorOptions(latency: .milliseconds(50)))
    try await withClient(server: server) { client in
      try await withThrowingTaskGroup(of: Int.self) { group in
        for _ in 0..<20 { group.addTask { try await client.domains().count } }
        for try await count in group { #expect(count == 2) }
      }
      #expect(await client.tokens.fetchCount == 1)
    }
    #expect(await tokenRequests(server) == 1)
    try await server.shutdown()
  }

  @Test("a 401 from Graph refreshes the token once and the request succeeds")
  func refreshOn401() async throws {
    let server = try await TenantEmulatorServer.start(
      stateJSON: Data(EmulatorTenant.state(users: EmulatorTenant.users(1...2)).utf8))
    try await withClient(server: server, revokeFirst: true) { client in
      let users = try await client.users().collect()
      #expect(users.count == 2)
      #expect(await client.tokens.fetchCount == 2)
    }
    let graphStatuses = await server.requestLog().filter { $0.target.hasPrefix("/v1.0/") }.map(
      \.status)
    #expect(graphStatuses == [401, 200])
    try await server.shutdown()
  }

  @Test("a short-lived token is replaced before it expires, without a 401")
  func refreshBeforeExpiry() async throws {
    let server = try await TenantEmulatorServer.start(
      stateJSON: Data(EmulatorTenant.state(users: EmulatorTenant.users(1...2)).utf8),
      options: EmulatorOptions(tokenLifetime: .seconds(2)))
    try await withClient(server: server) { client in
      _ = try await client.domains()
      _ = try await client.domains()
      #expect(await client.tokens.fetchCount == 1)
      try await Task.sleep(for: .milliseconds(1_200))
      _ = try await client.domains()
      #expect(await client.tokens.fetchCount == 2)
    }
    #expect(await server.requestLog().allSatisfy { $0.status != 401 })
    try await server.shutdown()
  }
}
