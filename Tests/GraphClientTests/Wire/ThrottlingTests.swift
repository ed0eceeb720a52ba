import Foundation
import Testing

@testable import GraphClient

@Suite("Retry-After, backoff and the write limiter")
struct ThrottlingTests {
  @Test(
    "Retry-After values",
    arguments: [
      ("10", 10.0), ("2.128", 2.128), (" 0.5 ", 0.5), ("0", 0), ("-3", 0),
    ] as [(String, Double)])
  func retryAfterSeconds(text: String, seconds: Double) {
    #expect(RetryAfter.seconds(from: text) == seconds)
  }

  @Test("Retry-After absent or unreadable is nil; an HTTP-date counts from now")
  func retryAfterOther() {
    #expect(RetryAfter.seconds(from: nil) == nil)
    #expect(RetryAfter.seconds(from: "") == nil)
    #expect(RetryAfter.seconds(from: "soon") == nil)
    #expect(RetryAfter.seconds(from: "nan") == nil)
    let now = Date(timeIntervalSince1970: 1_445_412_480)  // Wed, 21 Oct 2015 07:28:00 GMT
    #expect(RetryAfter.seconds(from: "Wed, 21 Oct 2015 07:28:30 GMT", now: now) == 30)
  }

  @Test("backoff ceilings double up to the cap")
  func backoffSchedule() {
    let policy = RetryPolicy(maxAttempts: 8, baseDelay: 0.5, maxDelay: 5)
    #expect((1...7).map { policy.backoffCeiling(retry: $0) } == [0.5, 1, 2, 4, 5, 5, 5])
  }

  @Test(
    "jitter stays within [ceiling/2, ceiling]; Retry-After wins", arguments: [0.0, 0.25, 0.999])
  func jitter(unit: Double) {
    let policy = RetryPolicy(baseDelay: 1, maxDelay: 30)
    for retry in 1...6 {
      let delay = policy.backoff(retry: retry, unit: unit)
      let ceiling = policy.backoffCeiling(retry: retry)
      #expect(delay >= ceiling / 2 && delay <= ceiling)
    }
    #expect(policy.delay(retry: 3, retryAfter: 2.128, unit: unit) == 2.128)
  }

  @Test("the window grants the quota, then waits until the oldest write leaves it")
  func slidingWindow() {
    var window = WriteQuotaWindow(quota: WriteQuota(count: 300, seconds: 15), margin: 0.5)
    for second in 0..<15 {
      #expect(window.reserve(20, now: Double(second) * 0.1) == .granted)
    }
    // 300 used at t = 0 ... 1.4; the next 20 must wait until the first 20 (t = 0) expire.
    #expect(window.reserve(20, now: 2) == .waitUntil(15.5))
    #expect(window.reserve(20, now: 15.49) == .waitUntil(15.5))
    #expect(window.reserve(20, now: 15.5) == .granted)
    // Window now: 20 each at t = 0.1 ... 1.4 and 20 at 15.5. Forty more need t = 0.1 and 0.2 gone.
    guard case .waitUntil(let forForty) = window.reserve(40, now: 15.5) else {
      Issue.record("expected a wait")
      return
    }
    #expect(abs(forForty - 15.7) < 1e-9)
    guard case .waitUntil(let forOne) = window.reserve(1, now: 15.55) else {
      Issue.record("expected a wait")
      return
    }
    #expect(abs(forOne - 15.6) < 1e-9)
  }

  @Test("over any window no more than the quota is granted")
  func neverExceeds() {
    let quota = WriteQuota(count: 50, seconds: 10)
    var window = WriteQuotaWindow(quota: quota, margin: 0)
    var grants: [Double] = []
    var now = 0.0
    while now < 60 {
      switch window.reserve(3, now: now) {
      case .granted: grants.append(contentsOf: [now, now, now])
      case .waitUntil(let time): #expect(time > now)
      }
      now += 0.037
    }
    for start in grants {
      let inWindow = grants.filter { $0 >= start && $0 < start + quota.seconds }.count
      #expect(inWindow <= quota.count)
    }
    // And it is not idle: close to the ceiling over the run.
    #expect(Double(grants.count) / 60 >= quota.ceiling * 0.9)
  }

  @Test(
    "a 429 blocks until Retry-After and lowers the limit once per event; clean windows restore it")
  func adaptive() {
    var window = WriteQuotaWindow(quota: WriteQuota(count: 100, seconds: 10), margin: 0)
    #expect(window.reserve(10, now: 0) == .granted)
    window.throttled(retryAfter: 2.128, now: 1)
    window.throttled(retryAfter: 1, now: 1.5)  // same event: pause kept, limit lowered once
    #expect(window.limit == 80)
    #expect(window.reserve(1, now: 2) == .waitUntil(3.128))
    #expect(window.reserve(1, now: 3.2) == .granted)
    window.throttled(retryAfter: 1, now: 4)
    #expect(window.limit == 64)
    // A clean window (10 s) later the limit climbs by a tenth of the quota per window.
    #expect(window.reserve(1, now: 14.5) == .granted)
    #expect(window.limit == 74)
    #expect(window.reserve(1, now: 25) == .granted)
    #expect(window.limit == 84)
  }

  @Test("a batch larger than a reduced limit still goes once the window is empty")
  func oversizedRequest() {
    var window = WriteQuotaWindow(quota: WriteQuota(count: 10, seconds: 1), margin: 0)
    for _ in 0..<5 { window.throttled(retryAfter: 0, now: Double(window.limit)) }
    #expect(window.limit < 20)
    #expect(window.reserve(20, now: 100) == .granted)
    #expect(window.reserve(20, now: 100.5) == .waitUntil(101))
  }
}
