import Foundation

/// Everything needed to reach one tenant, as plain values. The CLI parses YAML into this; the
/// names in validation errors (`tenant.graphHost`, ...) are the YAML keys.
public struct TenantConfiguration: Sendable, Equatable {
  /// National clouds (graph-facts §8): authority host and Graph root differ; tokens don't cross.
  public enum Cloud: String, Sendable, Equatable, CaseIterable {
    case global, usgov, usgovdod, china

    public var authorityHost: String {
      switch self {
      case .global: "https://login.microsoftonline.com"
      case .usgov, .usgovdod: "https://login.microsoftonline.us"
      case .china: "https://login.partner.microsoftonline.cn"
      }
    }

    public var graphHost: String {
      switch self {
      case .global: "https://graph.microsoft.com"
      case .usgov: "https://graph.microsoft.us"
      case .usgovdod: "https://dod-graph.microsoft.us"
      case .china: "https://microsoftgraph.chinacloudapi.cn"
      }
    }

    public init(parsing text: String) throws(GraphError) {
      guard let cloud = Cloud(rawValue: text.lowercased()) else {
        throw .configuration(
          "tenant.cloud", text, "expected one of global, usgov, usgovdod, china")
      }
      self = cloud
    }
  }

  /// Where a client secret comes from; the value itself is never part of the configuration.
  public enum SecretSource: Sendable, Equatable {
    /// A file holding the secret (trailing newline ignored); refused if group/others can read it.
    case file(path: String)
    /// The name of an environment variable holding the secret.
    case environment(name: String)
  }

  /// The JWS algorithm of the client assertion (graph-facts §8: both forms are documented).
  public enum AssertionAlgorithm: String, Sendable, Equatable, CaseIterable {
    /// RSASSA-PKCS1-v1_5 + SHA-256, header `x5t` (SHA-1 thumbprint); what MSAL long used.
    case rs256 = "RS256"
    /// RSASSA-PSS + SHA-256, header `x5t#S256` (SHA-256 thumbprint); the current documentation.
    case ps256 = "PS256"
  }

  public enum Credential: Sendable, Equatable {
    case clientSecret(SecretSource)
    /// PEM certificate file and PEM private key file (PKCS#1 or PKCS#8, unencrypted).
    /// `algorithm` defaults to PS256, the form the current documentation describes.
    case certificate(
      certificatePath: String, privateKeyPath: String, algorithm: AssertionAlgorithm = .ps256)
  }

  /// Tenant id: a GUID or a verified domain name (`contoso.onmicrosoft.com`).
  public var tenant: String
  /// The application (client) id, a GUID.
  public var clientID: String
  public var cloud: Cloud
  /// Overrides the cloud's authority host (e.g. the emulator's `http://127.0.0.1:PORT`).
  public var authorityHost: String?
  /// Overrides the cloud's Graph root (e.g. the emulator's `http://127.0.0.1:PORT`).
  public var graphHost: String?
  public var credential: Credential

  public init(
    tenant: String, clientID: String, cloud: Cloud = .global, authorityHost: String? = nil,
    graphHost: String? = nil, credential: Credential
  ) {
    self.tenant = tenant
    self.clientID = clientID
    self.cloud = cloud
    self.authorityHost = authorityHost
    self.graphHost = graphHost
    self.credential = credential
  }

  /// Checks every value and derives the endpoints; errors name the key and the bad value.
  public func endpoints() throws(GraphError) -> GraphEndpoints {
    guard Self.isGUID(tenant) || Self.isDomainName(tenant) else {
      throw .configuration("tenant.id", tenant, "expected a GUID or a domain name")
    }
    guard Self.isGUID(clientID) else {
      throw .configuration("tenant.clientId", clientID, "expected a GUID (the application id)")
    }
    let authority = try Self.origin(
      authorityHost ?? cloud.authorityHost, key: "tenant.authorityHost")
    let graph = try Self.origin(graphHost ?? cloud.graphHost, key: "tenant.graphHost")
    switch credential {
    case .clientSecret(.file(let path)) where path.isEmpty:
      throw .configuration("tenant.auth.clientSecretFile", path, "empty path")
    case .clientSecret(.environment(let name))
    where name.isEmpty || name.contains("=") || name.contains("\0"):
      throw .configuration("tenant.auth.clientSecretEnv", name, "not an environment variable name")
    case .certificate(let cert, _, _) where cert.isEmpty:
      throw .configuration("tenant.auth.certificateFile", cert, "empty path")
    case .certificate(_, let key, _) where key.isEmpty:
      throw .configuration("tenant.auth.privateKeyFile", key, "empty path")
    default: break
    }
    return GraphEndpoints(
      tokenURL: "\(authority)/\(tenant)/oauth2/v2.0/token",
      graphRoot: graph,
      // The scope names the cloud's Graph resource even when an override points elsewhere:
      // an override is a stand-in for that resource, not a different one.
      scope: "\(cloud.graphHost)/.default")
  }

  static func isGUID(_ text: String) -> Bool {
    let groups = text.split(separator: "-", omittingEmptySubsequences: false)
    guard groups.map(\.count) == [8, 4, 4, 4, 12] else { return false }
    return groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
  }

  static func isDomainName(_ text: String) -> Bool {
    let labels = text.split(separator: ".", omittingEmptySubsequences: false)
    guard labels.count >= 2, text.utf8.count <= 253 else { return false }
    return labels.allSatisfy { label in
      !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
        && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }
  }

  /// Normalises `scheme://host[:port]` (no path, query or credentials); plain `http` only on
  /// loopback, so a token never crosses a network unencrypted.
  static func origin(_ text: String, key: String) throws(GraphError) -> String {
    var trimmed = text
    while trimmed.hasSuffix("/") { trimmed.removeLast() }
    guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(),
      let host = url.host, !host.isEmpty
    else { throw .configuration(key, text, "not an absolute URL") }
    guard url.user == nil, url.password == nil else {
      throw .configuration(key, "<url with credentials>", "credentials in the URL are not allowed")
    }
    guard url.path.isEmpty, url.query == nil, url.fragment == nil else {
      throw .configuration(key, text, "expected scheme://host[:port] without a path")
    }
    switch scheme {
    case "https": break
    case "http":
      guard isLoopback(host) else {
        throw .configuration(
          key, text, "plain http is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost)")
      }
    default:
      throw .configuration(key, text, "unsupported scheme \"\(scheme)\"")
    }
    let port = url.port.map { ":\($0)" } ?? ""
    let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    return "\(scheme)://\(hostPart.lowercased())\(port)"
  }

  static func isLoopback(_ host: String) -> Bool {
    var bare = host.lowercased()
    if bare.hasPrefix("[") && bare.hasSuffix("]") { bare = String(bare.dropFirst().dropLast()) }
    if bare == "localhost" || bare == "::1" || bare == "0:0:0:0:0:0:0:1" { return true }
    let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
    guard octets.count == 4, octets[0] == "127" else { return false }
    return octets.allSatisfy { octet in
      octet.count <= 3 && octet.allSatisfy(\.isNumber) && (UInt16(octet).map { $0 <= 255 } ?? false)
    }
  }
}

/// Endpoints derived from a validated `TenantConfiguration`.
public struct GraphEndpoints: Sendable, Equatable {
  /// `{authority}/{tenant}/oauth2/v2.0/token`; also the `aud` of a client assertion.
  public var tokenURL: String
  /// `scheme://host[:port]` of Graph; requests go to `{graphRoot}/v1.0/...`.
  public var graphRoot: String
  /// `<graph root>/.default`.
  public var scope: String

  public var apiBase: String { graphRoot + "/v1.0" }
}
