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

/// The tenant's refusal of one change: HTTP status, Graph `error.code`, its message and request id.
public struct TenantPortError: Error, Hashable, Sendable, CustomStringConvertible {
  public var status: Int?
  public var code: String?
  public var message: String
  public var requestId: String?

  public init(status: Int?, code: String?, message: String, requestId: String?) {
    self.status = status
    self.code = code
    self.message = message
    self.requestId = requestId
  }

  public var description: String {
    var text = (code.map { $0 + ": " } ?? "") + message
    var extras: [String] = []
    if let status { extras.append("HTTP \(status)") }
    if let requestId { extras.append("request-id \(requestId)") }
    if !extras.isEmpty { text += " (" + extras.joined(separator: ", ") + ")" }
    return text
  }
}

/// What the executor needs from a tenant. The CLI's Wiring joins GraphClient to it; tests use an
/// in-memory tenant.
public protocol TenantPort: Sendable {
  /// Current state of each id (batched by the adapter). Ids the tenant doesn't know are absent.
  func readUsers(ids: [String]) async throws -> [String: CloudUserState]
  /// Applies the changes (the adapter batches, throttles, retries); one result per change, in order.
  func write(_ changes: [UserChange]) async throws -> [Result<Void, TenantPortError>]
}
