import Foundation
import NIOHTTP1

/// One HTTP exchange as plain values; the seam between the client logic and the network.
public struct TransportRequest: Sendable {
  public var method: String
  public var url: String
  public var headers: HTTPHeaders
  /// Kept as a `Secret` because token requests carry the client secret or assertion.
  public var body: Secret?
  public var bodyBytes: Data?
  public var timeout: Duration

  public init(
    method: String, url: String, headers: HTTPHeaders, body: Data? = nil, timeout: Duration
  ) {
    self.method = method
    self.url = url
    self.headers = headers
    self.bodyBytes = body
    self.timeout = timeout
  }

  /// A request whose body must never be logged (the token request).
  public init(
    method: String, url: String, headers: HTTPHeaders, secretBody: Secret, timeout: Duration
  ) {
    self.init(method: method, url: url, headers: headers, timeout: timeout)
    self.body = secretBody
  }

  /// The bytes to send, whichever kind of body this is.
  public func withBody<R>(_ use: (Data?) throws -> R) rethrows -> R {
    if let body { return try body.withValue { try use(Data($0.utf8)) } }
    return try use(bodyBytes)
  }
}

public struct TransportResponse: Sendable {
  public var status: Int
  public var headers: HTTPHeaders
  public var body: Data

  public init(status: Int, headers: HTTPHeaders, body: Data) {
    self.status = status
    self.headers = headers
    self.body = body
  }
}

/// Why an exchange produced no HTTP response; decides whether a retry is safe.
public struct TransportFailure: Error, Sendable, CustomStringConvertible {
  public enum Kind: String, Sendable {
    /// Nothing was sent (DNS, refused, TLS handshake): always safe to retry.
    case connect
    /// Sent, then the connection closed or reset: the server may have acted.
    case reset
    /// No answer in time: the server may have acted.
    case timeout
    case other
  }

  public var kind: Kind
  public var detail: String

  public init(kind: Kind, detail: String) {
    self.kind = kind
    self.detail = detail
  }

  public var description: String { "\(kind.rawValue): \(detail)" }
}

/// The HTTP seam. Implementations throw `TransportFailure` for anything that isn't a response.
public protocol GraphTransport: Sendable {
  func send(_ request: TransportRequest) async throws -> TransportResponse
}
