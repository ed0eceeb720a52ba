import Foundation
import GraphClient
import TenantEmulator
import Testing

@Suite("E2E: throttling and faults", .serialized)
struct ResilienceEndToEndTests {
  static func anchor(_ index: Int) -> String {
    Data("anchor-\(index)-0123456789".utf8).base64EncodedString()
  }

  @Test("server 429s with fractional Retry-After are waited out; every write lands once")
  func throttledWrites() async throws {
    let emulator = EmulatorOptions(writeQuota: (count: 5, seconds: 1.5))
    // Client limiter off, so the server's quota is what bites.
    try await EmulatorTenant.run(
      state: EmulatorTenant.state(users: EmulatorTenant.users(1...12)), emulator: emulator,
      options: EmulatorTenant.fastOptions(writeQuota: nil, attempts: 10)
    ) { client, server in
      for index in 1...12 {
        try await client.setImmutableID(
          try ImmutableID(Self.anchor(index)), forUser: EmulatorTenant.userID(index))
      }
      let log = await server.requestLog().filter { $0.method == "PATCH" }
      #expect(log.contains { $0.status == 429 })
      #expect(log.filter { $0.status == 204 }.count == 12)
      for index in 1...12 {
        #expect(
          try await EmulatorTenant.storedUser(server, EmulatorTenant.userID(index))?[
            "onPremisesImmutableId"] as? String == Self.anchor(index))
      }
    }
  }

  @Test(
    "bulk $batch writes under a tight quota: throttled items retried alone, none lost or doubled")
  func bulkUnderQuota() async throws {
    let count = 120
    let emulator = EmulatorOptions(writeQuota: (count: 50, seconds: 2))
    try await EmulatorTenant.run(
      state: EmulatorTenant.state(users: EmulatorTenant.users(1...count)), emulator: emulator,
      // The client's own limiter is set looser than the server so some 429s still happen.
      options: EmulatorTenant.fastOptions(
        writeQuota: WriteQuota(count: 80, seconds: 2), attempts: 10)
    ) { client, server in
      let writes = try (1...count).map {
        UserWrite(
          userID: EmulatorTenant.userID($0),
          patch: UserPatch(immutableID: .set(try ImmutableID(Self.anchor($0)))))
      }
      let outcomes = try await client.patchUsers(writes, concurrency: 4)
      let failures = outcomes.compactMap { outcome -> GraphError? in
        if case .failure(let error) = outcome.result { return error }
        return nil
      }
      #expect(failures.isEmpty, "\(failures.prefix(3))")
      let log = await server.requestLog().filter { $0.method == "PATCH" }
      #expect(log.contains { $0.status == 429 })
      let applied = Dictionary(grouping: log.filter { $0.status == 204 }, by: \.target)
      #expect(applied.count == count)
      #expect(applied.values.allSatisfy { $0.count == 1 })
    }
  }

  @Test("5xx, resets and timeouts are retried with backoff; reads and writes complete")
  func faults() async throws {
    let emulator = EmulatorOptions(
      faultRate: 0.3, faults: [.serviceUnavailable, .connectionReset, .timeout], seed: 42,
      serviceUnavailableRetryAfter: 0.2, timeoutHold: .seconds(3))
    var options = EmulatorTenant.fastOptions(attempts: 12)
    options.requestTimeout = .seconds(1)
    try await EmulatorTenant.run(
      state: EmulatorTenant.state(users: EmulatorTenant.users(1...20)), emulator: emulator,
      options: options
    ) { client, server in
      for _ in 0..<3 { #expect(try await client.users().collect().count == 20) }
      for index in 1...10 {
        try await client.patchUserVerified(
          EmulatorTenant.userID(index),
          UserPatch(immutableID: .set(try ImmutableID(Self.anchor(index)))))
      }
      let log = await server.requestLog()
      #expect(log.contains { $0.fault == "serviceUnavailable" })
      #expect(log.contains { $0.fault == "connectionReset" || $0.fault == "timeout" })
    }
  }

  @Test("bulk $batch under envelope faults (503, resets): every write lands exactly once")
  func bulkUnderFaults() async throws {
    let count = 100
    let emulator = EmulatorOptions(
      faultRate: 0.5, faults: [.serviceUnavailable, .connectionReset], seed: 9,
      serviceUnavailableRetryAfter: 0.1)
    try await EmulatorTenant.run(
      state: EmulatorTenant.state(users: EmulatorTenant.users(1...count)), emulator: emulator,
      options: EmulatorTenant.fastOptions(attempts: 12)
    ) { client, server in
      let writes = try (1...count).map {
        UserWrite(
          userID: EmulatorTenant.userID($0),
          patch: UserPatch(immutableID: .set(try ImmutableID(Self.anchor($0)))))
      }
      let outcomes = try await client.patchUsers(writes, concurrency: 3)
      #expect(outcomes.allSatisfy { if case .success = $0.result { true } else { false } })
      let log = await server.requestLog()
      #expect(log.contains { $0.fault != nil && $0.target.hasSuffix("$batch") })
      let applied = Dictionary(
        grouping: log.filter { $0.method == "PATCH" && $0.status == 204 }, by: \.target)
      #expect(applied.count == count)
      #expect(applied.values.allSatisfy { $0.count == 1 })
    }
  }

  @Test("a POST that may have been applied is not blindly repeated")
  func nonIdempotentNotRepeated() async throws {
    let emulator = EmulatorOptions(faultRate: 1, faults: [.responseLost], seed: 7)
    try await EmulatorTenant.run(
      state: EmulatorTenant.state(users: []), emulator: emulator,
      options: EmulatorTenant.fastOptions(attempts: 5)
    ) { client, server in
      let error = await #expect(throws: GraphError.self) {
        _ = try await client.createGroup(
          NewGroup(kind: .security, displayName: "Once", mailNickname: "once"))
      }
      #expect(error?.kind == .transport)
      let posts = await server.requestLog().filter {
        $0.method == "POST" && $0.target.hasPrefix("/v1.0/groups")
      }
      #expect(posts.count == 1)
    }
  }
}
