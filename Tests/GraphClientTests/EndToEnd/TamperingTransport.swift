import AsyncHTTPClient
import Foundation
import Logging
import NIOHTTP1
import TenantEmulator
import Testing

@testable import GraphClient

/// A hostile server for GraphClient's tests: the real transport to the loopback emulator, which
/// acts on every request, with the answer rewritten on the way back the way a broken gateway or a
/// misbehaving tenant would.
struct TamperingTransport: GraphTransport {
  enum Tamper: Sendable {
    /// `$batch` answers lose the item with this id.
    case batchDropsItem(String)
    /// `$batch` answers give this item this status (and `Retry-After`) after the emulator acted.
    case batchItem(String, status: Int, retryAfter: String?)
    /// Every request of this method outside `$batch` is answered with this status after the
    /// emulator acted (a reply lost behind a gateway).
    case loneAnswer(method: String, status: Int, retryAfter: String?)
    /// Every page's `@odata.nextLink` points at the page's own URL.
    case nextLinkLoops
    /// Every page's `value` is repeated up to this many items.
    case pageInflated(to: Int)
    /// The token endpoint answers `status` with the request body echoed in `error_description`.
    case tokenEchoesRequest(status: Int, retryAfter: String?)
    /// The token endpoint's `expires_in` is replaced by this JSON text.
    case tokenExpiresIn(String)
  }

  let inner: AsyncHTTPClientTransport
  let tampers: [Tamper]

  func send(_ request: TransportRequest) async throws -> TransportResponse {
    let isToken = request.url.contains("/oauth2/")
    let isBatch = request.url.hasSuffix("/$batch")
    for tamper in tampers {
      if case .tokenEchoesRequest(let status, let retryAfter) = tamper, isToken {
        let echoed = request.withBody { String(decoding: $0 ?? Data(), as: UTF8.self) }
        let body: [String: Any] = [
          "error": "invalid_request", "error_description": "AADSTS900144: bad request: \(echoed)",
        ]
        var headers = HTTPHeaders()
        if let retryAfter { headers.add(name: "Retry-After", value: retryAfter) }
        return TransportResponse(
          status: status, headers: headers, body: try JSONSerialization.data(withJSONObject: body))
      }
    }
    var response = try await inner.send(request)
    for tamper in tampers {
      switch tamper {
      case .batchDropsItem(let id) where isBatch:
        response.body = try Self.editBatch(response.body) { items in
          items.removeAll { $0["id"] as? String == id }
        }
      case .batchItem(let id, let status, let retryAfter) where isBatch:
        response.body = try Self.editBatch(response.body) { items in
          for index in items.indices where items[index]["id"] as? String == id {
            items[index]["status"] = status
            items[index]["headers"] = retryAfter.map { ["Retry-After": $0] } ?? [:]
            items[index]["body"] = ["error": ["code": "Tampered", "message": "rewritten"]]
          }
        }
      case .loneAnswer(let method, let status, let retryAfter)
      where !isBatch && !isToken && request.method == method:
        var headers = HTTPHeaders()
        if let retryAfter { headers.add(name: "Retry-After", value: retryAfter) }
        return TransportResponse(
          status: status, headers: headers,
          body: Data(#"{"error":{"code":"Tampered","message":"rewritten"}}"#.utf8))
      case .nextLinkLoops where !isBatch && !isToken && request.method == "GET":
        response.body = try Self.editObject(response.body) { page in
          page.removeValue(forKey: "@odata.deltaLink")
          page["@odata.nextLink"] = request.url
        }
      case .pageInflated(let count) where !isBatch && !isToken && request.method == "GET":
        response.body = try Self.editObject(response.body) { page in
          guard let value = page["value"] as? [Any], let first = value.first else { return }
          page["value"] = Array(repeating: first, count: count)
        }
      case .tokenExpiresIn(let text) where isToken && response.status == 200:
        let body = String(decoding: response.body, as: UTF8.self)
        response.body = Data(
          body.replacingOccurrences(
            of: #""expires_in"\s*:\s*[^,}]+"#, with: "\"expires_in\":\(text)",
            options: .regularExpression
          ).utf8)
      default:
        break
      }
    }
    return response
  }

  static func editObject(_ body: Data, _ edit: (inout [String: Any]) -> Void) throws -> Data {
    var object = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
    edit(&object)
    return try JSONSerialization.data(withJSONObject: object)
  }

  static func editBatch(_ body: Data, _ edit: (inout [[String: Any]]) -> Void) throws -> Data {
    try editObject(body) { envelope in
      var items = envelope["responses"] as? [[String: Any]] ?? []
      edit(&items)
      envelope["responses"] = items
    }
  }

  /// Starts an emulator with `users`, runs `body` with a client whose every answer passes the
  /// tampers, shuts everything down.
  static func run<R: Sendable>(
    users: ClosedRange<Int>, tampers: [Tamper], options: GraphClientOptions,
    logger: Logger = Logger(label: "test.graph"),
    _ body: (GraphClient, TenantEmulatorServer) async throws -> R
  ) async throws -> R {
    let server = try await TenantEmulatorServer.start(
      stateJSON: Data(EmulatorTenant.state(users: EmulatorTenant.users(users)).utf8))
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    do {
      let client = try GraphClient(
        configuration: EmulatorTenant.configuration(server: server),
        credential: .secret(Secret(EmulatorTenant.secret)),
        transport: TamperingTransport(
          inner: AsyncHTTPClientTransport(client: http), tampers: tampers),
        options: options, logger: logger)
      let result = try await body(client, server)
      try await http.shutdown()
      try await server.shutdown()
      return result
    } catch {
      try? await http.shutdown()
      try? await server.shutdown()
      throw error
    }
  }
}
