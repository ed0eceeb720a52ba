import ActiveDirectory
import AnchorCore
import LDAPClient

/// The `directory` section: one or more AD sources.
struct DirectoryConfiguration {
  var sources: [DirectorySource]
  /// Sources whose certificate verification was turned off: warned about on every run.
  var unverifiedSources: [String]

  static let defaultUserFilter = "(&(objectCategory=person)(objectClass=user))"
  static let defaultGroupFilter = "(objectClass=group)"

  init(_ node: ConfigNode) throws(ConfigurationError) {
    let mapping = try node.mapping()
    let list = try mapping.required("sources").list()
    guard !list.isEmpty else {
      throw node.fail("must name at least one source", key: node.child("sources"))
    }
    var sources: [DirectorySource] = []
    var unverified: [String] = []
    for item in list {
      let source = try Self.source(item)
      if sources.contains(where: { $0.name == source.name }) {
        throw item.fail("source name '\(source.name)' is used twice", key: item.child("name"))
      }
      if !source.connection.verifyCertificate { unverified.append(source.name) }
      sources.append(source)
    }
    try mapping.finish()
    self.sources = sources
    self.unverifiedSources = unverified
  }

  private static func source(_ node: ConfigNode) throws(ConfigurationError) -> DirectorySource {
    let map = try node.mapping()
    let name = try map.required("name").string()
    let uris = try map.required("uris").strings()
    let startTLS = try map.optional("startTLS")?.bool() ?? false
    var caFile: String?
    var verify = true
    if let tls = map.optional("tls") {
      let tlsMap = try tls.mapping()
      caFile = try tlsMap.optional("caFile")?.string()
      verify = try tlsMap.optional("verify")?.bool() ?? true
      try tlsMap.finish()
    }
    let allowInsecure = try map.optional("allowInsecure")?.bool() ?? false
    let bind = try Self.bind(try map.required("bind"))
    var connectTimeout = Duration.seconds(10)
    var operationTimeout = Duration.seconds(120)
    if let timeouts = map.optional("timeouts") {
      let t = try timeouts.mapping()
      if let value = t.optional("connect") { connectTimeout = .seconds(try value.int(in: 1...600)) }
      if let value = t.optional("operation") {
        operationTimeout = .seconds(try value.int(in: 1...3600))
      }
      try t.finish()
    }
    let connection = LDAPConfiguration(
      uris: uris, startTLS: startTLS, caFile: caFile, verifyCertificate: verify,
      allowInsecure: allowInsecure, bind: bind, connectTimeout: connectTimeout,
      operationTimeout: operationTimeout)
    do {
      try connection.validate()
    } catch {
      throw node.fail(error.message, key: node.child(error.kind == .refused ? "bind" : "uris"))
    }
    let users = try Self.scope(map.optional("users"), defaultFilter: defaultUserFilter)
    let groups = try Self.scope(map.optional("groups"), defaultFilter: defaultGroupFilter)
    var anchor = AnchorPolicy.consistencyGuid
    if let value = map.optional("anchor") {
      let text = try value.string()
      guard let policy = AnchorPolicy(configValue: text) else {
        throw value.fail(
          "must be objectGUID, consistencyGuid or attribute:NAME, not '\(text)'")
      }
      anchor = policy
    }
    let pageSize = try map.optional("pageSize")?.int(in: 1...1000) ?? 500
    let rangeWindow = try map.optional("rangeWindow")?.int(in: 10...5000) ?? 1500
    let readConnections = try map.optional("readConnections")?.int(in: 1...4) ?? 1
    try map.finish()
    return DirectorySource(
      name: name, connection: connection, users: users, groups: groups, anchor: anchor,
      pageSize: pageSize, rangeWindow: rangeWindow, readConnections: readConnections)
  }

  private static func scope(_ node: ConfigNode?, defaultFilter: String) throws(ConfigurationError)
    -> DirectorySource.Scope
  {
    guard let node else { return DirectorySource.Scope(bases: [], filter: defaultFilter) }
    let map = try node.mapping()
    let bases = try map.optional("bases")?.strings() ?? []
    let filter = try map.optional("filter")?.string() ?? defaultFilter
    guard filter.hasPrefix("("), filter.hasSuffix(")"), Self.balanced(filter) else {
      throw node.fail(
        "is not an LDAP filter in parentheses: '\(filter)'", key: node.child("filter"))
    }
    try map.finish()
    return DirectorySource.Scope(bases: bases, filter: filter)
  }

  /// One parenthesised filter: parentheses balance and close only at the very end, so
  /// `(cn=*)(cn=*)` (two filters side by side) is refused. Escaped parentheses (`\28`, `\29`)
  /// are not parentheses.
  private static func balanced(_ filter: String) -> Bool {
    var depth = 0
    for (index, character) in filter.enumerated() {
      if character == "(" { depth += 1 }
      if character == ")" { depth -= 1 }
      if depth < 0 || (depth == 0 && index != filter.count - 1) { return false }
    }
    return depth == 0
  }

  private static func bind(_ node: ConfigNode) throws(ConfigurationError) -> LDAPBind {
    let map = try node.mapping()
    let method = try map.required("method").string()
    let bind: LDAPBind
    switch method {
    case "simple":
      let dn = try map.required("dn").string()
      let password: [UInt8]
      let file = map.optional("passwordFile")
      let env = map.optional("passwordEnv")
      if map.optional("password") != nil {
        throw node.fail(
          "inline passwords are not accepted: use passwordFile or passwordEnv",
          key: node.child("password"))
      }
      switch (file, env) {
      case (let file?, nil):
        password = try SecretReader.readFile(try file.string(), key: file.path, file: node.file)
      case (nil, let env?):
        password = try SecretReader.readEnvironment(
          try env.string(), key: env.path, file: node.file)
      default:
        throw node.fail("needs exactly one of passwordFile or passwordEnv")
      }
      bind = .simple(dn: dn, password: LDAPSecret(bytes: password))
    case "gssapi":
      bind = .gssapi(
        keytab: try map.optional("keytab")?.string(), ccache: try map.optional("ccache")?.string(),
        principal: try map.optional("principal")?.string(),
        krb5Config: try map.optional("krb5Config")?.string())
    default:
      throw node.fail("must be simple or gssapi, not '\(method)'", key: node.child("method"))
    }
    try map.finish()
    return bind
  }
}
