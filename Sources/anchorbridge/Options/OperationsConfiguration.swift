import AnchorCore

/// `matching:` — how directory users find their cloud twins (issue shape; keys are added, never renamed):
/// ```yaml
/// matching:
///   order: [immutableId, mapping, userPrincipalName, primarySmtp]
///   mappingFile: /etc/anchorbridge/mapping.csv
///   includeDisabled: false
///   allowRelink: false
/// ```
struct MatchingConfiguration: Equatable {
  var order: [MatchRule] = MatchRule.defaultOrder
  var mappingFile: String?
  var includeDisabled = false
  var allowRelink = false
  /// Clear plans only: allow clearing users in a federated domain (they stay on the temporary UPN).
  var allowFederatedClear = false

  init() {}

  init(_ node: ConfigNode) throws(ConfigurationError) {
    let map = try node.mapping()
    if let orderNode = map.optional("order") {
      var rules: [MatchRule] = []
      for item in try orderNode.list() {
        let text = try item.string()
        guard let rule = MatchRule(rawValue: text) else {
          throw item.fail(
            "must be one of \(MatchRule.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'"
          )
        }
        guard !rules.contains(rule) else { throw item.fail("names '\(text)' twice") }
        rules.append(rule)
      }
      guard !rules.isEmpty else { throw orderNode.fail("must name at least one rule") }
      order = rules
    }
    mappingFile = try map.optional("mappingFile")?.string()
    includeDisabled = try map.optional("includeDisabled")?.bool() ?? false
    allowRelink = try map.optional("allowRelink")?.bool() ?? false
    allowFederatedClear = try map.optional("allowFederatedClear")?.bool() ?? false
    try map.finish()
  }

  var planSettings: PlanSettings {
    PlanSettings(
      matchOrder: order, allowRelink: allowRelink, includeDisabled: includeDisabled,
      allowFederatedClear: allowFederatedClear)
  }
}

/// `safety:` — the accidental-change prevention threshold (like Entra Connect's delete threshold).
struct SafetyConfiguration: Equatable {
  static let defaultMaxChanges = 50
  var maxChanges = SafetyConfiguration.defaultMaxChanges

  init() {}

  init(_ node: ConfigNode) throws(ConfigurationError) {
    let map = try node.mapping()
    maxChanges =
      try map.optional("maxChanges")?.int(in: 0...10_000_000) ?? Self.defaultMaxChanges
    try map.finish()
  }
}

/// `run:` — limits of the unattended job.
/// ```yaml
/// run:
///   maxSeconds: 3600
/// ```
struct RunConfiguration: Equatable {
  static let defaultMaxSeconds = 3600
  /// After this many seconds `run` stops cleanly (exit 6) and releases the lock.
  var maxSeconds = RunConfiguration.defaultMaxSeconds

  init() {}

  init(_ node: ConfigNode) throws(ConfigurationError) {
    let map = try node.mapping()
    maxSeconds =
      try map.optional("maxSeconds")?.int(in: 1...604_800) ?? Self.defaultMaxSeconds
    try map.finish()
  }
}

/// `state:` — where the journal, the lock, caches and saved plans live.
struct StateConfiguration: Equatable {
  static let defaultDirectory = "/var/lib/anchorbridge"
  var dir = StateConfiguration.defaultDirectory

  init() {}

  init(_ node: ConfigNode) throws(ConfigurationError) {
    let map = try node.mapping()
    if let value = map.optional("dir") {
      let text = try value.string()
      guard text.hasPrefix("/") else {
        throw value.fail("must be an absolute path, not '\(text)'")
      }
      dir = text
    }
    try map.finish()
  }
}

/// `report:` — where `run` writes its JSON report and (optionally) Prometheus textfile metrics.
struct ReportConfiguration: Equatable {
  /// Folder for `run-<id>.json` and `latest.json`; default `<state.dir>/reports`.
  var dir: String?
  /// node_exporter textfile collector file, e.g. `/var/lib/node_exporter/anchorbridge.prom`.
  var prometheusTextfile: String?

  init() {}

  init(_ node: ConfigNode) throws(ConfigurationError) {
    let map = try node.mapping()
    dir = try map.optional("dir")?.string()
    if let value = map.optional("prometheusTextfile") {
      let text = try value.string()
      guard text.hasSuffix(".prom") else {
        throw value.fail("must end in .prom (node_exporter's textfile collector reads only those)")
      }
      prometheusTextfile = text
    }
    try map.finish()
  }
}
