/// A JSON document as values, with a deterministic writer and a strict parser.
///
/// AnchorCore imports no Foundation, so plans are written and read with this. Objects keep their
/// members as a list; the writer sorts them by key (UTF-8 byte order), so the same value always
/// gives the same bytes. Numbers are integers only: plans hold no fractions.
public indirect enum JSONValue: Hashable, Sendable {
  case null
  case bool(Bool)
  case int(Int)
  case string(String)
  case array([JSONValue])
  case object([JSONMember])

  /// The member `key` of an object (nil when absent or not an object).
  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first(where: { $0.key == key })?.value
  }
}

public struct JSONMember: Hashable, Sendable {
  public var key: String
  public var value: JSONValue
  public init(_ key: String, _ value: JSONValue) {
    self.key = key
    self.value = value
  }
}

extension JSONValue {
  /// An object from members whose nil values are left out.
  static func object(omittingNil members: [(String, JSONValue?)]) -> JSONValue {
    .object(members.compactMap { key, value in value.map { JSONMember(key, $0) } })
  }

  static func string(_ text: String?) -> JSONValue? { text.map { .string($0) } }
  static func nullable(_ text: String?) -> JSONValue { text.map { .string($0) } ?? .null }
  static func nullable(_ flag: Bool?) -> JSONValue { flag.map { .bool($0) } ?? .null }
}

/// Writes JSON text: sorted keys, `pretty` = two-space indentation and a final newline.
public struct JSONWriter {
  public var output: [UInt8] = []
  let pretty: Bool

  public init(pretty: Bool) { self.pretty = pretty }

  public static func encode(_ value: JSONValue, pretty: Bool) -> [UInt8] {
    var writer = JSONWriter(pretty: pretty)
    writer.write(value, depth: 0)
    if pretty { writer.output.append(UInt8(ascii: "\n")) }
    return writer.output
  }

  mutating func write(_ value: JSONValue, depth: Int) {
    switch value {
    case .null: output.append(contentsOf: "null".utf8)
    case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
    case .int(let number): output.append(contentsOf: String(number).utf8)
    case .string(let text): writeString(text)
    case .array(let elements):
      if elements.isEmpty {
        output.append(contentsOf: "[]".utf8)
        return
      }
      output.append(UInt8(ascii: "["))
      for (index, element) in elements.enumerated() {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        newline(depth + 1)
        write(element, depth: depth + 1)
      }
      newline(depth)
      output.append(UInt8(ascii: "]"))
    case .object(let members):
      if members.isEmpty {
        output.append(contentsOf: "{}".utf8)
        return
      }
      output.append(UInt8(ascii: "{"))
      // Planners build members in key order already; sorting is only the fallback.
      let inOrder = zip(members, members.dropFirst()).allSatisfy {
        JSONWriter.precedes($0.key, $1.key)
      }
      let sorted = inOrder ? members : members.sorted { JSONWriter.precedes($0.key, $1.key) }
      for (index, member) in sorted.enumerated() {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        newline(depth + 1)
        writeString(member.key)
        output.append(contentsOf: (pretty ? ": " : ":").utf8)
        write(member.value, depth: depth + 1)
      }
      newline(depth)
      output.append(UInt8(ascii: "}"))
    }
  }

  /// Key order: UTF-8 bytes (the same as Foundation's `.sortedKeys` for ASCII keys).
  static func precedes(_ lhs: String, _ rhs: String) -> Bool {
    lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
  }

  mutating func newline(_ depth: Int) {
    guard pretty else { return }
    output.append(UInt8(ascii: "\n"))
    output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
  }

  mutating func writeString(_ text: String) {
    output.append(UInt8(ascii: "\""))
    var text = text
    text.withUTF8 { units in
      var start = 0
      for index in 0..<units.count {
        let unit = units[index]
        guard unit < 0x20 || unit == UInt8(ascii: "\"") || unit == UInt8(ascii: "\\") else {
          continue
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: units[start..<index]))
        start = index + 1
        switch unit {
        case UInt8(ascii: "\""): output.append(contentsOf: "\\\"".utf8)
        case UInt8(ascii: "\\"): output.append(contentsOf: "\\\\".utf8)
        case UInt8(ascii: "\n"): output.append(contentsOf: "\\n".utf8)
        case UInt8(ascii: "\r"): output.append(contentsOf: "\\r".utf8)
        case UInt8(ascii: "\t"): output.append(contentsOf: "\\t".utf8)
        default:
          output.append(contentsOf: "\\u00".utf8)
          output.append(contentsOf: Hex.byte(unit).utf8)
        }
      }
      output.append(contentsOf: UnsafeBufferPointer(rebasing: units[start..<units.count]))
    }
    output.append(UInt8(ascii: "\""))
  }
}
