import Foundation
import GraphClient
import Logging
import TenantEmulator

/// Hand-written tenant states for the emulator (never produced from GraphClient's DTOs) and a
/// scoped helper that starts an emulator, runs a client against it and shuts both down.
enum EmulatorTenant {
  static let tenantID = "5e1f0a00-0000-4000-8000-00000000aaaa"
  static let clientID = "c1100000-0000-4000-8000-000000000001"
  static let secret = "emulator-Secret+/=&value"
  static let secretVariable = "GRAPH_E2E_SECRET"

  static func userID(_ index: Int) -> String {
    "00000000-0000-4000-8000-" + String(format: "%012d", index)
  }

  static func groupID(_ index: Int) -> String {
    "99999999-0000-4000-8000-" + String(format: "%012d", index)
  }

  /// One user as JSON text. `anchor` nil writes `null`.
  static func user(
    _ index: Int, domain: String = "contoso.onmicrosoft.com", anchor: String? = nil,
    synced: Bool? = nil
  ) -> String {
    let anchorText = anchor.map { "\"\($0)\"" } ?? "null"
    let syncedText = synced.map { $0 ? "true" : "false" } ?? "null"
    return """
      {"id":"\(userID(index))","userPrincipalName":"user\(index)@\(domain)","displayName":"User \(index)",\
      "mail":"user\(index)@\(domain)","mailNickname":"user\(index)","accountEnabled":true,\
      "proxyAddresses":["SMTP:user\(index)@\(domain)"],"onPremisesImmutableId":\(anchorText),\
      "onPremisesSyncEnabled":\(syncedText)}
      """
  }

  static func users(_ range: ClosedRange<Int>) -> [String] { range.map { user($0) } }

  static let secretApplication =
    #"{"clientId":"\#(clientID)","clientSecret":"\#(secret)","privilegedRole":false}"#

  static func certificateApplication(pem: String) -> String {
    let escaped = pem.replacingOccurrences(of: "\n", with: "\\n")
    return #"{"clientId":"\#(clientID)","certificatePem":"\#(escaped)","privilegedRole":false}"#
  }

  static func state(
    users: [String], groups: [String] = [], roleAssignments: [String] = [],
    application: String = secretApplication
  ) -> String {
    """
    {"tenantId":"\(tenantID)",
     "domains":[
       {"id":"contoso.onmicrosoft.com","authenticationType":"Managed","isInitial":true,"isVerified":true,"isDefault":true},
       {"id":"contoso.com","authenticationType":"Federated","isInitial":false,"isVerified":true}],
     "applications":[\(application)],
     "users":[\(users.joined(separator: ",\n"))],
     "groups":[\(groups.joined(separator: ",\n"))],
     "roleAssignments":[\(roleAssignments.joined(separator: ","))],
     "features":{},
     "organization":{"displayName":"Contoso","onPremisesSyncEnabled":true}}
    """
  }

  static func configuration(
    server: TenantEmulatorServer, credential: TenantConfiguration.Credential? = nil
  ) -> TenantConfiguration {
    TenantConfiguration(
      tenant: tenantID, clientID: clientID, cloud: .global, authorityHost: server.baseURL,
      graphHost: server.baseURL,
      credential: credential ?? .clientSecret(.environment(name: secretVariable)))
  }

  static func fastOptions(writeQuota: WriteQuota? = nil, attempts: Int = 6) -> GraphClientOptions {
    GraphClientOptions(
      retry: RetryPolicy(maxAttempts: attempts, baseDelay: 0.05, maxDelay: 0.5),
      requestTimeout: .seconds(5), writeQuota: writeQuota)
  }

  /// Starts an emulator with `state`, runs `body` with a client for it, shuts everything down.
  static func run<R: Sendable>(
    state: String, emulator: EmulatorOptions = EmulatorOptions(),
    options: GraphClientOptions = fastOptions(), credential: TenantConfiguration.Credential? = nil,
    secret: String = secret, logger: Logger = Logger(label: "test.graph"),
    _ body: (GraphClient, TenantEmulatorServer) async throws -> R
  ) async throws -> R {
    let server = try await TenantEmulatorServer.start(
      stateJSON: Data(state.utf8), options: emulator)
    do {
      let result = try await withGraphClient(
        configuration: configuration(server: server, credential: credential), options: options,
        logger: logger, environment: [secretVariable: secret]
      ) { client in try await body(client, server) }
      try await server.shutdown()
      return result
    } catch {
      try? await server.shutdown()
      throw error
    }
  }

  /// The state's user object by id, as the emulator holds it now.
  static func storedUser(_ server: TenantEmulatorServer, _ id: String) async throws -> [String:
    Any]?
  {
    let state = try await server.stateJSON()
    let root = try JSONSerialization.jsonObject(with: state) as? [String: Any]
    let users = root?["users"] as? [[String: Any]] ?? []
    return users.first { ($0["id"] as? String)?.lowercased() == id.lowercased() }
  }
}
