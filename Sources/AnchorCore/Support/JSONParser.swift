/// A strict RFC 8259 parser for the JSON this package writes (integers only; no fractions or
/// exponents, which plans never contain). Errors carry the byte offset.
public struct JSONParser {
  public struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public var description: String { "\(message) at byte \(offset)" }
  }

  private let units: [UInt8]
  private var index = 0
  private var depth = 0

  public static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
    var parser = JSONParser(units: bytes)
    parser.skipSpace()
    let value = try parser.parseValue()
    parser.skipSpace()
    guard parser.index == bytes.count else { throw parser.fail("trailing characters after JSON") }
    return value
  }

  private init(units: [UInt8]) { self.units = units }

  private func fail(_ message: String) -> Failure { Failure(offset: index, message: message) }

  private mutating func skipSpace() {
    while index < units.count,
      units[index] == 0x20 || units[index] == 0x0a || units[index] == 0x0d || units[index] == 0x09
    {
      index += 1
    }
  }

  private mutating func expect(_ literal: String, _ value: JSONValue) throws(Failure) -> JSONValue {
    let bytes = Array(literal.utf8)
    guard index + bytes.count <= units.count, Array(units[index..<index + bytes.count]) == bytes
    else { throw fail("invalid literal") }
    index += bytes.count
    return value
  }

  private mutating func parseValue() throws(Failure) -> JSONValue {
    guard index < units.count else { throw fail("unexpected end of input (truncated?)") }
    switch units[index] {
    case UInt8(ascii: "n"): return try expect("null", .null)
    case UInt8(ascii: "t"): return try expect("true", .bool(true))
    case UInt8(ascii: "f"): return try expect("false", .bool(false))
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "["): return try parseArray()
    case UInt8(ascii: "{"): return try parseObject()
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
    default: throw fail("unexpected character")
    }
  }

  private mutating func parseNumber() throws(Failure) -> JSONValue {
    let start = index
    if units[index] == UInt8(ascii: "-") { index += 1 }
    let digitsStart = index
    while index < units.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(units[index]) {
      index += 1
    }
    guard index > digitsStart else { throw fail("invalid number") }
    if index < units.count,
      [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(units[index])
    {
      throw fail("only integers are expected")
    }
    guard let value = Int(String(decoding: units[start..<index], as: UTF8.self)) else {
      throw fail("number out of range")
    }
    return .int(value)
  }

  private mutating func parseString() throws(Failure) -> String {
    index += 1  // opening quote
    var out: [UInt8] = []
    while true {
      guard index < units.count else { throw fail("unterminated string (truncated?)") }
      let unit = units[index]
      index += 1
      switch unit {
      case UInt8(ascii: "\""):
        return String(decoding: out, as: UTF8.self)
      case UInt8(ascii: "\\"):
        guard index < units.count else { throw fail("unterminated escape") }
        let escape = units[index]
        index += 1
        switch escape {
        case UInt8(ascii: "\""): out.append(escape)
        case UInt8(ascii: "\\"): out.append(escape)
        case UInt8(ascii: "/"): out.append(escape)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0c)
        case UInt8(ascii: "n"): out.append(0x0a)
        case UInt8(ascii: "r"): out.append(0x0d)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
          var scalar = try parseHex4()
          if (0xD800..<0xDC00).contains(scalar) {
            guard index + 1 < units.count, units[index] == UInt8(ascii: "\\"),
              units[index + 1] == UInt8(ascii: "u")
            else { throw fail("unpaired surrogate") }
            index += 2
            let low = try parseHex4()
            guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate") }
            scalar = 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
          }
          guard let value = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape") }
          out.append(contentsOf: String(Character(value)).utf8)
        default: throw fail("invalid escape")
        }
      case 0..<0x20:
        throw fail("control character in string")
      default:
        out.append(unit)
      }
    }
  }

  private mutating func parseHex4() throws(Failure) -> UInt32 {
    guard index + 4 <= units.count,
      let bytes = Hex.decode(String(decoding: units[index..<index + 4], as: UTF8.self))
    else { throw fail("invalid \\u escape") }
    index += 4
    return UInt32(bytes[0]) << 8 | UInt32(bytes[1])
  }

  private mutating func nest() throws(Failure) {
    depth += 1
    guard depth <= 64 else { throw fail("nesting deeper than 64") }
  }

  private mutating func parseArray() throws(Failure) -> JSONValue {
    try nest()
    defer { depth -= 1 }
    index += 1
    var elements: [JSONValue] = []
    skipSpace()
    if index < units.count, units[index] == UInt8(ascii: "]") {
      index += 1
      return .array(elements)
    }
    while true {
      skipSpace()
      elements.append(try parseValue())
      skipSpace()
      guard index < units.count else { throw fail("unterminated array (truncated?)") }
      if units[index] == UInt8(ascii: ",") {
        index += 1
      } else if units[index] == UInt8(ascii: "]") {
        index += 1
        return .array(elements)
      } else {
        throw fail("expected ',' or ']'")
      }
    }
  }

  private mutating func parseObject() throws(Failure) -> JSONValue {
    try nest()
    defer { depth -= 1 }
    index += 1
    var members: [JSONMember] = []
    var seen = Set<String>()
    skipSpace()
    if index < units.count, units[index] == UInt8(ascii: "}") {
      index += 1
      return .object(members)
    }
    while true {
      skipSpace()
      guard index < units.count, units[index] == UInt8(ascii: "\"") else {
        throw fail("expected a member name")
      }
      let key = try parseString()
      guard seen.insert(key).inserted else { throw fail("duplicate member '\(key)'") }
      skipSpace()
      guard index < units.count, units[index] == UInt8(ascii: ":") else {
        throw fail("expected ':'")
      }
      index += 1
      skipSpace()
      members.append(JSONMember(key, try parseValue()))
      skipSpace()
      guard index < units.count else { throw fail("unterminated object (truncated?)") }
      if units[index] == UInt8(ascii: ",") {
        index += 1
      } else if units[index] == UInt8(ascii: "}") {
        index += 1
        return .object(members)
      } else {
        throw fail("expected ',' or '}'")
      }
    }
  }
}
