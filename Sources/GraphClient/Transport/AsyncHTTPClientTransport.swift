import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// `GraphTransport` over AsyncHTTPClient. Owns nothing: the `HTTPClient` belongs to whoever
/// created it (`withGraphClient` shuts it down on the way out).
public struct AsyncHTTPClientTransport: GraphTransport {
  /// Largest body accepted (a 999-user page with proxyAddresses stays well below).
  static let maxBodyBytes = 64 * 1024 * 1024

  let client: HTTPClient

  public init(client: HTTPClient) { self.client = client }

  public func send(_ request: TransportRequest) async throws -> TransportResponse {
    var outgoing = HTTPClientRequest(url: request.url)
    outgoing.method = HTTPMethod(rawValue: request.method)
    outgoing.headers = request.headers
    request.withBody { data in
      if let data { outgoing.body = .bytes(ByteBuffer(bytes: data)) }
    }
    let timeout = TimeAmount.nanoseconds(
      request.timeout.components.seconds * 1_000_000_000
        + request.timeout.components.attoseconds / 1_000_000_000)
    do {
      let response = try await client.execute(outgoing, timeout: timeout)
      let body = try await response.body.collect(upTo: Self.maxBodyBytes)
      return TransportResponse(
        status: Int(response.status.code), headers: response.headers,
        body: Data(body.readableBytesView))
    } catch let error as CancellationError {
      throw error
    } catch {
      throw Self.classify(error)
    }
  }

  /// Maps AsyncHTTPClient/NIO errors to what matters for retries.
  static func classify(_ error: any Error) -> TransportFailure {
    let detail = String(describing: error)
    if let error = error as? HTTPClientError {
      switch error {
      case .connectTimeout, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout:
        return TransportFailure(kind: .connect, detail: detail)
      case .readTimeout, .writeTimeout, .deadlineExceeded:
        return TransportFailure(kind: .timeout, detail: detail)
      case .remoteConnectionClosed:
        return TransportFailure(kind: .reset, detail: detail)
      default:
        return TransportFailure(kind: .other, detail: detail)
      }
    }
    if error is NIOConnectionError { return TransportFailure(kind: .connect, detail: detail) }
    if let error = error as? IOError {
      switch error.errnoCode {
      case ECONNREFUSED, ENETUNREACH, EHOSTUNREACH:
        return TransportFailure(kind: .connect, detail: detail)
      default: return TransportFailure(kind: .reset, detail: detail)
      }
    }
    if let error = error as? ChannelError {
      switch error {
      case .connectTimeout: return TransportFailure(kind: .connect, detail: detail)
      case .ioOnClosedChannel, .eof, .alreadyClosed, .outputClosed, .inputClosed:
        return TransportFailure(kind: .reset, detail: detail)
      default: return TransportFailure(kind: .other, detail: detail)
      }
    }
    if error is NIOHTTP1.HTTPParserError { return TransportFailure(kind: .reset, detail: detail) }
    return TransportFailure(kind: .other, detail: detail)
  }
}
