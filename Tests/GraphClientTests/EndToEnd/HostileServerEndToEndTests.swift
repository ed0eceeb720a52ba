import Foundation
import Logging
import TenantEmulator
import Testing

@testable import GraphClient

/// GraphClient against a tampering server: lost or unclear write answers are reported as unclear
/// (never as refusals), server numbers cannot trap or park the client, paging loops end with an
/// error naming the host, and an echoing token endpoint cannot leak the secret.
@Suite("E2E: a hostile Graph server", .serialized)
struct HostileServerEndToEndTests {
  static let anchor = Data("anchor-hostile-0123456789".utf8).base64EncodedString()

  /// Fast retries, a 1 s `Retry-After` ceiling, the write limiter on.
  static func options(attempts: Int = 3) -> GraphClientOptions {
    GraphClientOptions(
      retry: RetryPolicy(maxAttempts: attempts, baseDelay: 0.01, maxDelay: 0.05, maxRetryAfter: 1),
      requestTimeout: .seconds(5), writeQuota: .graphAppTenant)
  }

  static func writes(_ range: ClosedRange<Int>) throws -> [UserWrite] {
    try range.map {
      UserWrite(
        userID: EmulatorTenant.userID($0),
        patch: UserPatch(immutableID: .set(try ImmutableID(anchor + String($0)))))
    }
  }

  static func storedAnchor(_ server: TenantEmulatorServer, _ index: Int) async throws -> String? {
    try await EmulatorTenant.storedUser(server, EmulatorTenant.userID(index))?[
      "onPremisesImmutableId"] as? String
  }

  @Test(
    "a write whose batch answer is lost, 504 or 429 is reported unclear, and it did take",
    arguments: [
      [TamperingTransport.Tamper.batchDropsItem("2")],
      [
        .batchItem("2", status: 504, retryAfter: nil),
        .loneAnswer(method: "PATCH", status: 504, retryAfter: nil),
      ],
      [
        .batchItem("2", status: 429, retryAfter: "0"),
        .loneAnswer(method: "PATCH", status: 429, retryAfter: "0"),
      ],
    ])
  func unclearWriteAnswers(tampers: [TamperingTransport.Tamper]) async throws {
    try await TamperingTransport.run(users: 1...3, tampers: tampers, options: Self.options()) {
      client, server in
      let outcomes = try await client.patchUsers(try Self.writes(1...3))
      guard case .failure(let error) = outcomes[1].result else {
        Issue.record("write 2 reported applied")
        return
      }
      #expect(error.leavesWriteOutcomeUnknown)
      #expect(try await Self.storedAnchor(server, 2) == Self.anchor + "2")
      for index in [0, 2] {
        guard case .success = outcomes[index].result else {
          Issue.record("write \(index + 1) failed: \(outcomes[index].result)")
          continue
        }
      }
    }
  }

  @Test("a definite refusal stays a refusal")
  func refusalIsDefinite() {
    let refused = GraphError(kind: .service, status: 400, code: "Request_BadRequest", message: "x")
    #expect(!refused.leavesWriteOutcomeUnknown)
    #expect(!GraphError(kind: .service, status: 501, message: "x").leavesWriteOutcomeUnknown)
    #expect(GraphError(kind: .service, status: 503, message: "x").leavesWriteOutcomeUnknown)
    #expect(GraphError(kind: .transport, message: "reset").leavesWriteOutcomeUnknown)
  }

  @Test(
    "a hostile Retry-After on a batch item neither traps nor parks the write limiter",
    arguments: [
      "1e30", "-5", "NaN", "inf", "99999999999999999999999", "Fri, 31 Dec 9999 23:59:59 GMT",
    ]
  )
  func hostileBatchRetryAfter(value: String) async throws {
    let capture = LogCapture()
    try await TamperingTransport.run(
      users: 1...3, tampers: [.batchItem("1", status: 429, retryAfter: value)],
      options: Self.options(), logger: capture.logger()
    ) { client, server in
      let started = ContinuousClock.now
      _ = try await client.patchUsers(try Self.writes(1...2))
      // The limiter is free again within the ceiling: a later write goes through promptly.
      try await client.setImmutableID(
        try ImmutableID(Self.anchor + "3"), forUser: EmulatorTenant.userID(3))
      #expect(ContinuousClock.now - started < .seconds(20))
      #expect(try await Self.storedAnchor(server, 3) == Self.anchor + "3")
    }
    if let seconds = Double(value), seconds.isFinite, seconds > 1 {
      #expect(capture.text.contains("Retry-After above the ceiling"))
    }
  }

  @Test("a hostile Retry-After on a whole response is capped for the limiter, and said so")
  func hostileResponseRetryAfter() async throws {
    let capture = LogCapture()
    try await TamperingTransport.run(
      users: 1...2, tampers: [.loneAnswer(method: "PATCH", status: 429, retryAfter: "1e30")],
      options: Self.options(), logger: capture.logger()
    ) { client, _ in
      let started = ContinuousClock.now
      let error = try await #require(throws: GraphError.self) {
        try await client.setImmutableID(
          try ImmutableID(Self.anchor + "1"), forUser: EmulatorTenant.userID(1))
      }
      #expect(error.status == 429 && error.leavesWriteOutcomeUnknown)
      _ = try? await client.setImmutableID(
        try ImmutableID(Self.anchor + "2"), forUser: EmulatorTenant.userID(2))
      #expect(ContinuousClock.now - started < .seconds(20))
    }
    #expect(capture.text.contains("Retry-After above the ceiling"))
  }

  @Test("a request the write limiter holds for more than a few seconds is logged")
  func limiterWaitLogged() async throws {
    let capture = LogCapture()
    var options = Self.options()
    options.writeQuota = WriteQuota(count: 1, seconds: 5)
    try await TamperingTransport.run(
      users: 1...2, tampers: [], options: options, logger: capture.logger()
    ) { client, _ in
      for index in 1...2 {
        try await client.setImmutableID(
          try ImmutableID(Self.anchor + String(index)), forUser: EmulatorTenant.userID(index))
      }
    }
    #expect(capture.text.contains("write limiter held the request"))
  }

  @Test("an @odata.nextLink that points at itself ends the read with an error naming the host")
  func nextLinkLoop() async throws {
    try await TamperingTransport.run(
      users: 1...3, tampers: [.nextLinkLoops], options: Self.options()
    ) { client, server in
      let users = try await #require(throws: GraphError.self) {
        _ = try await client.users().collect()
      }
      #expect(users.kind == .invalidResponse)
      #expect(users.message.contains(server.baseURL))
      #expect(users.message.contains("already sent"))
      let delta = try await #require(throws: GraphError.self) {
        _ = try await client.usersDelta(from: nil)
      }
      #expect(delta.message.contains("already sent") && delta.message.contains(server.baseURL))
    }
  }

  @Test("a page far larger than asked for ends the read")
  func inflatedPage() async throws {
    try await TamperingTransport.run(
      users: 1...3, tampers: [.pageInflated(to: 5_000)], options: Self.options()
    ) { client, _ in
      let error = try await #require(throws: GraphError.self) {
        _ = try await client.users().collect()
      }
      #expect(error.message.contains("sent a page of 5000 objects"))
    }
  }

  @Test("a token endpoint that echoes the request never puts the secret into the error")
  func tokenEchoScrubbed() async throws {
    try await TamperingTransport.run(
      users: 1...1, tampers: [.tokenEchoesRequest(status: 400, retryAfter: nil)],
      options: Self.options()
    ) { client, _ in
      let error = try await #require(throws: GraphError.self) {
        _ = try await client.user(EmulatorTenant.userID(1))
      }
      let text = "\(error)"
      #expect(error.kind == .authentication)
      #expect(!text.contains(EmulatorTenant.secret))
      #expect(!text.contains(OData.encodeFormValue(EmulatorTenant.secret)))
      #expect(text.contains("client_secret=<redacted>"))
      #expect(text.contains("client_id=\(EmulatorTenant.clientID)"))
    }
  }

  @Test("a token endpoint's 429 beyond the ceiling fails promptly, with a log line")
  func tokenThrottleBounded() async throws {
    let capture = LogCapture()
    try await TamperingTransport.run(
      users: 1...1, tampers: [.tokenEchoesRequest(status: 429, retryAfter: "300")],
      options: Self.options(attempts: 6), logger: capture.logger()
    ) { client, _ in
      let started = ContinuousClock.now
      let error = try await #require(throws: GraphError.self) {
        _ = try await client.user(EmulatorTenant.userID(1))
      }
      #expect(error.status == 429)
      // Far below the 300 s the endpoint asked for, with room for a loaded machine.
      #expect(ContinuousClock.now - started < .seconds(60))
    }
    #expect(capture.text.contains("token endpoint asks for a wait beyond the ceiling"))
    #expect(!capture.text.contains(EmulatorTenant.secret))
  }

  @Test(
    "a hostile expires_in neither traps nor breaks the reads",
    arguments: ["1e308", "-1", "\"NaN\"", "\"1e400\"", "0"])
  func hostileExpiresIn(value: String) async throws {
    try await TamperingTransport.run(
      users: 1...1, tampers: [.tokenExpiresIn(value)], options: Self.options()
    ) { client, _ in
      let user = try await client.user(EmulatorTenant.userID(1))
      #expect(user.id == EmulatorTenant.userID(1))
    }
  }
}
