import Foundation

/// MIT Kerberos (used by Cyrus SASL's GSSAPI plugin) takes its client keytab, credential cache and
/// configuration from the process environment. Sources are read one after another, and each GSSAPI
/// bind sets the environment for itself before binding.
enum KerberosEnvironment {
  private static let lock = NSLock()
  /// A private (0700) directory for credential caches that kinit fills for a named principal.
  nonisolated(unsafe) private static var cacheDirectory: String?

  static func prepare(keytab: String?, ccache: String?, principal: String?, krb5Config: String?)
    throws(LDAPError)
  {
    lock.lock()
    defer { lock.unlock() }
    if let krb5Config { setenv("KRB5_CONFIG", krb5Config, 1) }
    switch (keytab, principal) {
    case (let keytab?, let principal?):
      // A named principal: obtain exactly its ticket from the keytab into a private cache, so a
      // keytab with several principals can't make the bind pick another one.
      let cache: String
      if let ccache { cache = ccache } else { cache = try privateCache(for: principal) }
      try kinit(keytab: keytab, principal: principal, cache: cache)
      unsetenv("KRB5_CLIENT_KTNAME")
      setenv("KRB5CCNAME", cache, 1)
    case (let keytab?, nil):
      // With a client keytab, GSSAPI obtains (and renews) the initial ticket itself; a cache per
      // keytab keeps one source's ticket from serving another source, and away from the admin's.
      unsetenv("KRB5CCNAME")
      setenv("KRB5_CLIENT_KTNAME", keytab, 1)
      setenv("KRB5CCNAME", ccache ?? "MEMORY:anchorbridge-\(stableHash(keytab))", 1)
    case (nil, _):
      unsetenv("KRB5_CLIENT_KTNAME")
      if let ccache { setenv("KRB5CCNAME", ccache, 1) }
    }
  }

  private static func privateCache(for principal: String) throws(LDAPError) -> String {
    if cacheDirectory == nil {
      var template = Array((NSTemporaryDirectory() + "/anchorbridge-krb5-XXXXXX").utf8CString)
      guard let made = mkdtemp(&template) else {
        throw LDAPError(
          kind: .refused, operation: "GSSAPI bind", message: "can't create a private ticket cache")
      }
      cacheDirectory = String(cString: made)
    }
    let name = principal.map { $0.isLetter || $0.isNumber ? $0 : "_" }
    return "FILE:\(cacheDirectory!)/\(String(name))"
  }

  /// Runs `kinit -k -t KEYTAB -c CACHE PRINCIPAL` (MIT krb5-user); its message becomes the error.
  private static func kinit(keytab: String, principal: String, cache: String) throws(LDAPError) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/kinit")
    process.arguments = ["-k", "-t", keytab, "-c", cache, principal]
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      throw LDAPError(
        kind: .refused, operation: "GSSAPI bind",
        message: "can't run /usr/bin/kinit (install krb5-user): \(error)")
    }
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw LDAPError(
        kind: .refused, operation: "GSSAPI bind",
        message: "no ticket for \(principal) from keytab \(keytab): "
          + message.trimmingCharacters(in: .whitespacesAndNewlines))
    }
  }

  /// FNV-1a of the path: a short, stable cache name without printing the path.
  private static func stableHash(_ text: String) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
      hash ^= UInt64(byte)
      hash &*= 0x100_0000_01b3
    }
    return String(hash, radix: 16)
  }
}
