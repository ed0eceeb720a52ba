import Foundation
import Logging
import NIOHTTP1

/// Tunables of one client; the defaults follow the documented Graph limits.
public struct GraphClientOptions: Sendable {
  public var retry: RetryPolicy
  /// Per HTTP exchange, including reading the body.
  public var requestTimeout: Duration
  /// Client-side write limiter; nil turns it off (the server's 429s still slow writes down).
  public var writeQuota: WriteQuota?
  /// Connections per host the HTTP client may open (bulk writes run this many in parallel).
  public var maxConnections: Int

  public init(
    retry: RetryPolicy = RetryPolicy(), requestTimeout: Duration = .seconds(60),
    writeQuota: WriteQuota? = .graphAppTenant, maxConnections: Int = 16
  ) {
    self.retry = retry
    self.requestTimeout = requestTimeout
    self.writeQuota = writeQuota
    self.maxConnections = maxConnections
  }
}

/// A successful (2xx) Graph response.
public struct GraphResponse: Sendable {
  public var status: Int
  public var headers: HTTPHeaders
  public var body: Data
  public var clientRequestID: String

  public var requestID: String? { headers.first(name: "request-id") }

  public func decode<T: Decodable>(_ type: T.Type, operation: String) throws -> T {
    do {
      return try JSONDecoder().decode(T.self, from: body)
    } catch {
      throw GraphError(
        kind: .invalidResponse, status: status,
        message: "response body is not a \(T.self): \(error)", requestID: requestID,
        clientRequestID: clientRequestID, operation: operation)
    }
  }
}

/// The Microsoft Graph tenant client: auth, retries, throttling, the write limiter and logging
/// around every request. Reads, writes, `$batch` and bulk writes live in extensions.
public final class GraphClient: Sendable {
  public let endpoints: GraphEndpoints
  public let options: GraphClientOptions
  let transport: any GraphTransport
  let tokens: TokenProvider
  let limiter: WriteLimiter?
  let logger: Logger

  public init(
    configuration: TenantConfiguration, credential: ClientCredential,
    transport: any GraphTransport, options: GraphClientOptions = GraphClientOptions(),
    logger: Logger
  ) throws {
    endpoints = try configuration.endpoints()
    self.options = options
    self.transport = transport
    self.logger = logger
    tokens = TokenProvider(
      clientID: configuration.clientID, endpoints: endpoints, credential: credential,
      transport: transport, timeout: options.requestTimeout, retry: options.retry, logger: logger)
    limiter = options.writeQuota.map { WriteLimiter(quota: $0) }
  }

  /// Sends one request with auth, a `client-request-id`, write-quota reservation and retries:
  /// `Retry-After` on 429/503, backoff with jitter on 5xx and transport faults (only when a
  /// repeat is safe), one token refresh on 401. Throws `GraphError` for anything but 2xx.
  /// `writeCost`/`idempotent` override the request's own view (a `$batch` envelope).
  public func send(_ request: GraphRequest, writeCost: Int? = nil, idempotent: Bool? = nil)
    async throws -> GraphResponse
  {
    let url = try resolve(request.path, operation: request.operation)
    let cost = writeCost ?? request.writeCost
    let repeatable = idempotent ?? request.isIdempotent
    let clientRequestID = UUID().uuidString.lowercased()
    let body = request.bodyData
    var refreshedToken = false
    var attempt = 0
    while true {
      attempt += 1
      if cost > 0, let limiter {
        let waited = try await limiter.acquire(cost)
        if waited >= Self.loggedWait {
          logger.notice(
            "write limiter held the request",
            metadata: [
              "operation": "\(request.operation)", "waitedSeconds": "\(waited)",
              "attempt": "\(attempt)",
            ])
        }
      }
      let token = try await tokens.token()
      var headers = HTTPHeaders()
      token.value.withValue { headers.add(name: "Authorization", value: "Bearer \($0)") }
      headers.add(name: "client-request-id", value: clientRequestID)
      headers.add(name: "return-client-request-id", value: "true")
      headers.add(name: "Accept", value: "application/json")
      for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) {
        headers.add(name: name, value: value)
      }
      let started = ContinuousClock.now
      let response: TransportResponse
      do {
        response = try await transport.send(
          TransportRequest(
            method: request.method.rawValue, url: url, headers: headers, body: body,
            timeout: options.requestTimeout))
      } catch let failure as TransportFailure {
        let safe = failure.kind == .connect || repeatable
        logger.warning(
          "transport failure",
          metadata: [
            "operation": "\(request.operation)", "failure": "\(failure.kind.rawValue)",
            "attempt": "\(attempt)", "clientRequestId": "\(clientRequestID)",
          ])
        guard safe, attempt < options.retry.maxAttempts else {
          throw GraphError(
            kind: .transport,
            message: failure.description
              + (safe
                ? " (after \(attempt) attempts)" : " (not retried: the request is not idempotent)"),
            clientRequestID: clientRequestID, operation: request.operation)
        }
        try await pause(options.retry.backoff(retry: attempt, unit: .random(in: 0..<1)))
        continue
      }
      let elapsed = ContinuousClock.now - started
      logger.debug(
        "graph response",
        metadata: [
          "operation": "\(request.operation)", "status": "\(response.status)",
          "attempt": "\(attempt)", "clientRequestId": "\(clientRequestID)",
          "requestId": "\(response.headers.first(name: "request-id") ?? "-")",
          "ms":
            "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
        ])
      switch response.status {
      case 200..<300:
        return GraphResponse(
          status: response.status, headers: response.headers, body: response.body,
          clientRequestID: clientRequestID)
      case 401 where !refreshedToken:
        // An expired or revoked token: fetch a new one once; this try doesn't count.
        refreshedToken = true
        attempt -= 1
        await tokens.invalidate(token)
        continue
      case 429, 500, 502, 503, 504:
        let retryAfter = RetryAfter.seconds(from: response.headers.first(name: "Retry-After"))
        if response.status == 429, cost > 0, let limiter {
          await limiter.throttled(
            retryAfter: capped(
              retryAfter ?? options.retry.backoff(retry: attempt, unit: 0.5),
              operation: request.operation))
        }
        // 429 and 503 say "not processed"; other 5xx may have acted, so only repeat if safe.
        let safe = response.status == 429 || response.status == 503 || repeatable
        let wait = options.retry.delay(
          retry: attempt, retryAfter: retryAfter, unit: .random(in: 0..<1))
        if safe, attempt < options.retry.maxAttempts, wait <= options.retry.maxRetryAfter {
          logger.notice(
            "retrying",
            metadata: [
              "operation": "\(request.operation)", "status": "\(response.status)",
              "waitSeconds": "\(wait)", "attempt": "\(attempt)",
            ])
          try await pause(wait)
          continue
        }
        throw Self.serviceError(
          status: response.status, headers: response.headers, body: response.body,
          clientRequestID: clientRequestID, operation: request.operation)
      default:
        throw Self.serviceError(
          status: response.status, headers: response.headers, body: response.body,
          clientRequestID: clientRequestID, operation: request.operation)
      }
    }
  }

  /// Sleeps `seconds`, never longer than the retry policy's `Retry-After` ceiling (a server's
  /// number can be anything, and `Duration` traps on an overflow).
  /// Waits at least this long are logged.
  static let loggedWait: Double = 5

  func pause(_ seconds: Double) async throws {
    guard seconds > 0 else { return }
    try await Task.sleep(for: .seconds(min(seconds, options.retry.maxRetryAfter)))
  }

  /// A server's `Retry-After` as the write limiter may use it: at most the retry policy's ceiling
  /// (the policy gives up on longer waits anyway), with a log line when the server asked for more.
  func capped(_ retryAfter: Double, operation: String) -> Double {
    let ceiling = options.retry.maxRetryAfter
    guard !(retryAfter <= ceiling) else { return max(0, retryAfter) }
    logger.warning(
      "Retry-After above the ceiling; the write limiter pauses for the ceiling only",
      metadata: [
        "operation": "\(operation)", "retryAfterSeconds": "\(retryAfter)",
        "ceilingSeconds": "\(ceiling)",
      ])
    return ceiling
  }

  /// A relative path goes under `/v1.0`; an absolute link must point at the same Graph origin,
  /// so a tampered nextLink can't carry the token elsewhere.
  func resolve(_ path: String, operation: String) throws -> String {
    if path.hasPrefix("/") { return endpoints.apiBase + path }
    guard path.lowercased().hasPrefix(endpoints.graphRoot.lowercased() + "/") else {
      throw GraphError(
        kind: .invalidResponse,
        message: "link \"\(path)\" does not point at \(endpoints.graphRoot); not followed",
        operation: operation)
    }
    return path
  }

  /// The OData error of a non-2xx answer, with both request ids.
  static func serviceError(
    status: Int, headers: HTTPHeaders, body: Data, clientRequestID: String?, operation: String
  ) -> GraphError {
    var dictionary: [String: String] = [:]
    for (name, value) in headers { dictionary[name.lowercased()] = value }
    return serviceError(
      status: status, headers: dictionary, body: body, clientRequestID: clientRequestID,
      operation: operation)
  }

  static func serviceError(
    status: Int, headers: [String: String], body: Data, clientRequestID: String?,
    operation: String
  ) -> GraphError {
    let lowered = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }) { first, _ in first }
    let decoded = try? JSONDecoder().decode(ODataErrorBody.self, from: body)
    let inner = decoded?.error.innerError ?? decoded?.error.innererror
    return GraphError(
      kind: .service, status: status, code: decoded?.error.code,
      message: SecretScrubber.scrub(
        decoded?.error.message ?? HTTPResponseStatus(statusCode: status).reasonPhrase, values: []),
      requestID: lowered["request-id"] ?? inner?.requestID,
      clientRequestID: lowered["client-request-id"] ?? inner?.clientRequestID ?? clientRequestID,
      operation: operation)
  }
}
