import Foundation
import Logging
import NIOHTTP1

/// An access token and when to stop using it. The value is a `Secret`: it never prints.
public struct AccessToken: Sendable, Equatable {
  public let value: Secret
  /// When the client refreshes it: `expires_in` minus 5 minutes (or half, for short tokens).
  public let refreshAfter: Date
}

/// Fetches and caches app-only tokens. Concurrent callers share one in-flight request; a 401
/// from Graph invalidates the token it was sent with, so the next caller fetches a new one.
actor TokenProvider {
  /// Refresh this long before expiry.
  static let earlyRefresh: TimeInterval = 300

  private let clientID: String
  private let endpoints: GraphEndpoints
  private let credential: ClientCredential
  private let transport: any GraphTransport
  private let timeout: Duration
  private let retry: RetryPolicy
  private let logger: Logger
  private var cached: AccessToken?
  private var inFlight: Task<AccessToken, any Error>?
  private(set) var fetchCount = 0

  init(
    clientID: String, endpoints: GraphEndpoints, credential: ClientCredential,
    transport: any GraphTransport, timeout: Duration, retry: RetryPolicy, logger: Logger
  ) {
    self.clientID = clientID
    self.endpoints = endpoints
    self.credential = credential
    self.transport = transport
    self.timeout = timeout
    self.retry = retry
    self.logger = logger
  }

  func token() async throws -> AccessToken {
    if let cached, Date() < cached.refreshAfter { return cached }
    if let inFlight { return try await inFlight.value }
    let task = Task { try await self.fetch() }
    inFlight = task
    defer { inFlight = nil }
    let token = try await task.value
    cached = token
    return token
  }

  /// Graph said 401 to `token`: drop it unless a newer one has already replaced it.
  func invalidate(_ token: AccessToken) {
    if cached == token { cached = nil }
  }

  private func fetch() async throws -> AccessToken {
    fetchCount += 1
    var attempt = 0
    // Every wait of one fetch together stays under the retry policy's `Retry-After` ceiling.
    var waited = 0.0
    while true {
      attempt += 1
      let started = Date()
      let body = try TokenRequest.body(
        clientID: clientID, endpoints: endpoints, credential: credential, now: started)
      var headers = HTTPHeaders()
      headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
      headers.add(name: "Accept", value: "application/json")
      headers.add(name: "client-request-id", value: UUID().uuidString.lowercased())
      let request = TransportRequest(
        method: "POST", url: endpoints.tokenURL, headers: headers, secretBody: body,
        timeout: timeout)
      logger.debug(
        "requesting access token",
        metadata: [
          "tokenURL": "\(endpoints.tokenURL)", "clientId": "\(clientID)", "attempt": "\(attempt)",
        ])
      let response: TransportResponse
      do {
        response = try await transport.send(request)
      } catch let failure as TransportFailure {
        guard attempt < retry.maxAttempts else {
          throw GraphError(
            kind: .transport, message: "token endpoint unreachable: \(failure)",
            operation: "POST /oauth2/v2.0/token")
        }
        try await Task.sleep(for: .seconds(retry.backoff(retry: attempt, unit: .random(in: 0..<1))))
        continue
      }
      if response.status == 200 {
        guard let decoded = try? JSONDecoder().decode(TokenResponseBody.self, from: response.body)
        else {
          throw GraphError(
            kind: .invalidResponse, status: 200, message: "token response is not a token",
            operation: "POST /oauth2/v2.0/token")
        }
        // A server's number: NaN, negative or absurd lifetimes become [0, one day].
        let lifetime =
          decoded.expiresIn.isNaN ? 0 : min(max(0, decoded.expiresIn), Self.longestLifetime)
        let margin = min(Self.earlyRefresh, lifetime / 2)
        logger.debug("access token received", metadata: ["expiresIn": "\(Int(lifetime))"])
        return AccessToken(
          value: Secret(decoded.accessToken),
          refreshAfter: started.addingTimeInterval(lifetime - margin))
      }
      if response.status == 429 || response.status >= 500, attempt < retry.maxAttempts {
        let wait = retry.delay(
          retry: attempt,
          retryAfter: RetryAfter.seconds(from: response.headers.first(name: "Retry-After")),
          unit: .random(in: 0..<1))
        if waited + wait <= retry.maxRetryAfter {
          waited += wait
          logger.notice(
            "token endpoint busy; retrying",
            metadata: [
              "status": "\(response.status)", "waitSeconds": "\(wait)", "attempt": "\(attempt)",
              "waitedSeconds": "\(waited)", "ceilingSeconds": "\(retry.maxRetryAfter)",
            ])
          try await Task.sleep(for: .seconds(wait))
          continue
        }
        logger.warning(
          "token endpoint asks for a wait beyond the ceiling; giving up",
          metadata: [
            "status": "\(response.status)", "waitSeconds": "\(wait)",
            "waitedSeconds": "\(waited)", "ceilingSeconds": "\(retry.maxRetryAfter)",
          ])
      }
      throw Self.authenticationError(response, requestBody: body)
    }
  }

  /// The longest token lifetime believed.
  static let longestLifetime: TimeInterval = 86_400

  /// The refusal as a `GraphError`, its text scrubbed of the request's secret or assertion (a
  /// token endpoint may echo the request).
  static func authenticationError(_ response: TransportResponse, requestBody: Secret)
    -> GraphError
  {
    var error = authenticationError(response)
    error.message = SecretScrubber.scrub(error.message, requestBody: requestBody)
    error.code = error.code.map { SecretScrubber.scrub($0, requestBody: requestBody) }
    return error
  }

  static func authenticationError(_ response: TransportResponse) -> GraphError {
    let requestID = response.headers.first(name: "x-ms-request-id")
    if let body = try? JSONDecoder().decode(OAuthErrorBody.self, from: response.body) {
      let codes =
        body.errorCodes.map { " (AADSTS \($0.map(String.init).joined(separator: ",")))" } ?? ""
      // The first line of error_description is the AADSTS text; the rest is trace noise.
      let description = body.errorDescription?.split(whereSeparator: \.isNewline).first.map(
        String.init)
      return GraphError(
        kind: .authentication, status: response.status, code: body.error,
        message: (description ?? "token request refused") + codes,
        requestID: body.traceID ?? requestID, clientRequestID: body.correlationID,
        operation: "POST /oauth2/v2.0/token")
    }
    return GraphError(
      kind: .authentication, status: response.status,
      message: "token request refused with HTTP \(response.status)", requestID: requestID,
      operation: "POST /oauth2/v2.0/token")
  }
}
