import Foundation

/// Any JSON value. Request bodies are built as `JSONValue` so the bytes on the wire are exactly
/// what the builder wrote (an explicit `null` stays `null`) and `$batch` can embed them as-is.
public enum JSONValue: Sendable, Equatable, Codable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  public init(from decoder: any Decoder) throws {
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

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .null: try container.encodeNil()
    case .bool(let value): try container.encode(value)
    case .number(let value):
      if value.rounded() == value, abs(value) < 1e15 {
        try container.encode(Int64(value))
      } else {
        try container.encode(value)
      }
    case .string(let value): try container.encode(value)
    case .array(let value): try container.encode(value)
    case .object(let value): try container.encode(value)
    }
  }

  /// Compact UTF-8 with sorted keys and unescaped slashes: stable bytes for tests and logs.
  public func encoded() -> Data {
    // Encoding a JSONValue can't fail: every case maps to a JSON primitive.
    (try? JSONCoding.encoder.encode(self)) ?? Data("null".utf8)
  }

  public subscript(key: String) -> JSONValue? {
    if case .object(let object) = self { return object[key] }
    return nil
  }

  public var stringValue: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  /// Decodes this value as `T` (e.g. a `$batch` item body as a `GraphUser`).
  public func decode<T: Decodable>(_ type: T.Type) throws -> T {
    try JSONCoding.decoder.decode(T.self, from: encoded())
  }
}

enum JSONCoding {
  static var encoder: JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }

  static var decoder: JSONDecoder { JSONDecoder() }
}
