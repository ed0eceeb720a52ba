import Foundation

/// MIT Kerberos (used by Cyrus SASL's GSSAPI plugin) takes its client keytab, credential cache and
/// configuration from the process environment. Set once, before the first GSSAPI bind.
enum KerberosEnvironment {
  private static let lock = NSLock()

  static func prepare(keytab: String?, ccache: String?, krb5Config: String?) {
    lock.lock()
    defer { lock.unlock() }
    if let krb5Config { setenv("KRB5_CONFIG", krb5Config, 1) }
    if let keytab {
      // With a client keytab, GSSAPI obtains (and renews) the initial ticket itself; a private
      // in-memory cache keeps it away from the admin's own tickets.
      setenv("KRB5_CLIENT_KTNAME", keytab, 1)
      setenv("KRB5CCNAME", ccache ?? "MEMORY:anchorbridge", 1)
    } else if let ccache {
      setenv("KRB5CCNAME", ccache, 1)
    }
  }
}
