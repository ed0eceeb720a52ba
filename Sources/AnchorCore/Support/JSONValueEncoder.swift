/// Turns an `Encodable` value into a `JSONValue` shaped as Foundation's `JSONEncoder` shapes it
/// (nil optionals left out, String-keyed dictionaries as objects), so AnchorCore writes Codable
/// file formats without Foundation. Numbers must be integers: `JSONValue` holds no fractions.
enum JSONValueEncoder {
  static func encode(_ value: some Encodable) throws -> JSONValue {
    let root = EncodingNode()
    try root.store(value, codingPath: [])
    return root.resolved
  }
}

/// One value being encoded: a leaf, or an object or array whose children may still be filled in.
private final class EncodingNode {
  enum Content {
    case leaf(JSONValue)
    case object([(key: String, node: EncodingNode)])
    case array([EncodingNode])
  }

  var content: Content = .object([])

  var resolved: JSONValue {
    switch content {
    case .leaf(let value): value
    case .object(let members): .object(members.map { JSONMember($0.key, $0.node.resolved) })
    case .array(let nodes): .array(nodes.map(\.resolved))
    }
  }

  func store<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
    if let leaf = try Self.primitive(value, codingPath: codingPath) {
      content = .leaf(leaf)
    } else {
      try value.encode(to: NodeEncoder(node: self, codingPath: codingPath))
    }
  }

  /// The member `key`, added when missing (a node that is not an object becomes one).
  func member(_ key: String) -> EncodingNode {
    var members: [(key: String, node: EncodingNode)] = []
    if case .object(let existing) = content { members = existing }
    if let found = members.first(where: { $0.key == key }) { return found.node }
    let node = EncodingNode()
    content = .object(members + [(key, node)])
    return node
  }

  func append() -> EncodingNode {
    var nodes: [EncodingNode] = []
    if case .array(let existing) = content { nodes = existing }
    let node = EncodingNode()
    content = .array(nodes + [node])
    return node
  }

  var count: Int {
    if case .array(let nodes) = content { return nodes.count }
    return 0
  }

  func makeObject() { if case .object = content {} else { content = .object([]) } }
  func makeArray() { if case .array = content {} else { content = .array([]) } }

  private static func primitive(_ value: Any, codingPath: [any CodingKey]) throws -> JSONValue? {
    switch value {
    case let text as String: return .string(text)
    case let flag as Bool: return .bool(flag)
    case let number as any BinaryInteger:
      guard let exact = Int(exactly: number) else {
        throw EncodingError.invalidValue(
          value, .init(codingPath: codingPath, debugDescription: "\(number) does not fit an Int"))
      }
      return .int(exact)
    case is any BinaryFloatingPoint:
      throw EncodingError.invalidValue(
        value, .init(codingPath: codingPath, debugDescription: "JSONValue holds integers only"))
    default: return nil
    }
  }
}

/// A coding key made from a name or an array position.
struct JSONCodingKey: CodingKey {
  var stringValue: String
  var intValue: Int?
  init(stringValue: String) { self.stringValue = stringValue }
  init(intValue: Int) {
    stringValue = String(intValue)
    self.intValue = intValue
  }
}

private struct NodeEncoder: Encoder {
  let node: EncodingNode
  let codingPath: [any CodingKey]
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    node.makeObject()
    return KeyedEncodingContainer(NodeKeyedContainer<Key>(node: node, codingPath: codingPath))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    node.makeArray()
    return NodeUnkeyedContainer(node: node, codingPath: codingPath)
  }

  func singleValueContainer() -> any SingleValueEncodingContainer {
    NodeSingleValueContainer(node: node, codingPath: codingPath)
  }
}

private struct NodeKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let node: EncodingNode
  let codingPath: [any CodingKey]

  mutating func encodeNil(forKey key: Key) throws {
    node.member(key.stringValue).content = .leaf(.null)
  }

  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
    try node.member(key.stringValue).store(value, codingPath: codingPath + [key])
  }

  mutating func nestedContainer<NestedKey: CodingKey>(
    keyedBy keyType: NestedKey.Type, forKey key: Key
  ) -> KeyedEncodingContainer<NestedKey> {
    NodeEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key])
      .container(keyedBy: keyType)
  }

  mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
    NodeEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key])
      .unkeyedContainer()
  }

  mutating func superEncoder() -> any Encoder {
    NodeEncoder(
      node: node.member("super"), codingPath: codingPath + [JSONCodingKey(stringValue: "super")])
  }

  mutating func superEncoder(forKey key: Key) -> any Encoder {
    NodeEncoder(node: node.member(key.stringValue), codingPath: codingPath + [key])
  }
}

private struct NodeUnkeyedContainer: UnkeyedEncodingContainer {
  let node: EncodingNode
  let codingPath: [any CodingKey]
  var count: Int { node.count }

  private var nextPath: [any CodingKey] { codingPath + [JSONCodingKey(intValue: count)] }

  mutating func encodeNil() throws { node.append().content = .leaf(.null) }

  mutating func encode<T: Encodable>(_ value: T) throws {
    let path = nextPath
    try node.append().store(value, codingPath: path)
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
    -> KeyedEncodingContainer<NestedKey>
  {
    let path = nextPath
    return NodeEncoder(node: node.append(), codingPath: path).container(keyedBy: keyType)
  }

  mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
    let path = nextPath
    return NodeEncoder(node: node.append(), codingPath: path).unkeyedContainer()
  }

  mutating func superEncoder() -> any Encoder {
    let path = nextPath
    return NodeEncoder(node: node.append(), codingPath: path)
  }
}

private struct NodeSingleValueContainer: SingleValueEncodingContainer {
  let node: EncodingNode
  let codingPath: [any CodingKey]

  mutating func encodeNil() throws { node.content = .leaf(.null) }

  mutating func encode<T: Encodable>(_ value: T) throws {
    try node.store(value, codingPath: codingPath)
  }
}
