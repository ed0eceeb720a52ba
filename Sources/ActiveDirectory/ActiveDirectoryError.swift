import AnchorCore
import LDAPClient

/// Failures of the AD layer: the LDAP error underneath, AD's refusal of one object's write, a
/// source the caller named but never configured, or data AD should never return.
public enum ActiveDirectoryError: Error, Sendable, CustomStringConvertible {
  case ldap(source: String, LDAPError)
  /// The server refused one write (insufficient rights, a constraint, ...) with an LDAP result
  /// code above 0: the object failed, the session is still usable.
  case refused(source: String, dn: String, LDAPError)
  /// A plan names a directory source the configuration lacks.
  case unconfiguredSource(String)
  case malformed(source: String, dn: String, attribute: String, reason: String)
  /// A text attribute of one object is not valid UTF-8: read with replacement characters it could
  /// equal another object's value, so the object is reported and left out instead.
  case invalidText(source: String, dn: String, attribute: String, objectGUID: ObjectGUID?)

  /// What the LDAP layer threw, given the source's name: the one place an `LDAPError` becomes an
  /// `ActiveDirectoryError`. Anything else (cancellation, an `ActiveDirectoryError`) passes unchanged.
  public static func translate(_ error: any Error, source: String) -> any Error {
    guard let error = error as? LDAPError else { return error }
    return ActiveDirectoryError.ldap(source: source, error)
  }

  /// The finding to report when only one object is affected (`invalidText`): the caller leaves
  /// that object out and goes on; nil for failures of the whole read.
  public var objectDiagnostic: Diagnostic? {
    guard case .invalidText(let source, let dn, let attribute, let guid) = self else { return nil }
    let identity = guid.map { " (objectGUID \($0.canonicalString))" } ?? ""
    return Diagnostic(
      .error, .directoryTextNotUTF8, subject: dn,
      "\(attribute) of this object\(identity) in directory source '\(source)' is not valid "
        + "UTF-8; the object is left out rather than read with replaced characters")
  }

  /// The LDAP result code underneath (a server code above 0, a libldap client code below 0).
  public var resultCode: Int32? {
    switch self {
    case .ldap(_, let error) where error.kind == .result: error.resultCode
    case .refused(_, _, let error): error.resultCode
    default: nil
    }
  }

  /// The standard name of `resultCode` (`insufficientAccessRights`, ...).
  public var resultName: String? { resultCode.map(LDAPError.name(of:)) }

  /// The LDAP layer's own account of the failure, without the source's name.
  public var detail: String {
    switch self {
    case .ldap(_, let error), .refused(_, _, let error): error.description
    default: description
    }
  }

  public var description: String {
    switch self {
    case .ldap(let source, let error): "directory source '\(source)': \(error)"
    case .refused(let source, let dn, let error):
      "directory source '\(source)': '\(dn)' refused: \(error)"
    case .unconfiguredSource(let name):
      "the plan names directory source '\(name)', which the configuration lacks"
    case .malformed(let source, let dn, let attribute, let reason):
      "directory source '\(source)': \(attribute) of '\(dn)' \(reason)"
    case .invalidText(let source, let dn, let attribute, _):
      "directory source '\(source)': \(attribute) of '\(dn)' is not valid UTF-8"
    }
  }
}

extension DiagnosticCode {
  /// A directory object's text attribute (or DN) is not valid UTF-8; the object was left out.
  public static let directoryTextNotUTF8: DiagnosticCode = "directoryTextNotUTF8"
}
