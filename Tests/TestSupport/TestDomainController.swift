import Foundation

/// The throwaway Samba AD DC that `Scripts/dc.sh start` provisions, as the tests see it: the
/// `KEY=VALUE` environment file the script writes and the fixture manifest computed independently
/// in Python from what Samba stored.
///
/// Tests that need it use `.enabled(if: TestDomainController.shouldRun)`: without a DC they are
/// reported as skipped with the reason locally, and under `CI=true` they run and FAIL.
public struct TestDomainController: Sendable {
  public let values: [String: String]

  public static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

  /// The repository root, from this file's location.
  public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  public static var environmentFile: String {
    if let explicit = ProcessInfo.processInfo.environment["AB_DC_ENV"] { return explicit }
    let state =
      ProcessInfo.processInfo.environment["AB_STATE_DIR"]
      ?? repositoryRoot.appendingPathComponent(".state").path
    return state + "/dc/env"
  }

  public static let shared: TestDomainController? = try? load()

  /// Run DC tests when the DC is there, and always under CI (where a missing DC must fail).
  public static var shouldRun: Bool { isCI || shared != nil }

  /// The DC, or a thrown error that fails the test with instructions.
  public static func require() throws -> TestDomainController {
    if let shared { return shared }
    return try load()
  }

  struct Missing: Error, CustomStringConvertible {
    let path: String
    var description: String {
      "the test domain controller is not running (no \(path)); start it with Scripts/dc.sh start"
    }
  }

  static func load() throws -> TestDomainController {
    let path = environmentFile
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw Missing(path: path)
    }
    var values: [String: String] = [:]
    for line in text.split(separator: "\n") {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      guard !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
      var key = String(trimmed[..<equals])
      if key.hasPrefix("export ") { key = String(key.dropFirst(7)) }
      var value = String(trimmed[trimmed.index(after: equals)...])
      if value.count >= 2, let first = value.first, first == "'" || first == "\"",
        value.last == first
      {
        value = String(value.dropFirst().dropLast())
      }
      values[key] = value
    }
    return TestDomainController(values: values)
  }

  public func value(_ key: String) throws -> String {
    guard let value = values[key], !value.isEmpty else {
      throw Missing(path: "\(TestDomainController.environmentFile) key \(key)")
    }
    return value
  }

  public var ldapsURI: String { values["AB_DC_URI_LDAPS"] ?? "" }
  public var ldapURI: String { values["AB_DC_URI_LDAP"] ?? "" }
  public var baseDN: String { values["AB_DC_BASE_DN"] ?? "" }
  public var caFile: String { values["AB_DC_CA"] ?? "" }
  public var wrongCAFile: String { values["AB_DC_WRONG_CA"] ?? "" }

  public func servicePassword() throws -> String {
    try String(contentsOfFile: try value("AB_DC_SVC_PASSWORD_FILE"), encoding: .utf8)
      .trimmingCharacters(in: .newlines)
  }

  public func adminPassword() throws -> String {
    try String(contentsOfFile: try value("AB_DC_ADMIN_PASSWORD_FILE"), encoding: .utf8)
      .trimmingCharacters(in: .newlines)
  }

  /// The fixture manifest (`fixture.json`) as parsed JSON.
  public func fixture() throws -> TestFixture {
    let data = try Data(contentsOf: URL(fileURLWithPath: try value("AB_DC_FIXTURE")))
    return try TestFixture(json: data)
  }
}

/// Any JSON value, for reading the fixture manifest without sharing types with the code under test.
public enum JSONValue: Decodable, Sendable, Equatable {
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

  public subscript(key: String) -> JSONValue? {
    if case .object(let object) = self { return object[key] }
    return nil
  }

  public var string: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  public var int: Int? {
    if case .number(let value) = self { return Int(value) }
    return nil
  }

  public var bool: Bool? {
    if case .bool(let value) = self { return value }
    return nil
  }

  public var array: [JSONValue] {
    if case .array(let value) = self { return value }
    return []
  }

  public var strings: [String] { array.compactMap(\.string) }

  public var object: [String: JSONValue]? {
    if case .object(let value) = self { return value }
    return nil
  }
}

/// The seeded objects as Python saw them after seeding (independent of the Swift code under test).
public struct TestFixture: Sendable {
  public let root: JSONValue

  init(json: Data) throws {
    root = try JSONDecoder().decode(JSONValue.self, from: json)
  }

  /// Named fixture users by sAMAccountName.
  public var users: [String: JSONValue] { root["users"]?.object ?? [:] }
  /// Fixture groups by sAMAccountName.
  public var groups: [String: JSONValue] { root["groups"]?.object ?? [:] }
  /// The sAMAccountName(s) playing a role in the fixture (`roles` in the manifest).
  public func role(_ name: String) -> [String] {
    guard let value = root["roles"]?[name] else { return [] }
    return value.string.map { [$0] } ?? value.strings
  }
  public subscript(key: String) -> JSONValue? { root[key] }
}
