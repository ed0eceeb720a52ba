/// A non-empty `onPremisesImmutableId` value. There is no way to build one from `""`, so a clear
/// can only be spelled `.clear` and is sent as JSON `null` (graph-facts §1: never `""`).
public struct ImmutableID: Sendable, Hashable, CustomStringConvertible {
  public let value: String

  /// Refuses empty text, whitespace/control characters and the `$`/`_` Graph forbids.
  public init(_ value: String) throws(GraphError) {
    guard !value.isEmpty else {
      throw .invalidInput("onPremisesImmutableId", value, "empty; use .clear to remove the anchor")
    }
    if let bad = value.unicodeScalars.first(where: {
      $0 == "$" || $0 == "_" || $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F
    }) {
      throw .invalidInput(
        "onPremisesImmutableId", value,
        "contains the forbidden character U+\(String(bad.value, radix: 16, uppercase: true))")
    }
    self.value = value
  }

  public var description: String { value }
}

/// What a PATCH does to `onPremisesImmutableId`.
public enum ImmutableIDChange: Sendable, Hashable {
  case set(ImmutableID)
  /// Sent as `"onPremisesImmutableId": null`.
  case clear

  var json: JSONValue {
    switch self {
    case .set(let id): .string(id.value)
    case .clear: .null
    }
  }

  /// The value a read-back should show afterwards.
  public var expectedValue: String? {
    switch self {
    case .set(let id): id.value
    case .clear: nil
    }
  }
}

/// A PATCH body for `/users/{id}`; only the anchor and the UPN are ever written, alone or
/// together (moving into a federated domain needs both in one request, graph-facts §1).
public struct UserPatch: Sendable, Hashable {
  public var immutableID: ImmutableIDChange?
  public var userPrincipalName: String?

  public init(immutableID: ImmutableIDChange? = nil, userPrincipalName: String? = nil) {
    self.immutableID = immutableID
    self.userPrincipalName = userPrincipalName
  }

  public var body: JSONValue {
    var object: [String: JSONValue] = [:]
    if let immutableID { object["onPremisesImmutableId"] = immutableID.json }
    if let userPrincipalName { object["userPrincipalName"] = .string(userPrincipalName) }
    return .object(object)
  }
}
