/// A password or other bind secret. It never prints: logs, errors and reports show `<redacted>`.
public struct LDAPSecret: Sendable, CustomStringConvertible, CustomDebugStringConvertible,
  CustomReflectable
{
  let bytes: [UInt8]
  public init(_ text: String) { self.bytes = Array(text.utf8) }
  public init(bytes: [UInt8]) { self.bytes = bytes }
  public var description: String { "<redacted>" }
  public var debugDescription: String { "<redacted>" }
  public var customMirror: Mirror { Mirror(self, children: []) }
}

/// How to authenticate after connecting.
public enum LDAPBind: Sendable {
  /// Simple bind with a DN or UPN and a password; refused on a connection without TLS.
  case simple(dn: String, password: LDAPSecret)
  /// SASL GSSAPI (Kerberos). Credentials come from `keytab` (as the client keytab) or, when nil, from
  /// the credential cache (`ccache`, or the environment's default). Without TLS the session is sealed.
  case gssapi(keytab: String?, ccache: String?, principal: String?, krb5Config: String?)
  /// No bind: only the rootDSE is readable on AD.
  case anonymous
}

/// Everything needed to open one LDAP connection. Values only; nothing here touches the network.
public struct LDAPConfiguration: Sendable {
  /// One or more `ldap://` or `ldaps://` URIs, tried in order (failover).
  public var uris: [String]
  /// Upgrade `ldap://` connections with StartTLS before binding.
  public var startTLS: Bool
  /// PEM file of the CA(s) that sign the DC certificates; nil uses the system trust store.
  public var caFile: String?
  /// Verify the server certificate and host name (on by default). Turning it off is for labs only.
  public var verifyCertificate: Bool
  /// Allow a simple bind over an unencrypted connection. Off by default: the password would travel
  /// in clear text, and AD with LDAP signing required rejects it anyway.
  public var allowInsecure: Bool
  public var bind: LDAPBind
  /// Bound on establishing the TCP connection, per URI tried.
  public var connectTimeout: Duration
  /// Bound on each synchronous LDAP operation (bind, one page of a search, a modify).
  public var operationTimeout: Duration
  /// A connect or operation that takes longer than this is logged (a warning naming the server).
  public var slowOperationThreshold: Duration = .seconds(5)

  public init(
    uris: [String], startTLS: Bool = false, caFile: String? = nil, verifyCertificate: Bool = true,
    allowInsecure: Bool = false, bind: LDAPBind, connectTimeout: Duration = .seconds(10),
    operationTimeout: Duration = .seconds(120)
  ) {
    self.uris = uris
    self.startTLS = startTLS
    self.caFile = caFile
    self.verifyCertificate = verifyCertificate
    self.allowInsecure = allowInsecure
    self.bind = bind
    self.connectTimeout = connectTimeout
    self.operationTimeout = operationTimeout
  }

  /// True when every URI is protected by TLS (LDAPS, or LDAP upgraded with StartTLS).
  public var isEncrypted: Bool {
    uris.allSatisfy { uri in
      let lower = uri.lowercased()
      return lower.hasPrefix("ldaps://") || (lower.hasPrefix("ldap://") && startTLS)
    }
  }

  /// Checks the configuration before any connection is made.
  public func validate() throws(LDAPError) {
    guard !uris.isEmpty else {
      throw LDAPError(
        kind: .invalidArgument, operation: "connect", message: "no LDAP URI configured")
    }
    for uri in uris {
      let lower = uri.lowercased()
      guard lower.hasPrefix("ldap://") || lower.hasPrefix("ldaps://"),
        !uri.contains(" "), uri.count > 8
      else {
        throw LDAPError(
          kind: .invalidArgument, operation: "connect",
          message: "'\(uri)' is not an ldap:// or ldaps:// URI")
      }
      if lower.hasPrefix("ldaps://") && startTLS {
        throw LDAPError(
          kind: .invalidArgument, operation: "connect",
          message: "'\(uri)' is already LDAPS; StartTLS applies only to ldap:// URIs")
      }
    }
    if case .simple(let dn, let password) = bind, dn.isEmpty || password.bytes.isEmpty {
      // An empty password makes a simple bind "unauthenticated" (RFC 4513 5.1.2): it succeeds
      // and then reads nothing, which looks like an empty directory.
      throw LDAPError(
        kind: .invalidArgument, operation: "bind",
        message: "a simple bind needs a DN and a non-empty password")
    }
    if case .simple = bind, !isEncrypted, !allowInsecure {
      throw LDAPError(
        kind: .refused, operation: "bind",
        message:
          "refusing a simple bind over an unencrypted connection (\(uris.joined(separator: " "))): "
          + "use ldaps://, or ldap:// with startTLS, or GSSAPI; set allowInsecure only for a lab")
    }
  }
}
