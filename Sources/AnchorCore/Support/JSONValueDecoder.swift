/// Reads a `Decodable` value from a `JSONValue` as Foundation's `JSONDecoder` reads it (`null` or
/// an absent member is nil), so AnchorCore reads Codable file formats without Foundation.
enum JSONValueDecoder {
  static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
    try ValueDecoder(value: value, codingPath: []).decodeValue(type)
  }
}

private struct ValueDecoder: Decoder {
  let value: JSONValue
  let codingPath: [any CodingKey]
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
    guard case .object(let members) = value else { throw mismatch("an object") }
    var byKey: [String: JSONValue] = [:]
    for member in members { byKey[member.key] = member.value }
    return KeyedDecodingContainer(KeyedReader<Key>(members: byKey, codingPath: codingPath))
  }

  func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
    guard case .array(let elements) = value else { throw mismatch("an array") }
    return UnkeyedReader(elements: elements, codingPath: codingPath)
  }

  func singleValueContainer() throws -> any SingleValueDecodingContainer {
    SingleValueReader(decoder: self)
  }

  func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
    if type == String.self {
      guard case .string(let text) = value, let typed = text as? T else {
        throw mismatch("a string")
      }
      return typed
    }
    if type == Bool.self {
      guard case .bool(let flag) = value, let typed = flag as? T else {
        throw mismatch("a boolean")
      }
      return typed
    }
    if let integer = type as? any BinaryInteger.Type {
      guard case .int(let number) = value, let typed = Self.exactly(integer, number) as? T else {
        throw mismatch("an integer that fits \(type)")
      }
      return typed
    }
    if type is any BinaryFloatingPoint.Type {
      throw mismatch("a number (JSONValue holds integers)")
    }
    return try T(from: self)
  }

  private static func exactly<I: BinaryInteger>(_ type: I.Type, _ number: Int) -> I? {
    I(exactly: number)
  }

  func mismatch(_ expected: String) -> DecodingError {
    DecodingError.typeMismatch(
      Any.self, .init(codingPath: codingPath, debugDescription: "expected \(expected)"))
  }
}

private struct KeyedReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
  let members: [String: JSONValue]
  let codingPath: [any CodingKey]

  var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

  func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

  func decodeNil(forKey key: Key) throws -> Bool { try decoder(key).value == .null }

  func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
    try decoder(key).decodeValue(type)
  }

  func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key)
    throws -> KeyedDecodingContainer<NestedKey>
  {
    try decoder(key).container(keyedBy: type)
  }

  func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
    try decoder(key).unkeyedContainer()
  }

  func superDecoder() throws -> any Decoder {
    ValueDecoder(
      value: members["super"] ?? .null,
      codingPath: codingPath + [JSONCodingKey(stringValue: "super")])
  }

  func superDecoder(forKey key: Key) throws -> any Decoder {
    ValueDecoder(value: members[key.stringValue] ?? .null, codingPath: codingPath + [key])
  }

  private func decoder(_ key: Key) throws -> ValueDecoder {
    guard let value = members[key.stringValue] else {
      throw DecodingError.keyNotFound(
        key, .init(codingPath: codingPath, debugDescription: "\(key.stringValue) is missing"))
    }
    return ValueDecoder(value: value, codingPath: codingPath + [key])
  }
}

private struct UnkeyedReader: UnkeyedDecodingContainer {
  let elements: [JSONValue]
  let codingPath: [any CodingKey]
  var currentIndex = 0

  init(elements: [JSONValue], codingPath: [any CodingKey]) {
    self.elements = elements
    self.codingPath = codingPath
  }

  var count: Int? { elements.count }
  var isAtEnd: Bool { currentIndex >= elements.count }

  mutating func decodeNil() throws -> Bool {
    guard try peek().value == .null else { return false }
    currentIndex += 1
    return true
  }

  mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
    let value = try peek().decodeValue(type)
    currentIndex += 1
    return value
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
    -> KeyedDecodingContainer<NestedKey>
  {
    let container = try peek().container(keyedBy: type)
    currentIndex += 1
    return container
  }

  mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
    let container = try peek().unkeyedContainer()
    currentIndex += 1
    return container
  }

  mutating func superDecoder() throws -> any Decoder {
    let decoder = try peek()
    currentIndex += 1
    return decoder
  }

  private func peek() throws -> ValueDecoder {
    let path = codingPath + [JSONCodingKey(intValue: currentIndex)]
    guard !isAtEnd else {
      throw DecodingError.valueNotFound(
        Any.self, .init(codingPath: path, debugDescription: "the array has no more elements"))
    }
    return ValueDecoder(value: elements[currentIndex], codingPath: path)
  }
}

private struct SingleValueReader: SingleValueDecodingContainer {
  let decoder: ValueDecoder
  var codingPath: [any CodingKey] { decoder.codingPath }

  func decodeNil() -> Bool { decoder.value == .null }

  func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(type) }
}
