import CLDAP
import Foundation

/// Owns one libldap session handle (`LDAP *`). Not thread-safe: only the `LDAPConnection` actor that
/// created it touches it, always on that actor's dedicated thread.
final class LDAPHandle {
  let raw: OpaquePointer
  /// Records the connection's socket through libldap's connect callback (see `cldap_watch_new`);
  /// freed after the handle is unbound, because libldap keeps pointing to it until then.
  let watch: UnsafeMutablePointer<cldap_watch>

  /// `ldap_initialize`: parses the URI list (space separated) without connecting.
  /// The handle is released with `ldap_unbind_ext_s` in `deinit`.
  init(uris: [String]) throws(LDAPError) {
    LDAPHandle.disableSystemDefaults()
    var ld: OpaquePointer?
    let rc = ldap_initialize(&ld, uris.joined(separator: " "))
    guard rc == LDAP_SUCCESS, let ld else {
      throw LDAPError(
        kind: .result, resultCode: rc, operation: "connect",
        message: "can't use URI list '\(uris.joined(separator: " "))'")
    }
    guard let watch = cldap_watch_new() else {
      _ = ldap_unbind_ext_s(ld, nil, nil)
      throw LDAPError(kind: .result, operation: "connect", message: "out of memory")
    }
    // libldap keeps this pointer (it does not copy the record) until the handle is unbound.
    let set = ldap_set_option(ld, LDAP_OPT_CONNECT_CB, cldap_watch_callback(watch))
    guard set == LDAP_SUCCESS else {
      _ = ldap_unbind_ext_s(ld, nil, nil)
      cldap_watch_free(watch)
      throw LDAPError(
        kind: .result, resultCode: set, operation: "connect", message: "can't watch the connection")
    }
    raw = ld
    self.watch = watch
  }

  deinit {
    // ldap_unbind_ext_s frees the handle and closes the socket (calling our lc_del on the way);
    // its result can't be acted upon here. Only then may the watch go.
    _ = ldap_unbind_ext_s(raw, nil, nil)
    cldap_watch_free(watch)
  }

  /// libldap reads /etc/ldap/ldap.conf, ~/.ldaprc, ./ldaprc and LDAP* environment variables once, at
  /// its first use; `LDAPNOINIT` turns that off so host files can't silently change our behaviour.
  /// Every option we depend on is then set explicitly per handle.
  private static let systemDefaultsDisabled: Void = {
    setenv("LDAPNOINIT", "1", 1)
  }()

  static func disableSystemDefaults() { _ = systemDefaultsDisabled }

  // MARK: Options

  /// `ldap_set_option` with an `int` value.
  func set(_ option: Int32, int value: Int32, _ name: String) throws(LDAPError) {
    var value = value
    try check(ldap_set_option(raw, option, &value), "set option \(name)")
  }

  /// `ldap_set_option` with a C string (copied by libldap).
  func set(_ option: Int32, string value: String, _ name: String) throws(LDAPError) {
    let rc = value.withCString { ldap_set_option(raw, option, $0) }
    try check(rc, "set option \(name)")
  }

  /// `ldap_set_option` with a pointer-valued switch: `cldap_opt_on()` or `cldap_opt_off()` (NULL).
  func set(_ option: Int32, flag: Bool, _ name: String) throws(LDAPError) {
    try check(
      ldap_set_option(raw, option, flag ? cldap_opt_on() : cldap_opt_off()), "set option \(name)")
  }

  /// `ldap_set_option` with a `struct timeval *` (copied by libldap).
  func set(_ option: Int32, timeout: Duration, _ name: String) throws(LDAPError) {
    var tv = timeval(duration: timeout)
    try check(ldap_set_option(raw, option, &tv), "set option \(name)")
  }

  // MARK: Errors

  /// Turns a non-success return code into an `LDAPError`, adding libldap's diagnostic message
  /// (`LDAP_OPT_DIAGNOSTIC_MESSAGE`, a copy that we free with `ldap_memfree`).
  func check(_ rc: Int32, _ operation: String) throws(LDAPError) {
    guard rc != LDAP_SUCCESS else { return }
    throw error(rc, operation)
  }

  /// Whether any TCP connection was established by this handle (libldap's connect callback ran).
  var hasConnected: Bool { cldap_watch_connections(watch) > 0 }

  func error(_ rc: Int32, _ operation: String, message: String? = nil) -> LDAPError {
    var diagnostic: UnsafeMutablePointer<CChar>?
    var text: String?
    if ldap_get_option(raw, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diagnostic) == LDAP_SUCCESS,
      let diagnostic
    {
      text = String(cString: diagnostic)
      ldap_memfree(diagnostic)
      // GnuTLS failures leave this placeholder, which tells the admin nothing.
      if text == "(unknown error code)" || text?.isEmpty == true { text = nil }
    }
    var matched: UnsafeMutablePointer<CChar>?
    var matchedDN: String?
    if ldap_get_option(raw, LDAP_OPT_MATCHED_DN, &matched) == LDAP_SUCCESS, let matched {
      matchedDN = String(cString: matched)
      ldap_memfree(matched)
    }
    return LDAPError(
      kind: .result, resultCode: rc, operation: operation,
      message: message ?? LDAPError.name(of: rc), diagnosticMessage: text, matchedDN: matchedDN)
  }
}

extension timeval {
  init(duration: Duration) {
    let (seconds, attoseconds) = duration.components
    self.init(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
  }
}
