import CLDAP
import Foundation

extension LDAPHandle {
  /// Applies every option we rely on, so nothing depends on libldap's or the host's defaults.
  /// TLS options are per handle and only take effect once `LDAP_OPT_X_TLS_NEWCTX` is set, last.
  func configure(_ config: LDAPConfiguration) throws(LDAPError) {
    try set(LDAP_OPT_PROTOCOL_VERSION, int: LDAP_VERSION3, "protocol version 3")
    // Referral chasing binds anonymously and fails or hangs against AD: OFF is the NULL pointer.
    try set(LDAP_OPT_REFERRALS, flag: false, "referrals off")
    try set(LDAP_OPT_RESTART, flag: true, "restart on EINTR")
    try set(LDAP_OPT_DEREF, int: LDAP_DEREF_NEVER, "no alias dereferencing")
    try set(LDAP_OPT_SIZELIMIT, int: LDAP_NO_LIMIT, "no client size limit")
    try set(LDAP_OPT_TIMELIMIT, int: LDAP_NO_LIMIT, "no client time limit")
    try set(LDAP_OPT_NETWORK_TIMEOUT, timeout: config.connectTimeout, "network timeout")
    try set(LDAP_OPT_TIMEOUT, timeout: config.operationTimeout, "operation timeout")
    // Keep-alive probes notice a DC that vanished mid-pull instead of waiting forever.
    try set(LDAP_OPT_X_KEEPALIVE_IDLE, int: 60, "keepalive idle")
    try set(LDAP_OPT_X_KEEPALIVE_INTERVAL, int: 10, "keepalive interval")
    try set(LDAP_OPT_X_KEEPALIVE_PROBES, int: 3, "keepalive probes")

    try set(
      LDAP_OPT_X_TLS_REQUIRE_CERT,
      int: config.verifyCertificate ? LDAP_OPT_X_TLS_DEMAND : LDAP_OPT_X_TLS_NEVER,
      "certificate verification")
    try set(LDAP_OPT_X_TLS_PROTOCOL_MIN, int: cldap_tls_protocol_tls1_2(), "TLS 1.2 minimum")
    let caFile = config.caFile ?? LDAPHandle.systemTrustStore
    if let caFile {
      try set(LDAP_OPT_X_TLS_CACERTFILE, string: caFile, "CA file \(caFile)")
    }
    if case .gssapi = config.bind {
      // Don't let reverse DNS rewrite the host name that becomes the Kerberos service principal.
      try set(LDAP_OPT_X_SASL_NOCANON, flag: true, "SASL no canonicalisation")
    }
    try set(LDAP_OPT_X_TLS_NEWCTX, int: 0, "new TLS context")
  }

  /// The distribution's CA bundle, used when the configuration names no CA file.
  static let systemTrustStore: String? = [
    "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem",
  ].first { FileManager.default.fileExists(atPath: $0) }

  /// `ldap_connect`: opens the TCP connection to the first URI that answers, each bounded by the
  /// network timeout. TLS for an LDAPS URI comes after it (`installTLS`), see `LDAPTransportPlan`.
  func connect() throws(LDAPError) {
    try check(ldap_connect(raw), "connect")
  }

  /// Clears the network timeout once connected: with it set, libldap runs the TLS handshake on a
  /// non-blocking socket that GnuTLS polls by spinning (see `LDAPTransportPlan`).
  func clearNetworkTimeout() throws(LDAPError) {
    var none = timeval(tv_sec: -1, tv_usec: 0)
    try check(ldap_set_option(raw, LDAP_OPT_NETWORK_TIMEOUT, &none), "clear the network timeout")
  }

  /// `ldap_install_tls`: the TLS handshake on the open connection, verifying the server's
  /// certificate and name against the URI's host.
  func installTLS() throws(LDAPError) {
    try check(ldap_install_tls(raw), LDAPHandle.handshakeOperation)
  }

  static let handshakeOperation = "TLS handshake"

  /// `ldap_start_tls_s`: upgrades the (first reachable) connection to TLS, verifying the server.
  func startTLS() throws(LDAPError) {
    try check(ldap_start_tls_s(raw, nil, nil), "StartTLS")
  }

  /// `ldap_sasl_bind_s` with the simple mechanism (`LDAP_SASL_SIMPLE`, a NULL name).
  /// The password is copied into a temporary buffer that is zeroed afterwards.
  func simpleBind(dn: String, password: LDAPSecret) throws(LDAPError) {
    var bytes = password.bytes.map { CChar(bitPattern: $0) }
    defer { for index in bytes.indices { bytes[index] = 0 } }
    let rc = bytes.withUnsafeMutableBufferPointer { buffer -> Int32 in
      var credential = berval(bv_len: ber_len_t(buffer.count), bv_val: buffer.baseAddress)
      return ldap_sasl_bind_s(raw, dn, cldap_sasl_simple(), &credential, nil, nil, nil)
    }
    if rc == LDAPError.invalidCredentials {
      throw error(rc, "bind", message: "the directory rejected the credentials of '\(dn)'")
    }
    try check(rc, "bind as '\(dn)'")
  }

  /// `ldap_sasl_interactive_bind_s` with GSSAPI. Kerberos credentials come from the environment the
  /// caller prepared (client keytab / credential cache); the interaction callback answers nothing.
  /// Over plain LDAP the security layer must seal (minssf=56); over TLS AD forbids a SASL layer.
  func gssapiBind(encryptedTransport: Bool) throws(LDAPError) {
    let secprops = encryptedTransport ? "maxssf=0" : "minssf=56,noanonymous,noplain"
    try set(LDAP_OPT_X_SASL_SECPROPS, string: secprops, "SASL security properties")
    let rc = ldap_sasl_interactive_bind_s(
      raw, nil, "GSSAPI", nil, nil, UInt32(LDAP_SASL_QUIET), cldap_sasl_interact_none_proc(), nil)
    try check(rc, "GSSAPI bind")
  }

  /// The SASL security strength factor in force (`LDAP_OPT_X_SASL_SSF`): 56+ means sealed.
  func saslSSF() -> Int {
    var ssf: ber_len_t = 0
    guard ldap_get_option(raw, LDAP_OPT_X_SASL_SSF, &ssf) == LDAP_SUCCESS else { return 0 }
    return Int(ssf)
  }
}
