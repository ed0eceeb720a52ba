import Yams

/// A cursor over the parsed YAML that knows its key path, so every error names the exact key
/// (`directory.sources[0].bind.passwordFile`), and that rejects keys nobody read (typos).
struct ConfigNode {
  let node: Node
  let path: String
  let file: String

  static func load(yaml text: String, file: String) throws(ConfigurationError) -> ConfigNode {
    try YAMLBounds.check(text, file: file)
    do {
      // Scalars are read as text and interpreted here, so no YAML tag resolution is needed: the
      // basic resolver spares every run compiling the default one's ICU regular expressions.
      guard let node = try Yams.compose(yaml: text, .basic) else {
        throw ConfigurationError(file: file, key: "", problem: "the file is empty")
      }
      return ConfigNode(node: node, path: "", file: file)
    } catch let error as ConfigurationError {
      throw error
    } catch let error as YamlError {
      throw ConfigurationError(
        file: file, key: "", problem: "is not valid YAML: \(describe(error))")
    } catch {
      throw ConfigurationError(file: file, key: "", problem: "is not valid YAML")
    }
  }

  /// Yams's error without the source lines it quotes (a line could hold an inline secret).
  static func describe(_ error: YamlError) -> String {
    switch error {
    case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
      .composer(_, let problem, let mark, _):
      "line \(mark.line), column \(mark.column): \(problem)"
    case .reader(let problem, let offset, _, _):
      "byte \(offset ?? 0): \(problem)"
    default:
      "unreadable"
    }
  }

  func fail(_ problem: String, key: String? = nil) -> ConfigurationError {
    ConfigurationError(file: file, key: key ?? path, problem: problem)
  }

  func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

  /// The mapping at this node; keys are checked off as they are read.
  func mapping() throws(ConfigurationError) -> ConfigMapping {
    guard case .mapping(let mapping) = node else { throw fail("must be a mapping of keys") }
    var values: [(String, Node)] = []
    for (key, value) in mapping {
      guard case .scalar(let scalar) = key else { throw fail("has a key that is not text") }
      values.append((scalar.string, value))
    }
    return ConfigMapping(entries: values, node: self)
  }

  func string() throws(ConfigurationError) -> String {
    guard case .scalar(let scalar) = node else { throw fail("must be a single value") }
    return scalar.string
  }

  func bool() throws(ConfigurationError) -> Bool {
    switch try string().lowercased() {
    case "true", "yes", "on": return true
    case "false", "no", "off": return false
    case let other: throw fail("must be true or false, not '\(other)'")
    }
  }

  func int(in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
    let text = try string()
    guard let value = Int(text), range.contains(value) else {
      throw fail(
        "must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
    }
    return value
  }

  func list() throws(ConfigurationError) -> [ConfigNode] {
    switch node {
    case .sequence(let sequence):
      return sequence.enumerated().map { ConfigNode(node: $1, path: "\(path)[\($0)]", file: file) }
    case .scalar:
      return [self]  // a single value where a list is expected is a list of one
    default:
      throw fail("must be a list")
    }
  }

  func strings() throws(ConfigurationError) -> [String] {
    var out: [String] = []
    for item in try list() { out.append(try item.string()) }
    return out
  }
}

/// The keys of one YAML mapping. `finish()` rejects any key that was never asked for.
final class ConfigMapping {
  private var entries: [(String, Node)]
  private var used: Set<String> = []
  let node: ConfigNode

  init(entries: [(String, Node)], node: ConfigNode) {
    self.entries = entries
    self.node = node
  }

  func optional(_ key: String) -> ConfigNode? {
    used.insert(key)
    guard let value = entries.first(where: { $0.0 == key })?.1 else { return nil }
    if case .scalar(let scalar) = value, scalar.string == "" || scalar.string == "~",
      scalar.style == .plain
    {
      return nil  // `key:` or `key: ~` means "not set"
    }
    return ConfigNode(node: value, path: node.child(key), file: node.file)
  }

  func required(_ key: String) throws(ConfigurationError) -> ConfigNode {
    guard let value = optional(key) else { throw node.fail("is required", key: node.child(key)) }
    return value
  }

  func finish() throws(ConfigurationError) {
    for (key, _) in entries where !used.contains(key) {
      throw node.fail("is not a known key", key: node.child(key))
    }
  }
}
