import LDAPClient

/// Failures of the AD layer: the LDAP error underneath, or data AD should never return.
public enum ActiveDirectoryError: Error, Sendable, CustomStringConvertible {
  case ldap(source: String, LDAPError)
  case malformed(source: String, dn: String, attribute: String, reason: String)

  public var description: String {
    switch self {
    case .ldap(let source, let error): "directory source '\(source)': \(error)"
    case .malformed(let source, let dn, let attribute, let reason):
      "directory source '\(source)': \(attribute) of '\(dn)' \(reason)"
    }
  }
}
