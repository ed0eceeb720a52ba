import Foundation

/// A JSON document as a Sendable value: Graph objects are open property bags keyed by Graph's own
/// property names, so the store keeps them as JSON rather than as fixed Swift types.
enum JSONValue: Sendable, Equatable, Codable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let value = try? container.decode(Bool.self) {
      self = .bool(value)
    } else if let value = try? container.decode(Double.self) {
      self = .number(value)
    } else if let value = try? container.decode(String.self) {
      self = .string(value)
    } else if let value = try? container.decode([JSONValue].self) {
      self = .array(value)
    } else {
      self = .object(try container.decode([String: JSONValue].self))
    }
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .null: try container.encodeNil()
    case .bool(let value): try container.encode(value)
    case .number(let value):
      // Integral numbers are written without a fraction, as Graph writes them.
      if value.rounded() == value, abs(value) < 9.0e15 {
        try container.encode(Int64(value))
      } else {
        try container.encode(value)
      }
    case .string(let value): try container.encode(value)
    case .array(let value): try container.encode(value)
    case .object(let value): try container.encode(value)
    }
  }

  var stringValue: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  var boolValue: Bool? {
    if case .bool(let value) = self { return value }
    return nil
  }

  var arrayValue: [JSONValue]? {
    if case .array(let value) = self { return value }
    return nil
  }

  var objectValue: [String: JSONValue]? {
    if case .object(let value) = self { return value }
    return nil
  }

  var isNull: Bool { self == .null }

  /// The strings of an array value; nil when this is not an array of strings.
  var stringArray: [String]? {
    guard let items = arrayValue else { return nil }
    var strings: [String] = []
    for item in items {
      guard let string = item.stringValue else { return nil }
      strings.append(string)
    }
    return strings
  }

  /// The JSON type name used in validation messages.
  var typeName: String {
    switch self {
    case .null: return "null"
    case .bool: return "boolean"
    case .number: return "number"
    case .string: return "string"
    case .array: return "array"
    case .object: return "object"
    }
  }
}

typealias JSONObject = [String: JSONValue]

enum JSONCoding {
  static func decode(_ data: Data) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: data)
  }

  static func encode(_ value: JSONValue, pretty: Bool = false) -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting =
      pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.withoutEscapingSlashes]
    // Encoding a JSONValue cannot fail: every case maps to a JSON primitive.
    return (try? encoder.encode(value)) ?? Data("null".utf8)
  }

  static func strings(_ values: [String]) -> JSONValue {
    .array(values.map { .string($0) })
  }
}
