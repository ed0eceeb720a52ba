import Foundation
import GraphClient

/// The whole YAML configuration (`Schemas/config.schema.json`). Sections that a command doesn't
/// need may be absent; a section that is present is validated completely, up front.
struct Configuration {
  var directory: DirectoryConfiguration?
  var tenant: TenantConfiguration?
  var matching = MatchingConfiguration()
  var safety = SafetyConfiguration()
  var run = RunConfiguration()
  var state = StateConfiguration()
  var report = ReportConfiguration()
  var writeback = WritebackConfiguration()
  var groups = GroupsConfiguration()
  /// The file it was read from (named in errors raised after loading).
  var file = ""

  static func load(path: String) throws(ConfigurationError) -> Configuration {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ConfigurationError(
        file: path, key: "", problem: "can't be read (missing or not permitted)")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw ConfigurationError(file: path, key: "", problem: "is not UTF-8 text")
    }
    return try Configuration(yaml: text, file: path)
  }

  init(yaml text: String, file: String) throws(ConfigurationError) {
    let root = try ConfigNode.load(yaml: text, file: file).mapping()
    directory = try root.optional("directory").map { node throws(ConfigurationError) in
      try DirectoryConfiguration(node)
    }
    tenant = try root.optional("tenant").map { node throws(ConfigurationError) in
      try TenantConfigurationSection.parse(node)
    }
    if let node = root.optional("matching") { matching = try MatchingConfiguration(node) }
    if let node = root.optional("safety") { safety = try SafetyConfiguration(node) }
    if let node = root.optional("run") { run = try RunConfiguration(node) }
    if let node = root.optional("state") { state = try StateConfiguration(node) }
    if let node = root.optional("report") { report = try ReportConfiguration(node) }
    if let node = root.optional("writeback") { writeback = try WritebackConfiguration(node) }
    if let node = root.optional("groups") { groups = try GroupsConfiguration(node) }
    try root.finish()
    self.file = file
  }

  func requireDirectory() throws(ConfigurationError) -> DirectoryConfiguration {
    guard let directory else {
      throw ConfigurationError(
        file: file, key: "directory", problem: "is required for this command")
    }
    return directory
  }

  func requireTenant() throws(ConfigurationError) -> TenantConfiguration {
    guard let tenant else {
      throw ConfigurationError(file: file, key: "tenant", problem: "is required for this command")
    }
    return tenant
  }
}
