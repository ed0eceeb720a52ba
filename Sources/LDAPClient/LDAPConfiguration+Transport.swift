/// How a configuration's URIs are connected.
///
/// libldap 2.5 with GnuTLS spins through the whole TLS handshake when a network timeout is set: it
/// puts the socket in non-blocking mode and GnuTLS retries `read(2)` without waiting, thousands of
/// times while the server computes its answer (one `ldapsearch -o nettimeout=10` against the test
/// DC: 2,730 reads, 2,664 of them EAGAIN; 66 reads without the timeout). That is client CPU burnt
/// for nothing on every connection. The timeout is needed for the TCP connect only (an unreachable
/// DC must fail over to the next URI in time), so the connect and the handshake become two steps:
/// LDAPS URIs are opened as plain TCP to the same host and port (`ldaps://dc` is connected as
/// `ldap://dc:636`), then TLS is installed on the open socket with the timeout cleared, so it
/// blocks; the connection's socket watchdog bounds it instead.
struct LDAPTransportPlan: Equatable, Sendable {
  /// The URIs as libldap is asked to connect them.
  var uris: [String]
  /// Install TLS right after the TCP connect (the URIs were LDAPS).
  var tlsAfterConnect: Bool

  /// Splits the handshake from the connect when every URI is LDAPS. A list that mixes schemes
  /// (only possible with `allowInsecure`), or a URI without a host, is left to libldap as it is:
  /// which URI answered decides whether TLS is due, and only libldap knows that.
  init(uris: [String]) {
    let plain = uris.map(LDAPTransportPlan.plainTCP(forLDAPS:))
    if !uris.isEmpty, plain.allSatisfy({ $0 != nil }) {
      self.uris = plain.compactMap { $0 }
      tlsAfterConnect = true
    } else {
      self.uris = uris
      tlsAfterConnect = false
    }
  }

  /// `ldaps://host[:port][/rest]` as `ldap://host:port[/rest]` (port 636 when none is given);
  /// nil for anything else.
  static func plainTCP(forLDAPS uri: String) -> String? {
    let scheme = "ldaps://"
    guard uri.lowercased().hasPrefix(scheme) else { return nil }
    let rest = uri.dropFirst(scheme.count)
    let slash = rest.firstIndex(of: "/") ?? rest.endIndex
    let hostPort = rest[..<slash]
    guard !hostPort.isEmpty, !hostPort.hasPrefix(":") else { return nil }
    let hasPort: Bool
    if hostPort.hasPrefix("[") {
      guard let close = hostPort.firstIndex(of: "]") else { return nil }
      let afterBracket = hostPort[hostPort.index(after: close)...]
      guard afterBracket.isEmpty || afterBracket.hasPrefix(":") else { return nil }
      hasPort = afterBracket.count > 1
    } else {
      hasPort = hostPort.contains(":")
    }
    return "ldap://" + hostPort + (hasPort ? "" : ":636") + rest[slash...]
  }
}
