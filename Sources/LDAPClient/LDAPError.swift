import CLDAP

/// Every failure of the LDAP layer: the LDAP result code (a server code such as 8
/// `strongerAuthRequired`, or a negative libldap client code such as -1 `serverDown`), the server's
/// diagnostic message and matched DN when it sent them, and what we were doing.
public struct LDAPError: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Kind: String, Sendable {
    /// The server or libldap returned a result code.
    case result
    /// The client refused to proceed before sending anything (e.g. a password over plain text).
    case refused
    /// The caller passed something unusable (a bad URI, an empty page size, ...).
    case invalidArgument
    /// The server answered outside the protocol or AD's documented limits (a repeated paged-results
    /// cookie, a page far larger than asked, ...): the search ends rather than loop or grow.
    case misbehaved
  }

  public var kind: Kind
  /// The LDAP result code; 0 for `.refused`, `.invalidArgument` and `.misbehaved`.
  public var resultCode: Int32
  /// What was being done: `connect`, `bind`, `search`, `modify`, ...
  public var operation: String
  public var message: String
  public var diagnosticMessage: String?
  public var matchedDN: String?

  public init(
    kind: Kind, resultCode: Int32 = 0, operation: String, message: String,
    diagnosticMessage: String? = nil, matchedDN: String? = nil
  ) {
    self.kind = kind
    self.resultCode = resultCode
    self.operation = operation
    self.message = message
    self.diagnosticMessage = diagnosticMessage
    self.matchedDN = matchedDN
  }

  /// The standard name of a result code (`ldap_err2string`, a static string that must not be freed).
  public static func name(of code: Int32) -> String {
    guard let text = ldap_err2string(code) else { return "unknown result code" }
    return String(cString: text)
  }

  public var description: String {
    var text = "LDAP \(operation) failed: \(message)"
    if kind == .result { text += " (result \(resultCode): \(LDAPError.name(of: resultCode)))" }
    if let diagnostic = diagnosticMessage, !diagnostic.isEmpty {
      text += "; server says: \(diagnostic)"
    }
    if let matched = matchedDN, !matched.isEmpty { text += "; matched DN: \(matched)" }
    return text
  }

  public static let serverDown: Int32 = -1
  public static let timeout: Int32 = -5
  public static let filterError: Int32 = -7
  public static let connectError: Int32 = -11
  public static let strongerAuthRequired: Int32 = 8
  public static let invalidCredentials: Int32 = 49
  public static let noSuchObject: Int32 = 32
}
