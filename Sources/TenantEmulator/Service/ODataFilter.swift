/// A `$filter` expression: comparisons (`eq`, `ne`, `ge`, `le`, `gt`, `lt`), `in`,
/// `startsWith` / `endsWith`, lambdas (`coll/any(x: …)`), joined by `and`, `or`, `not` and
/// parentheses. Operator and function names are case-insensitive, as Graph reads them.
struct ODataFilter: Sendable, Equatable {
  enum Comparison: String, Sendable, Equatable {
    case eq, ne, ge, le, gt, lt
  }

  enum StringFunction: String, Sendable, Equatable {
    case startsWith = "startswith"
    case endsWith = "endswith"
  }

  indirect enum Expression: Sendable, Equatable {
    case and(Expression, Expression)
    case or(Expression, Expression)
    case not(Expression)
    /// `property op literal`; inside a lambda the property is the range variable.
    case compare(String, Comparison, JSONValue)
    case isIn(String, [JSONValue])
    case function(StringFunction, String, String)
    /// `collection/any(variable: body)`.
    case any(String, variable: String, body: Expression)
  }

  let root: Expression

  struct SyntaxError: Error {
    let message: String
  }

  enum Token: Equatable {
    case word(String)
    case literal(String)
    case open, close, comma, colon
  }

  init(_ text: String) throws {
    var parser = Parser(tokens: try Self.tokenize(text))
    root = try parser.expression()
    guard parser.atEnd else { throw SyntaxError(message: "Invalid filter clause") }
  }

  private static func tokenize(_ text: String) throws -> [Token] {
    var tokens: [Token] = []
    var index = text.startIndex
    while index < text.endIndex {
      let character = text[index]
      switch character {
      case " ", "\t":
        index = text.index(after: index)
      case "(", ")", ",", ":":
        let token: Token =
          character == "(" ? .open : character == ")" ? .close : character == "," ? .comma : .colon
        tokens.append(token)
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
        // A word that starts with a digit is a number or a DateTimeOffset: its colons stay.
        while index < text.endIndex,
          !" \t(),'".contains(text[index])
            && (text[index] != ":" || word.first?.isNumber == true)
        {
          word.append(text[index])
          index = text.index(after: index)
        }
        tokens.append(.word(word))
      }
    }
    return tokens
  }

  /// Recursive descent: `or` binds loosest, then `and`, then `not`.
  private struct Parser {
    var tokens: [Token]
    var position = 0

    var atEnd: Bool { position >= tokens.count }

    func peek(_ offset: Int = 0) -> Token? {
      position + offset < tokens.count ? tokens[position + offset] : nil
    }

    mutating func next() -> Token? {
      guard position < tokens.count else { return nil }
      defer { position += 1 }
      return tokens[position]
    }

    mutating func expect(_ token: Token) throws {
      guard next() == token else { throw SyntaxError(message: "Invalid filter clause") }
    }

    func peekKeyword(_ keyword: String) -> Bool {
      if case .word(let word) = peek(), word.lowercased() == keyword { return true }
      return false
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
      case .word(let word):
        switch word.lowercased() {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null": return .null
        default:
          if let number = Double(word) { return .number(number) }
          // Unquoted DateTimeOffset literals, e.g. 2026-01-01T00:00:00Z.
          if word.first?.isNumber == true, word.contains("-") { return .string(word) }
          throw SyntaxError(message: "Invalid filter clause: expected a literal")
        }
      default: throw SyntaxError(message: "Invalid filter clause: expected a literal")
      }
    }

    mutating func expression() throws -> Expression {
      var left = try conjunction()
      while peekKeyword("or") {
        position += 1
        left = .or(left, try conjunction())
      }
      return left
    }

    mutating func conjunction() throws -> Expression {
      var left = try unary()
      while peekKeyword("and") {
        position += 1
        left = .and(left, try unary())
      }
      return left
    }

    mutating func unary() throws -> Expression {
      if peekKeyword("not") {
        position += 1
        return .not(try unary())
      }
      return try primary()
    }

    mutating func primary() throws -> Expression {
      if peek() == .open {
        position += 1
        let inner = try expression()
        try expect(.close)
        return inner
      }
      let first = try word()
      if let function = StringFunction(rawValue: first.lowercased()) {
        try expect(.open)
        let property = try word()
        try expect(.comma)
        guard case .string(let text) = try literal() else {
          throw SyntaxError(message: "\(first) needs a string")
        }
        try expect(.close)
        return .function(function, property, text)
      }
      if first.lowercased().hasSuffix("/any") {
        let collection = String(first.dropLast(4))
        try expect(.open)
        let variable = try word()
        try expect(.colon)
        let body = try expression()
        try expect(.close)
        return .any(collection, variable: variable, body: body)
      }
      let operation = try word().lowercased()
      if operation == "in" {
        try expect(.open)
        var values = [try literal()]
        while true {
          switch next() {
          case .comma: values.append(try literal())
          case .close: return .isIn(first, values)
          default: throw SyntaxError(message: "Invalid 'in' list in $filter")
          }
        }
      }
      guard let comparison = Comparison(rawValue: operation) else {
        throw SyntaxError(message: "Unsupported operator '\(operation)' in $filter")
      }
      return .compare(first, comparison, try literal())
    }
  }
}
