import AsyncHTTPClient
import Foundation
import Logging
import TenantEmulator
import Testing

@testable import GraphClient

/// The real transport to the emulator, with one change made on the way: the flags read never
/// connects, or `$batch` answers lose their item `"2"`.
struct AlteringTransport: GraphTransport {
  enum Change: Sendable {
    case flagsReadUnreachable
    case batchLosesItemTwo
  }

  let inner: AsyncHTTPClientTransport
  let change: Change

  func send(_ request: TransportRequest) async throws -> TransportResponse {
    switch change {
    case .flagsReadUnreachable where request.url.contains("/directory/onPremisesSynchronization"):
      throw TransportFailure(kind: .connect, detail: "connection refused")
    case .batchLosesItemTwo where request.url.hasSuffix("/$batch"):
      var response = try await inner.send(request)
      var envelope = try #require(
        try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
      let items = try #require(envelope["responses"] as? [[String: Any]])
      envelope["responses"] = items.filter { $0["id"] as? String != "2" }
      response.body = try JSONSerialization.data(withJSONObject: envelope)
      return response
    default:
      return try await inner.send(request)
    }
  }
}

@Suite("E2E: typed batch reads and the tenant-flags read")
struct TypedReadEndToEndTests {
  func withClient(
    server: TenantEmulatorServer, change: AlteringTransport.Change? = nil,
    _ body: (GraphClient) async throws -> Void
  ) async throws {
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    do {
      let plain = AsyncHTTPClientTransport(client: http)
      let transport: any GraphTransport =
        change.map { AlteringTransport(inner: plain, change: $0) } ?? plain
      let client = try GraphClient(
        configuration: EmulatorTenant.configuration(server: server),
        credential: .secret(Secret(EmulatorTenant.secret)), transport: transport,
        options: EmulatorTenant.fastOptions(attempts: 2), logger: Logger(label: "test.graph"))
      try await body(client)
    } catch {
      try? await http.shutdown()
      throw error
    }
    try await http.shutdown()
  }

  func withEmulator(_ users: ClosedRange<Int>, _ body: (TenantEmulatorServer) async throws -> Void)
    async throws
  {
    let server = try await TenantEmulatorServer.start(
      stateJSON: Data(EmulatorTenant.state(users: EmulatorTenant.users(users)).utf8))
    do {
      try await body(server)
    } catch {
      try? await server.shutdown()
      throw error
    }
    try await server.shutdown()
  }

  /// 45 ids over three batches, two in flight: each known user decoded, unknown ids (404) absent.
  @Test func usersByIDAcrossBatchesWithUnknownIDsAbsent() async throws {
    try await withEmulator(1...40) { server in
      try await withClient(server: server) { client in
        let ids = (1...45).map(EmulatorTenant.userID)
        let users = try await client.users(ids: ids, concurrency: 2)
        #expect(users.count == 40)
        #expect(Set(users.keys) == Set((1...40).map(EmulatorTenant.userID)))
        let seventh = try #require(users[EmulatorTenant.userID(7)])
        #expect(seventh.id == EmulatorTenant.userID(7))
        #expect(seventh.userPrincipalName == "user7@contoso.onmicrosoft.com")
        #expect(users[EmulatorTenant.userID(41)] == nil)
      }
    }
  }

  @Test func aBatchAnswerMissingAnItemIsAnError() async throws {
    try await withEmulator(1...3) { server in
      try await withClient(server: server, change: .batchLosesItemTwo) { client in
        let error = try await #require(throws: GraphError.self) {
          _ = try await client.users(ids: (1...3).map(EmulatorTenant.userID))
        }
        #expect(error.kind == .invalidResponse)
        #expect(error.message.contains("no entry for id 2"))
      }
    }
  }

  /// The emulator, like Graph, refuses an app-only token here: the flags are unknown, not an error.
  @Test func flagsReadRefusedWith403IsUnknown() async throws {
    try await withEmulator(1...1) { server in
      try await withClient(server: server) { client in
        let features = try await client.onPremisesSynchronizationFeatures()
        #expect(features == nil)
      }
    }
  }

  @Test func flagsReadThatCannotConnectIsAnError() async throws {
    try await withEmulator(1...1) { server in
      try await withClient(server: server, change: .flagsReadUnreachable) { client in
        let error = try await #require(throws: GraphError.self) {
          _ = try await client.onPremisesSynchronizationFeatures()
        }
        #expect(error.kind == .transport)
      }
    }
  }
}
