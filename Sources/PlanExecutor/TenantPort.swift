import AnchorCore

/// A cloud user as the executor reads it back: only what compare-and-set looks at.
public struct CloudUserState: Hashable, Sendable {
  public var id: String
  public var userPrincipalName: String
  /// The Graph text of `onPremisesImmutableId`; nil is JSON null (an empty string stays "").
  public var immutableId: String?
  public var onPremisesSyncEnabled: Bool?

  public init(
    id: String, userPrincipalName: String, immutableId: String?, onPremisesSyncEnabled: Bool?
  ) {
    self.id = id
    self.userPrincipalName = userPrincipalName
    self.immutableId = immutableId
    self.onPremisesSyncEnabled = onPremisesSyncEnabled
  }

  /// The state as the plan writes its expectations.
  var image: BeforeImage {
    BeforeImage(
      immutableId: immutableId.map { SourceAnchor(immutableId: $0) },
      userPrincipalName: userPrincipalName, onPremisesSyncEnabled: onPremisesSyncEnabled)
  }
}

/// One PATCH of one user. Fields left nil are not sent.
public struct UserChange: Hashable, Sendable {
  public enum Anchor: Hashable, Sendable {
    case set(String)
    /// An explicit JSON null (never `""`, which Graph does not treat as a clear).
    case clear
  }
  public var userId: String
  public var anchor: Anchor?
  public var userPrincipalName: String?

  public init(userId: String, anchor: Anchor?, userPrincipalName: String?) {
    self.userId = userId
    self.anchor = anchor
    self.userPrincipalName = userPrincipalName
  }
}

/// A port's refusal of one change, with where it came from: the tenant (HTTP status, Graph
/// `error.code`, request id), the directory (LDAP result code and its name), or the executor's own
/// check of a change before it is sent.
public struct TenantPortError: Error, Hashable, Sendable, CustomStringConvertible {
  public enum Origin: Hashable, Sendable {
    case graph(status: Int?, code: String?, requestId: String?)
    case ldap(resultCode: Int, name: String?)
    case executor
  }

  public var origin: Origin
  public var message: String

  /// A refusal by Microsoft Graph.
  public init(status: Int?, code: String?, message: String, requestId: String?) {
    self.origin = .graph(status: status, code: code, requestId: requestId)
    self.message = message
  }

  /// A refusal by the directory: the LDAP result code and its name (`insufficientAccessRights`).
  public init(ldapResultCode: Int, name: String?, message: String) {
    self.origin = .ldap(resultCode: ldapResultCode, name: name)
    self.message = message
  }

  /// A change the executor or an adapter refused before sending it.
  public init(refusal message: String) {
    self.origin = .executor
    self.message = message
  }

  /// The HTTP status of a Graph refusal.
  public var status: Int? {
    if case .graph(let status, _, _) = origin { status } else { nil }
  }

  /// Graph's `error.code`, or the LDAP result code's name.
  public var code: String? {
    switch origin {
    case .graph(_, let code, _): code
    case .ldap(_, let name): name
    case .executor: nil
    }
  }

  /// `code: message (HTTP 403, request-id …)` or `name: message (LDAP 50)`.
  public var description: String {
    var text = (code.map { $0 + ": " } ?? "") + message
    var extras: [String] = []
    switch origin {
    case .graph(let status, _, let requestId):
      if let status { extras.append("HTTP \(status)") }
      if let requestId { extras.append("request-id \(requestId)") }
    case .ldap(let resultCode, _):
      extras.append("LDAP \(resultCode)")
    case .executor:
      break
    }
    if !extras.isEmpty { text += " (" + extras.joined(separator: ", ") + ")" }
    return text
  }
}

/// What became of one change a port sent.
public enum WriteOutcome: Hashable, Sendable {
  /// The other side answered that it applied the change.
  case applied
  /// The other side answered that it did not apply the change.
  case refused(TenantPortError)
  /// No clear answer (a lost reply, a 5xx or 429 after the retries, an item missing from a batch
  /// response): the change may or may not have been applied, so the executor reads it back.
  case unknown(TenantPortError)

  /// `.applied` for a success, `.refused` for a failure: for ports whose every answer is definite.
  public init(_ result: Result<Void, TenantPortError>) {
    switch result {
    case .success: self = .applied
    case .failure(let error): self = .refused(error)
    }
  }
}

/// What the executor needs from a tenant. The CLI's Wiring joins GraphClient to it; tests use an
/// in-memory tenant.
public protocol TenantPort: Sendable {
  /// Current state of each id (batched by the adapter). Ids the tenant doesn't know are absent.
  func readUsers(ids: [String]) async throws -> [String: CloudUserState]
  /// Applies the changes (the adapter batches, throttles, retries); one outcome per change, in
  /// order. An answer that does not say whether the change took is `.unknown`, never `.refused`.
  func write(_ changes: [UserChange]) async throws -> [WriteOutcome]
}
