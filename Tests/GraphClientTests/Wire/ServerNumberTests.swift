import Foundation
import Testing

@testable import GraphClient

/// Numbers and text a server sends, checked before use: pure conversions.
@Suite("Server numbers and server text")
struct ServerNumberTests {
  @Test(
    "the write limiter never pauses longer than a day, whatever Retry-After it is given",
    arguments: [Double.infinity, .nan, 1e30, -5, .greatestFiniteMagnitude])
  func limiterPauseBounded(retryAfter: Double) {
    var window = WriteQuotaWindow(quota: WriteQuota(count: 10, seconds: 1))
    window.throttled(retryAfter: retryAfter, now: 100)
    #expect(window.blockedUntil.isFinite)
    #expect(window.blockedUntil <= 100 + WriteQuotaWindow.longestPause)
    #expect(window.blockedUntil >= 100)
  }

  @Test("the page guard stops a repeated nextLink, an oversized page and endless pages")
  func pageGuard() throws {
    var guardrail = PageGuard()
    try guardrail.check(
      items: 10, nextLink: "https://g/a", host: "https://g", operation: "GET /users")
    try guardrail.check(
      items: 10, nextLink: "https://g/b", host: "https://g", operation: "GET /users")
    let loop = #expect(throws: GraphError.self) {
      try guardrail.check(
        items: 10, nextLink: "https://g/a", host: "https://g", operation: "GET /users")
    }
    #expect(loop?.message.contains("https://g sent an @odata.nextLink it had already sent") == true)

    var big = PageGuard()
    #expect(throws: GraphError.self) {
      try big.check(
        items: PageGuard.maxPageItems + 1, nextLink: nil, host: "https://g", operation: "GET /users"
      )
    }
  }

  @Test("secrets are scrubbed from server text by value and by key")
  func scrubbing() {
    let body = Secret("client_id=abc&client_secret=s3cr%2Bt%26x&grant_type=client_credentials")
    let echoed =
      "bad: client_id=abc&client_secret=s3cr%2Bt%26x&grant_type=client_credentials (was s3cr+t&x)"
    let scrubbed = SecretScrubber.scrub(echoed, requestBody: body)
    #expect(!scrubbed.contains("s3cr"))
    #expect(scrubbed.contains("client_secret=<redacted>"))
    #expect(scrubbed.contains("client_id=abc"))
    #expect(
      SecretScrubber.scrub(
        #"{"client_assertion": "eyJhbGciOi.x.y", "Authorization": "Bearer eyJ0"}"#, values: [])
        == #"{"client_assertion": "<redacted>", "Authorization": "Bearer <redacted>"}"#)
  }
}
