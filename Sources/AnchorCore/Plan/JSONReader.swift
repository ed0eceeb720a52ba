/// Typed access to a decoded JSON object, with the path of the field in every error.
struct JSONReader {
  let value: JSONValue
  let path: String

  init(_ value: JSONValue, path: String) {
    self.value = value
    self.path = path
  }

  private func member(_ key: String) throws(AnchorCoreError) -> JSONValue {
    guard case .object = value else {
      throw .invalidPlan(.wrongType, detail: "\(path) is not an object")
    }
    guard let found = value[key] else {
      throw .invalidPlan(.missingField, detail: "\(path).\(key) is missing")
    }
    return found
  }

  private func wrongType(_ key: String, _ expected: String) -> AnchorCoreError {
    .invalidPlan(.wrongType, detail: "\(path).\(key) is not \(expected)")
  }

  func string(_ key: String) throws(AnchorCoreError) -> String {
    guard case .string(let text) = try member(key) else { throw wrongType(key, "a string") }
    return text
  }

  func optionalString(_ key: String) throws(AnchorCoreError) -> String? {
    switch value[key] {
    case nil, .null?: return nil
    case .string(let text)?: return text
    default: throw wrongType(key, "a string or null")
    }
  }

  /// An ImmutableID: any string is accepted (opaque anchors are verbatim text).
  func optionalAnchor(_ key: String) throws(AnchorCoreError) -> SourceAnchor? {
    try optionalString(key).map(SourceAnchor.init(immutableId:))
  }

  func guid(_ key: String) throws(AnchorCoreError) -> ObjectGUID {
    let text = try string(key)
    guard let guid = ObjectGUID(guidString: text) else {
      throw .invalidPlan(.wrongType, detail: "\(path).\(key) '\(text)' is not a GUID")
    }
    return guid
  }

  func bool(_ key: String) throws(AnchorCoreError) -> Bool {
    guard case .bool(let flag) = try member(key) else { throw wrongType(key, "a boolean") }
    return flag
  }

  func optionalBool(_ key: String) throws(AnchorCoreError) -> Bool? {
    switch value[key] {
    case nil, .null?: return nil
    case .bool(let flag)?: return flag
    default: throw wrongType(key, "a boolean or null")
    }
  }

  func array(_ key: String) throws(AnchorCoreError) -> [JSONValue] {
    guard case .array(let elements) = try member(key) else { throw wrongType(key, "an array") }
    return elements
  }

  func value(_ key: String) throws(AnchorCoreError) -> JSONReader {
    JSONReader(try member(key), path: path + "." + key)
  }

  func optionalValue(_ key: String) throws(AnchorCoreError) -> JSONReader? {
    switch value[key] {
    case nil, .null?: return nil
    case let found?: return JSONReader(found, path: path + "." + key)
    }
  }

  func enumeration<T: RawRepresentable>(_ key: String) throws(AnchorCoreError) -> T
  where T.RawValue == String {
    try JSONReader.enumeration(try member(key), path: path + "." + key)
  }

  func optionalEnumeration<T: RawRepresentable>(_ key: String) throws(AnchorCoreError) -> T?
  where T.RawValue == String {
    guard let text = try optionalString(key) else { return nil }
    return try JSONReader.enumeration(.string(text), path: path + "." + key)
  }

  static func enumeration<T: RawRepresentable>(_ value: JSONValue, path: String)
    throws(AnchorCoreError) -> T
  where T.RawValue == String {
    guard case .string(let text) = value, let result = T(rawValue: text) else {
      throw .invalidPlan(.wrongType, detail: "\(path) has an unknown value \(value)")
    }
    return result
  }
}
