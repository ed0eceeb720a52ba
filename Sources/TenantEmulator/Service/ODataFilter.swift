/// The small `$filter` language the emulator understands: clauses joined by `and`, each one of
/// `prop eq literal`, `prop in (literal, …)`, `startswith(prop,'x')`, `coll/any(x:x eq 'v')`.
struct ODataFilter: Sendable, Equatable {
  enum Clause: Sendable, Equatable {
    case equals(String, JSONValue)
    case isIn(String, [JSONValue])
    case startsWith(String, String)
    case any(String, String)

    var property: String {
      switch self {
      case .equals(let p, _), .isIn(let p, _), .startsWith(let p, _), .any(let p, _): return p
      }
    }
  }

  let clauses: [Clause]

  struct SyntaxError: Error {
    let message: String
  }

  private enum Token: Equatable {
    case word(String)
    case literal(String)
    case open, close, comma, colon
  }

  init(_ text: String) throws {
    var parser = Parser(tokens: try Self.tokenize(text))
    var clauses = [try parser.clause()]
    while !parser.atEnd {
      guard case .word(let word) = parser.next(), word.lowercased() == "and" else {
        throw SyntaxError(message: "Invalid filter clause")
      }
      clauses.append(try parser.clause())
    }
    self.clauses = clauses
  }

  private static func tokenize(_ text: String) throws -> [Token] {
    var tokens: [Token] = []
    var index = text.startIndex
    while index < text.endIndex {
      let character = text[index]
      switch character {
      case " ", "\t":
        index = text.index(after: index)
      case "(":
        tokens.append(.open)
        index = text.index(after: index)
      case ")":
        tokens.append(.close)
        index = text.index(after: index)
      case ",":
        tokens.append(.comma)
        index = text.index(after: index)
      case ":":
        tokens.append(.colon)
        index = text.index(after: index)
      case "'":
        var value = ""
        index = text.index(after: index)
        var closed = false
        while index < text.endIndex {
          if text[index] == "'" {
            let next = text.index(after: index)
            if next < text.endIndex, text[next] == "'" {
              value.append("'")
              index = text.index(after: next)
              continue
            }
            index = next
            closed = true
            break
          }
          value.append(text[index])
          index = text.index(after: index)
        }
        guard closed else { throw SyntaxError(message: "Unterminated string literal in $filter") }
        tokens.append(.literal(value))
      default:
        var word = ""
        while index < text.endIndex, !" \t(),:'".contains(text[index]) {
          word.append(text[index])
          index = text.index(after: index)
        }
        tokens.append(.word(word))
      }
    }
    return tokens
  }

  private struct Parser {
    var tokens: [Token]
    var position = 0

    var atEnd: Bool { position >= tokens.count }

    mutating func next() -> Token? {
      guard position < tokens.count else { return nil }
      defer { position += 1 }
      return tokens[position]
    }

    mutating func expect(_ token: Token) throws {
      guard next() == token else { throw SyntaxError(message: "Invalid filter clause") }
    }

    mutating func word() throws -> String {
      guard case .word(let word) = next() else {
        throw SyntaxError(message: "Invalid filter clause")
      }
      return word
    }

    mutating func literal() throws -> JSONValue {
      switch next() {
      case .literal(let value): return .string(value)
      case .word("true"): return .bool(true)
      case .word("false"): return .bool(false)
      case .word("null"): return .null
      default: throw SyntaxError(message: "Invalid filter clause: expected a literal")
      }
    }

    mutating func clause() throws -> Clause {
      let first = try word()
      if first.lowercased() == "startswith" {
        try expect(.open)
        let property = try word()
        try expect(.comma)
        guard case .string(let prefix) = try literal() else {
          throw SyntaxError(message: "startswith needs a string")
        }
        try expect(.close)
        return .startsWith(property, prefix)
      }
      if first.hasSuffix("/any") {
        let collection = String(first.dropLast(4))
        try expect(.open)
        let variable = try word()
        try expect(.colon)
        guard try word() == variable, try word().lowercased() == "eq",
          case .string(let value) = try literal()
        else { throw SyntaxError(message: "Invalid lambda in $filter") }
        try expect(.close)
        return .any(collection, value)
      }
      let operation = try word().lowercased()
      switch operation {
      case "eq": return .equals(first, try literal())
      case "in":
        try expect(.open)
        var values = [try literal()]
        while true {
          switch next() {
          case .comma: values.append(try literal())
          case .close: return .isIn(first, values)
          default: throw SyntaxError(message: "Invalid 'in' list in $filter")
          }
        }
      default:
        throw SyntaxError(message: "Unsupported operator '\(operation)' in $filter")
      }
    }
  }
}

/// Which filter forms a collection supports, and how strings compare.
struct FilterSupport: Sendable {
  let resource: String
  /// Properties allowed in eq/in; the bool says whether string comparison is case-sensitive.
  let equality: [String: Bool]
  let startsWith: Set<String>
  let lambdas: Set<String>
  /// eq null is only supported with ConsistencyLevel: eventual (advanced query) for these.
  let nullNeedsAdvanced: Set<String>
  /// eq null is never supported for these.
  let nullUnsupported: Set<String>

  static let users = FilterSupport(
    resource: "User",
    equality: [
      "id": false, "userPrincipalName": false, "mail": false, "mailNickname": false,
      "displayName": false, "onPremisesImmutableId": true, "onPremisesSyncEnabled": false,
      "onPremisesSecurityIdentifier": false, "accountEnabled": false, "employeeId": false,
      "userType": false,
    ],
    startsWith: [
      "userPrincipalName", "mail", "displayName", "mailNickname", "givenName", "surname",
    ],
    lambdas: ["proxyAddresses", "otherMails"],
    nullNeedsAdvanced: ["onPremisesSyncEnabled", "mail", "employeeId"],
    nullUnsupported: ["onPremisesImmutableId", "userPrincipalName", "id"])

  static let groups = FilterSupport(
    resource: "Group",
    equality: [
      "id": false, "displayName": false, "mail": false, "mailNickname": false,
      "mailEnabled": false, "securityEnabled": false, "onPremisesSyncEnabled": false,
      "onPremisesSecurityIdentifier": false, "isAssignableToRole": false,
    ],
    startsWith: ["displayName", "mail", "mailNickname"],
    lambdas: ["proxyAddresses", "groupTypes"],
    nullNeedsAdvanced: ["onPremisesSyncEnabled", "mail"],
    nullUnsupported: ["id"])

  static let roleAssignments = FilterSupport(
    resource: "UnifiedRoleAssignment",
    equality: ["principalId": false, "roleDefinitionId": false, "id": false],
    startsWith: [], lambdas: [], nullNeedsAdvanced: [], nullUnsupported: ["principalId"])

  private func unsupported(_ property: String) -> GraphFailure {
    GraphFailure(
      status: 400, code: "Request_UnsupportedQuery",
      message:
        "Unsupported or invalid query filter clause specified for property '\(property)' of resource '\(resource)'."
    )
  }

  /// Rejects clauses Graph would reject for this collection.
  func check(_ filter: ODataFilter, advanced: Bool) throws {
    for clause in filter.clauses {
      switch clause {
      case .equals(let property, let value):
        guard equality[property] != nil else { throw unsupported(property) }
        if value.isNull {
          if nullUnsupported.contains(property) { throw unsupported(property) }
          if nullNeedsAdvanced.contains(property) && !advanced { throw unsupported(property) }
        }
      case .isIn(let property, _):
        guard equality[property] != nil else { throw unsupported(property) }
      case .startsWith(let property, _):
        guard startsWith.contains(property) else { throw unsupported(property) }
      case .any(let property, _):
        guard lambdas.contains(property) else { throw unsupported(property) }
      }
    }
  }

  func matches(_ object: JSONObject, _ filter: ODataFilter) -> Bool {
    filter.clauses.allSatisfy { clause in
      switch clause {
      case .equals(let property, let value):
        return equal(object[property] ?? .null, value, caseSensitive: equality[property] ?? false)
      case .isIn(let property, let values):
        return values.contains {
          equal(object[property] ?? .null, $0, caseSensitive: equality[property] ?? false)
        }
      case .startsWith(let property, let prefix):
        return object.string(property)?.lowercased().hasPrefix(prefix.lowercased()) ?? false
      case .any(let property, let value):
        return object.strings(property).contains { $0.lowercased() == value.lowercased() }
      }
    }
  }

  private func equal(_ actual: JSONValue, _ expected: JSONValue, caseSensitive: Bool) -> Bool {
    if case .string(let a) = actual, case .string(let b) = expected, !caseSensitive {
      return a.lowercased() == b.lowercased()
    }
    return actual == expected
  }
}
