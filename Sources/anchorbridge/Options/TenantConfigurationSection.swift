import GraphClient

/// The `tenant` section (issue shape; keys may be added, never renamed):
/// ```yaml
/// tenant:
///   id: contoso.onmicrosoft.com          # or the tenant GUID
///   clientId: 11111111-2222-3333-4444-555555555555
///   cloud: global                         # global | usgov | usgovdod | china
///   authorityHost: http://127.0.0.1:8950  # optional overrides (e.g. the emulator)
///   graphHost: http://127.0.0.1:8950
///   auth: { clientSecretFile: /etc/anchorbridge/client.secret }
///   # auth: { clientSecretEnv: AB_CLIENT_SECRET }
///   # auth: { certificateFile: app.pem, keyFile: app.key, assertionAlgorithm: PS256 }
/// ```
enum TenantConfigurationSection {
  static func parse(_ node: ConfigNode) throws(ConfigurationError) -> TenantConfiguration {
    let map = try node.mapping()
    let id = try map.required("id").string()
    let clientID = try map.required("clientId").string()
    var cloud = TenantConfiguration.Cloud.global
    if let value = map.optional("cloud") {
      let text = try value.string()
      guard let parsed = TenantConfiguration.Cloud(rawValue: text.lowercased()) else {
        throw value.fail("must be global, usgov, usgovdod or china, not '\(text)'")
      }
      cloud = parsed
    }
    let authorityHost = try map.optional("authorityHost")?.string()
    let graphHost = try map.optional("graphHost")?.string()
    let credential = try Self.credential(try map.required("auth"))
    try map.finish()
    let configuration = TenantConfiguration(
      tenant: id, clientID: clientID, cloud: cloud, authorityHost: authorityHost,
      graphHost: graphHost, credential: credential)
    do {
      _ = try configuration.endpoints()
    } catch {
      // GraphClient names the YAML key (`tenant.graphHost`, ...) in the error's code.
      throw ConfigurationError(
        file: node.file, key: error.code ?? node.path, problem: error.message)
    }
    return configuration
  }

  private static func credential(_ node: ConfigNode) throws(ConfigurationError)
    -> TenantConfiguration.Credential
  {
    let map = try node.mapping()
    if map.optional("clientSecret") != nil {
      throw node.fail(
        "inline secrets are not accepted: use clientSecretFile or clientSecretEnv",
        key: node.child("clientSecret"))
    }
    let file = map.optional("clientSecretFile")
    let env = map.optional("clientSecretEnv")
    let certificate = map.optional("certificateFile")
    let key = map.optional("keyFile")
    let algorithmNode = map.optional("assertionAlgorithm")
    try map.finish()
    switch (file, env, certificate, key) {
    case (let file?, nil, nil, nil):
      return .clientSecret(.file(path: try file.string()))
    case (nil, let env?, nil, nil):
      return .clientSecret(.environment(name: try env.string()))
    case (nil, nil, let certificate?, let key?):
      var algorithm = TenantConfiguration.AssertionAlgorithm.ps256
      if let algorithmNode {
        let text = try algorithmNode.string()
        guard let parsed = TenantConfiguration.AssertionAlgorithm(rawValue: text.uppercased())
        else {
          throw algorithmNode.fail("must be PS256 or RS256, not '\(text)'")
        }
        algorithm = parsed
      }
      return .certificate(
        certificatePath: try certificate.string(), privateKeyPath: try key.string(),
        algorithm: algorithm)
    default:
      throw node.fail(
        "needs exactly one of clientSecretFile, clientSecretEnv, or certificateFile with keyFile")
    }
  }
}
