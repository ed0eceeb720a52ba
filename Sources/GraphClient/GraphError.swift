/// The one error type of GraphClient. Logic branches on `kind`, `status` and `code` (Graph's
/// `error.code`, or the OAuth `error` of the token endpoint), never on `message`, whose text
/// Microsoft may change at any time (graph-facts §9).
public struct GraphError: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Kind: String, Sendable, Equatable {
    /// Graph answered with an HTTP error status and (usually) an OData error body.
    case service
    /// The token endpoint refused the client credentials (OAuth error body, AADSTS codes).
    case authentication
    /// A `TenantConfiguration` value is unusable; `code` names the key (e.g. `tenant.graphHost`).
    case configuration
    /// A caller-supplied value is malformed (bad object id, bad anchor, empty batch...).
    case invalidInput
    /// The connection failed, was reset or timed out and retries were exhausted.
    case transport
    /// Graph answered 2xx with a body this client can't decode, or a link to a foreign host.
    case invalidResponse
    /// A write was accepted (2xx) but reading the object back shows a different value.
    case notApplied
  }

  public var kind: Kind
  /// HTTP status of the failed response, when there was one.
  public var status: Int?
  /// Graph `error.code` (e.g. `Request_BadRequest`), OAuth `error`, or the configuration key.
  public var code: String?
  public var message: String
  /// `request-id` from the response headers or `innerError`.
  public var requestID: String?
  /// The `client-request-id` this client sent.
  public var clientRequestID: String?
  /// What was being attempted, e.g. `PATCH /users/{id}` (no query values, no secrets).
  public var operation: String?

  public init(
    kind: Kind, status: Int? = nil, code: String? = nil, message: String, requestID: String? = nil,
    clientRequestID: String? = nil, operation: String? = nil
  ) {
    self.kind = kind
    self.status = status
    self.code = code
    self.message = message
    self.requestID = requestID
    self.clientRequestID = clientRequestID
    self.operation = operation
  }

  /// True for a delta token that Graph no longer knows: `410 Gone` or `syncStateNotFound`.
  public var requiresFullResync: Bool {
    status == 410 || code == "syncStateNotFound" || code == "resyncRequired"
  }

  /// True when a failed write may still have been applied, so only reading the object back tells:
  /// no answer (transport), a timeout, a 429 or 5xx after the retries (Microsoft says such a
  /// request may have been processed), or a reply that lost or garbled the item. A definite 4xx,
  /// a refused token or a request never built is a refusal.
  public var leavesWriteOutcomeUnknown: Bool {
    switch kind {
    case .transport, .invalidResponse: return true
    case .authentication, .configuration, .invalidInput, .notApplied: return false
    case .service:
      guard let status else { return true }
      return status == 408 || status == 429 || (status >= 500 && status != 501)
    }
  }

  public var description: String {
    var parts: [String] = ["GraphError.\(kind.rawValue)"]
    if let operation { parts.append(operation) }
    if let status { parts.append("HTTP \(status)") }
    if let code { parts.append(code) }
    var text = parts.joined(separator: " ") + ": " + message
    if let requestID { text += " [request-id \(requestID)]" }
    if let clientRequestID { text += " [client-request-id \(clientRequestID)]" }
    return text
  }

  static func configuration(_ key: String, _ value: String, _ problem: String) -> GraphError {
    GraphError(kind: .configuration, code: key, message: "\(key) = \"\(value)\": \(problem)")
  }

  static func invalidInput(_ what: String, _ value: String, _ problem: String) -> GraphError {
    GraphError(kind: .invalidInput, message: "\(what) \"\(value)\": \(problem)")
  }
}
