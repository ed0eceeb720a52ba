/// `writeback:` — writing cloud ImmutableIDs back into AD's mS-DS-ConsistencyGuid (`anchors writeback`):
/// ```yaml
/// writeback:
///   allowReplace: false   # replace a twin's mS-DS-ConsistencyGuid that holds another value
/// ```
struct WritebackConfiguration: Equatable {
  var allowReplace = false

  init() {}

  init(_ node: ConfigNode) throws(ConfigurationError) {
    let map = try node.mapping()
    allowReplace = try map.optional("allowReplace")?.bool() ?? false
    try map.finish()
  }
}
