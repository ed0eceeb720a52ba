import Foundation
import TenantEmulator

/// A running emulator plus the calls tests make against it.
struct Emulator: Sendable {
  let server: TenantEmulatorServer

  var port: Int { server.port }

  static func run<T>(
    state: Data = TestTenant.standard(), options: EmulatorOptions = .init(),
    _ body: (Emulator) async throws -> T
  ) async throws -> T {
    let server = try await TenantEmulatorServer.start(stateJSON: state, options: options)
    let emulator = Emulator(server: server)
    do {
      let result = try await body(emulator)
      try await server.shutdown()
      return result
    } catch {
      try? await server.shutdown()
      throw error
    }
  }

  static func form(_ fields: [(String, String)]) -> Data {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return Data(
      fields.map {
        "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)"
      }.joined(separator: "&").utf8)
  }

  func tokenRequest(_ fields: [(String, String)], tenant: String = TestTenant.tenantId)
    async throws -> HTTPReply
  {
    try await RawHTTP.send(
      port: port, method: "POST", target: "/\(tenant)/oauth2/v2.0/token",
      headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Self.form(fields))
  }

  func token(privileged: Bool = false) async throws -> String {
    let reply = try await tokenRequest([
      ("client_id", privileged ? TestTenant.privilegedClientId : TestTenant.plainClientId),
      ("scope", "https://graph.microsoft.com/.default"),
      ("client_secret", privileged ? TestTenant.privilegedSecret : TestTenant.plainSecret),
      ("grant_type", "client_credentials"),
    ])
    guard reply.status == 200, let token = reply.object["access_token"] as? String else {
      throw RawHTTPError.malformed
    }
    return token
  }

  /// A Graph call; `json` is serialized as the body with Content-Type application/json.
  func call(
    _ method: String, _ target: String, token: String?, json: Any? = nil,
    headers: [String: String] = [:], timeout: Double = 20
  ) async throws -> HTTPReply {
    var allHeaders = headers
    if let token { allHeaders["Authorization"] = "Bearer \(token)" }
    var body: Data?
    if let json {
      body = try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed])
      allHeaders["Content-Type"] = "application/json"
    }
    return try await RawHTTP.send(
      port: port, method: method, target: target, headers: allHeaders, body: body,
      timeout: timeout)
  }

  /// Path and query of an absolute link the emulator handed out (nextLink, deltaLink).
  func target(of link: String) -> String {
    let prefix = server.baseURL
    return link.hasPrefix(prefix) ? String(link.dropFirst(prefix.count)) : link
  }

  /// Reads a user (with the properties tests look at) straight from the state.
  func storedUser(_ id: String) async throws -> [String: Any] {
    let state =
      try JSONSerialization.jsonObject(with: try await server.stateJSON()) as! [String: Any]
    let users = state["users"] as! [[String: Any]]
    return users.first { $0["id"] as? String == id } ?? [:]
  }

  func storedGroup(_ id: String) async throws -> [String: Any]? {
    let state =
      try JSONSerialization.jsonObject(with: try await server.stateJSON()) as! [String: Any]
    let groups = state["groups"] as! [[String: Any]]
    return groups.first { $0["id"] as? String == id }
  }
}

/// Percent-encodes a query value the way a careful client does (`+` → %2B, space → %20).
func q(_ value: String) -> String {
  var allowed = CharacterSet.alphanumerics
  allowed.insert(charactersIn: "-._~$,()")
  return value.addingPercentEncoding(withAllowedCharacters: allowed)!
}
