/// Which `$filter` forms a collection supports, which of them need an advanced query
/// (`ConsistencyLevel: eventual` and `$count=true`), and how strings compare — from the
/// property tables of Graph's advanced-query documentation.
struct FilterSupport: Sendable {
  enum Operation: Sendable, Hashable {
    /// `eq` and `in` (and, as advanced queries, `ne` and `not`).
    case equality
    case startsWith
    case endsWith
    /// `ge`, `le`, `gt`, `lt`.
    case range
  }

  /// How one property may be filtered: each operation maps to whether it needs an advanced
  /// query.
  struct Property: Sendable {
    var operations: [Operation: Bool]
    var caseSensitive = false
    /// `eq null`: nil = never supported, false = default, true = advanced only.
    var nullNeedsAdvanced: Bool?
  }

  let resource: String
  let properties: [String: Property]
  /// Collections filtered through `any()`, with the operations allowed on their items.
  let lambdas: [String: [Operation: Bool]]
  /// Whether the collection serves advanced queries at all (directory objects do).
  let advancedQueries: Bool

  /// eq/in and startsWith by default, endsWith as an advanced query.
  private static let text: Property = Property(
    operations: [.equality: false, .startsWith: false, .endsWith: true])
  private static let exact: Property = Property(operations: [.equality: false])
  private static let exactNullAdvanced: Property = Property(
    operations: [.equality: false], nullNeedsAdvanced: true)
  private static let timestamp: Property = Property(
    operations: [.equality: false, .range: false], nullNeedsAdvanced: true)

  static let users = FilterSupport(
    resource: "User",
    properties: [
      "id": exact, "userPrincipalName": text,
      "mail": Property(
        operations: [.equality: false, .startsWith: false, .endsWith: true],
        nullNeedsAdvanced: true),
      "mailNickname": text, "displayName": text, "givenName": text, "surname": text,
      "onPremisesImmutableId": Property(operations: [.equality: false], caseSensitive: true),
      "onPremisesSyncEnabled": exactNullAdvanced, "onPremisesSecurityIdentifier": exact,
      "onPremisesSamAccountName": Property(
        operations: [.equality: true, .startsWith: true, .endsWith: true]),
      "onPremisesLastSyncDateTime": timestamp, "accountEnabled": exact,
      "employeeId": Property(
        operations: [.equality: false, .startsWith: false], nullNeedsAdvanced: true),
      "userType": exact,
    ],
    lambdas: [
      "proxyAddresses": [.equality: false, .startsWith: false, .endsWith: true],
      "otherMails": [.equality: false, .startsWith: false, .endsWith: true],
    ], advancedQueries: true)

  static let groups = FilterSupport(
    resource: "Group",
    properties: [
      "id": exact, "displayName": text,
      "mail": Property(
        operations: [.equality: false, .startsWith: false, .endsWith: true],
        nullNeedsAdvanced: true),
      "mailNickname": text, "mailEnabled": exact, "securityEnabled": exact,
      "onPremisesSyncEnabled": exactNullAdvanced, "onPremisesSecurityIdentifier": exact,
      "isAssignableToRole": exact,
      "onPremisesSamAccountName": Property(operations: [.equality: true, .startsWith: true]),
      "onPremisesLastSyncDateTime": timestamp,
    ],
    lambdas: [
      "proxyAddresses": [.equality: false, .startsWith: false, .endsWith: true],
      "groupTypes": [.equality: false],
    ], advancedQueries: true)

  static let roleAssignments = FilterSupport(
    resource: "UnifiedRoleAssignment",
    properties: ["principalId": exact, "roleDefinitionId": exact, "id": exact],
    lambdas: [:], advancedQueries: false)

  private func unsupported(_ property: String) -> GraphFailure {
    GraphFailure(
      status: 400, code: "Request_UnsupportedQuery",
      message:
        "Unsupported or invalid query filter clause specified for property '\(property)' of resource '\(resource)'."
    )
  }

  private func needsAdvanced(_ operation: String) -> GraphFailure {
    GraphFailure(
      status: 400, code: "Request_UnsupportedQuery",
      message:
        "Operator '\(operation)' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information"
    )
  }

  /// Rejects what Graph rejects. `advanced` is the ConsistencyLevel header; `counted` is
  /// `$count=true`, which `ne`, `not` and `endsWith` need as well.
  func check(_ filter: ODataFilter, advanced: Bool, counted: Bool) throws {
    try check(filter.root, advanced: advanced, counted: counted, lambda: nil)
  }

  private func check(
    _ expression: ODataFilter.Expression, advanced: Bool, counted: Bool,
    lambda: (variable: String, operations: [Operation: Bool], collection: String)?
  ) throws {
    let full = advanced && counted && advancedQueries
    /// Checks one operation on a property (or on the lambda's variable).
    func allow(_ property: String, _ operation: Operation, name: String) throws {
      let needsAdvanced: Bool?
      if let lambda, property == lambda.variable {
        needsAdvanced = lambda.operations[operation]
        guard needsAdvanced != nil else { throw unsupported(lambda.collection) }
      } else {
        needsAdvanced = properties[property]?.operations[operation]
        guard needsAdvanced != nil else { throw unsupported(property) }
      }
      if needsAdvanced == true {
        guard advancedQueries else { throw unsupported(property) }
        if operation == .endsWith {
          guard full else { throw self.needsAdvanced(name) }
        } else if !advanced {
          throw unsupported(property)
        }
      }
    }
    switch expression {
    case .and(let left, let right), .or(let left, let right):
      try check(left, advanced: advanced, counted: counted, lambda: lambda)
      try check(right, advanced: advanced, counted: counted, lambda: lambda)
    case .not(let inner):
      guard full else { throw needsAdvanced("Not") }
      try check(inner, advanced: advanced, counted: counted, lambda: lambda)
    case .compare(let property, let comparison, let value):
      switch comparison {
      case .eq, .ne:
        if comparison == .ne, !full { throw needsAdvanced("NotEquals") }
        try allow(property, .equality, name: comparison.rawValue)
        if value.isNull, lambda == nil {
          switch properties[property]?.nullNeedsAdvanced {
          case .none: throw unsupported(property)
          case .some(true): if !advanced { throw unsupported(property) }
          case .some(false): break
          }
        }
      case .ge, .le, .gt, .lt:
        try allow(property, .range, name: comparison.rawValue)
      }
    case .isIn(let property, _):
      try allow(property, .equality, name: "in")
    case .function(let function, let property, _):
      try allow(
        property, function == .startsWith ? .startsWith : .endsWith, name: function.rawValue)
    case .any(let collection, let variable, let body):
      guard lambda == nil, let operations = lambdas[collection] else {
        throw unsupported(collection)
      }
      try check(
        body, advanced: advanced, counted: counted,
        lambda: (variable, operations, collection))
    }
  }

  func matches(_ object: JSONObject, _ filter: ODataFilter) -> Bool {
    evaluate(filter.root, object, binding: nil)
  }

  private func evaluate(
    _ expression: ODataFilter.Expression, _ object: JSONObject,
    binding: (variable: String, value: JSONValue)?
  ) -> Bool {
    func value(_ property: String) -> JSONValue {
      if let binding, binding.variable == property { return binding.value }
      return object[property] ?? .null
    }
    func sensitive(_ property: String) -> Bool { properties[property]?.caseSensitive ?? false }
    switch expression {
    case .and(let left, let right):
      return evaluate(left, object, binding: binding) && evaluate(right, object, binding: binding)
    case .or(let left, let right):
      return evaluate(left, object, binding: binding) || evaluate(right, object, binding: binding)
    case .not(let inner):
      return !evaluate(inner, object, binding: binding)
    case .compare(let property, let comparison, let expected):
      let actual = value(property)
      switch comparison {
      case .eq: return equal(actual, expected, caseSensitive: sensitive(property))
      case .ne: return !equal(actual, expected, caseSensitive: sensitive(property))
      case .ge, .le, .gt, .lt:
        guard let order = compare(actual, expected) else { return false }
        switch comparison {
        case .ge: return order >= 0
        case .le: return order <= 0
        case .gt: return order > 0
        default: return order < 0
        }
      }
    case .isIn(let property, let values):
      return values.contains { equal(value(property), $0, caseSensitive: sensitive(property)) }
    case .function(let function, let property, let text):
      guard let actual = value(property).stringValue?.lowercased() else { return false }
      return function == .startsWith
        ? actual.hasPrefix(text.lowercased()) : actual.hasSuffix(text.lowercased())
    case .any(let collection, let variable, let body):
      return (object[collection]?.arrayValue ?? []).contains {
        evaluate(body, object, binding: (variable, $0))
      }
    }
  }

  private func equal(_ actual: JSONValue, _ expected: JSONValue, caseSensitive: Bool) -> Bool {
    if case .string(let a) = actual, case .string(let b) = expected, !caseSensitive {
      return a.lowercased() == b.lowercased()
    }
    return actual == expected
  }

  /// Orders strings (ISO 8601 timestamps order as text) and numbers; nil when incomparable.
  private func compare(_ actual: JSONValue, _ expected: JSONValue) -> Int? {
    switch (actual, expected) {
    case (.string(let a), .string(let b)): return a < b ? -1 : a == b ? 0 : 1
    case (.number(let a), .number(let b)): return a < b ? -1 : a == b ? 0 : 1
    default: return nil
    }
  }
}
