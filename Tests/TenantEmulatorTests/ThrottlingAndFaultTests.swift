import Foundation
import TenantEmulator
import TestSupport
import Testing

@Suite("Write quota and injected faults")
struct ThrottlingAndFaultTests {
  @Test func overQuotaWritesGet429WithRetryAfterAndAreNotApplied() async throws {
    var options = EmulatorOptions()
    // Wide enough that a loaded CI machine still sends the four writes inside one window.
    options.writeQuota = (count: 3, seconds: 6)
    try await Emulator.run(options: options) { emulator in
      let token = try await emulator.token()
      for department in ["A", "B", "C"] {
        let ok = try await emulator.call(
          "PATCH", "/v1.0/users/u-alice", token: token, json: ["department": department])
        #expect(ok.status == 204)
      }
      let reads = try await emulator.call("GET", "/v1.0/users/u-alice", token: token)
      #expect(reads.status == 200)  // reads do not count against the write quota
      let throttled = try await emulator.call(
        "PATCH", "/v1.0/users/u-alice", token: token, json: ["department": "D"])
      #expect(throttled.status == 429)
      #expect(throttled.errorCode == "TooManyRequests")
      let inner = (throttled.object["error"] as? [String: Any])?["innerError"] as? [String: Any]
      #expect(inner?["status"] as? String == "429")
      #expect(throttled.headers["x-ms-throttle-information"] == "WriteLimitExceeded")
      let retryAfter = try #require(throttled.headers["retry-after"].flatMap(Double.init))
      #expect(retryAfter > 0 && retryAfter <= 6)
      #expect(try await emulator.storedUser("u-alice")["department"] as? String == "C")

      try await Task.sleep(for: .milliseconds(Int(retryAfter * 1000) + 100))
      let retried = try await emulator.call(
        "PATCH", "/v1.0/users/u-alice", token: token, json: ["department": "D"])
      #expect(retried.status == 204)
      #expect(try await emulator.storedUser("u-alice")["department"] as? String == "D")
      let log = await emulator.server.requestLog()
      #expect(log.filter { $0.fault == "throttled" && $0.status == 429 }.count == 1)
    }
  }

  static func statuses(seed: UInt64) async throws -> [Int] {
    var options = EmulatorOptions()
    options.faultRate = 0.4
    options.faults = [.serviceUnavailable]
    options.seed = seed
    options.serviceUnavailableRetryAfter = 2.5
    return try await Emulator.run(options: options) { emulator in
      let token = try await emulator.token()
      var statuses: [Int] = []
      for _ in 0..<40 {
        let reply = try await emulator.call("GET", "/v1.0/users/u-alice", token: token)
        if reply.status == 503 {
          #expect(reply.headers["retry-after"] == "2.5")
          #expect(reply.errorCode == "serviceNotAvailable")
        }
        statuses.append(reply.status)
      }
      return statuses
    }
  }

  @Test func faultsFollowTheSeed() async throws {
    let first = try await Self.statuses(seed: 42)
    let again = try await Self.statuses(seed: 42)
    let other = try await Self.statuses(seed: 7)
    #expect(first == again)
    #expect(first != other)
    let failures = first.filter { $0 == 503 }.count
    #expect((6...26).contains(failures), "40 requests at 0.4 gave \(failures) faults")
    #expect(Set(first) == [200, 503])
  }

  static func alwaysFailing(_ fault: EmulatorFault) -> EmulatorOptions {
    var options = EmulatorOptions()
    options.faultRate = 1
    options.faults = [fault]
    options.timeoutHold = .seconds(30)
    return options
  }

  @Test func aConnectionResetIsNotApplied() async throws {
    try await Emulator.run(options: Self.alwaysFailing(.connectionReset)) { emulator in
      let token = try await emulator.token()  // the token endpoint is never faulted
      await #expect(throws: RawHTTPError.self) {
        _ = try await emulator.call(
          "PATCH", "/v1.0/users/u-alice", token: token, json: ["department": "Lost"])
      }
      #expect(try await emulator.storedUser("u-alice")["department"] == nil)
      let log = await emulator.server.requestLog()
      #expect(log.last?.fault == "connectionReset" && log.last?.status == nil)
    }
  }

  @Test func aTimeoutHoldsTheRequestAndDoesNotApplyIt() async throws {
    let server = try await TenantEmulatorServer.start(
      stateJSON: TestTenant.standard(), options: Self.alwaysFailing(.timeout))
    let emulator = Emulator(server: server)
    let token = try await emulator.token()
    await #expect(throws: RawHTTPError.timedOut) {
      _ = try await emulator.call(
        "PATCH", "/v1.0/users/u-alice", token: token, json: ["department": "Late"],
        timeout: 1)
    }
    #expect(try await emulator.storedUser("u-alice")["department"] == nil)
    // A second client still holds its connection open while the server shuts down: shutdown
    // ends the 30 s hold instead of waiting for it.
    let held = Task { try await emulator.call("GET", "/v1.0/users", token: token, timeout: 60) }
    try await Task.sleep(for: .milliseconds(300))
    // Timed on a thread of its own: a busy cooperative pool must not add its wait to the figure.
    let executor = ThreadTaskExecutor(name: "timed-shutdown")
    defer { executor.shutdown() }
    let elapsed = try await withTaskExecutorPreference(executor) {
      let started = ContinuousClock.now
      try await server.shutdown()
      return ContinuousClock.now - started
    }
    #expect(elapsed < .seconds(15))
    await #expect(throws: RawHTTPError.self) { _ = try await held.value }
  }

  @Test func aLostResponseIsAppliedAnyway() async throws {
    try await Emulator.run(options: Self.alwaysFailing(.responseLost)) { emulator in
      let token = try await emulator.token()
      await #expect(throws: RawHTTPError.self) {
        _ = try await emulator.call(
          "PATCH", "/v1.0/users/u-alice", token: token, json: ["department": "Applied"])
      }
      #expect(try await emulator.storedUser("u-alice")["department"] as? String == "Applied")
    }
  }

  @Test func latencyIsAddedToResponses() async throws {
    var options = EmulatorOptions()
    options.latency = .milliseconds(300)
    try await Emulator.run(options: options) { emulator in
      let token = try await emulator.token()
      let started = ContinuousClock.now
      _ = try await emulator.call("GET", "/v1.0/domains", token: token)
      #expect(ContinuousClock.now - started >= .milliseconds(300))
    }
  }
}
