import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// Runs `body` with a client for `configuration`, then shuts the HTTP client down (also when
/// `body` throws). Loads the credential first, so a bad secret file fails before any request.
public func withGraphClient<Result: Sendable>(
  configuration: TenantConfiguration, options: GraphClientOptions = GraphClientOptions(),
  logger: Logger = Logger(label: "anchorbridge.graph"),
  environment: [String: String] = ProcessInfo.processInfo.environment,
  _ body: (GraphClient) async throws -> Result
) async throws -> Result {
  _ = try configuration.endpoints()
  let credential = try ClientCredential.load(configuration.credential, environment: environment)
  var httpConfiguration = HTTPClient.Configuration()
  httpConfiguration.connectionPool = .init(
    idleTimeout: .seconds(60),
    concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, options.maxConnections))
  httpConfiguration.redirectConfiguration = .disallow
  let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
  let result: Swift.Result<Result, any Error>
  do {
    let client = try GraphClient(
      configuration: configuration, credential: credential,
      transport: AsyncHTTPClientTransport(client: http), options: options, logger: logger)
    result = .success(try await body(client))
  } catch {
    result = .failure(error)
  }
  try await http.shutdown()
  return try result.get()
}
