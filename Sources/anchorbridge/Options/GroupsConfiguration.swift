import AnchorCore

/// `groups:` — how AD groups find their cloud twins and what a group plan may accept:
/// ```yaml
/// groups:
///   matchOrder: [primarySmtp, proxyAddresses, mailNickname, displayName]
///   allowMemberLoss: false   # plan a migration even when members without an AD twin are lost
/// ```
/// Synced twins are always found first, by objectSid ↔ onPremisesSecurityIdentifier.
struct GroupsConfiguration: Equatable {
  var matchOrder: [GroupMatchRule] = GroupMatchRule.defaultOrder
  var allowMemberLoss = false

  init() {}

  init(_ node: ConfigNode) throws(ConfigurationError) {
    let map = try node.mapping()
    if let orderNode = map.optional("matchOrder") {
      var rules: [GroupMatchRule] = []
      let allowed = GroupMatchRule.defaultOrder
      for item in try orderNode.list() {
        let text = try item.string()
        guard let rule = GroupMatchRule(rawValue: text), allowed.contains(rule) else {
          throw item.fail(
            "must be one of \(allowed.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
        }
        guard !rules.contains(rule) else { throw item.fail("names '\(text)' twice") }
        rules.append(rule)
      }
      guard !rules.isEmpty else { throw orderNode.fail("must name at least one rule") }
      matchOrder = rules
    }
    allowMemberLoss = try map.optional("allowMemberLoss")?.bool() ?? false
    try map.finish()
  }
}
