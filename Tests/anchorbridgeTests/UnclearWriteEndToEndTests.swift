import AnchorCore
import AsyncHTTPClient
import Foundation
import GraphClient
import Logging
import PlanExecutor
import TenantEmulator
import TestSupport
import Testing

@testable import anchorbridge

/// The real transport to the emulator, which applies every write, but the answers to user PATCHes
/// are lost: inside `$batch` each PATCH item is answered `status` (or left out when nil), and every
/// PATCH retried alone is answered 504.
struct LosingTransport: GraphTransport {
  let inner: AsyncHTTPClientTransport
  let itemStatus: Int?

  func send(_ request: TransportRequest) async throws -> TransportResponse {
    var response = try await inner.send(request)
    if request.method == "PATCH" {
      return TransportResponse(
        status: 504, headers: [:],
        body: Data(#"{"error":{"code":"GatewayTimeout","message":"lost"}}"#.utf8))
    }
    guard request.url.hasSuffix("/$batch"), let sent = request.bodyBytes else { return response }
    let requests =
      try #require(
        try JSONSerialization.jsonObject(with: sent) as? [String: Any])["requests"]
      as? [[String: Any]]
    let patched = Set(
      (requests ?? []).filter { $0["method"] as? String == "PATCH" }.compactMap {
        $0["id"] as? String
      })
    guard !patched.isEmpty else { return response }
    var envelope = try #require(
      try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
    var items = envelope["responses"] as? [[String: Any]] ?? []
    if let itemStatus {
      for index in items.indices where patched.contains(items[index]["id"] as? String ?? "") {
        items[index]["status"] = itemStatus
        items[index]["headers"] = ["Retry-After": "0"]
        items[index]["body"] = ["error": ["code": "GatewayTimeout", "message": "lost"]]
      }
    } else {
      items.removeAll { patched.contains($0["id"] as? String ?? "") }
    }
    envelope["responses"] = items
    response.body = try JSONSerialization.data(withJSONObject: envelope)
    return response
  }
}

/// Issue #21's data loss, through the real wiring: a federated relink whose every write answer is
/// lost is read back step by step and ends applied, never with the user stranded on the temporary
/// `onmicrosoft.com` UPN and journaled as refused.
@Suite("E2E: unclear write answers through GraphTenantPort", .serialized)
struct UnclearWriteEndToEndTests {
  static let tenantID = "5e1f0a00-0000-4000-8000-0000000021aa"
  static let clientID = "c1100000-0000-4000-8000-0000000021aa"
  static let userID = "00000000-0000-4000-8000-000000000021"
  static let old = SourceAnchor(guid: ObjectGUID(bytes: [UInt8](repeating: 0x11, count: 16))!)
  static let new = SourceAnchor(guid: ObjectGUID(bytes: [UInt8](repeating: 0x22, count: 16))!)

  static func state(secret: String) -> String {
    """
    {"tenantId":"\(tenantID)",
     "domains":[
       {"id":"contoso.onmicrosoft.com","authenticationType":"Managed","isInitial":true,"isVerified":true},
       {"id":"contoso.com","authenticationType":"Federated","isInitial":false,"isVerified":true}],
     "applications":[{"clientId":"\(clientID)","clientSecret":"\(secret)","privilegedRole":false}],
     "users":[{"id":"\(userID)","userPrincipalName":"bob@contoso.com","mail":null,"accountEnabled":true,\
    "onPremisesImmutableId":"\(old.immutableId)","onPremisesSyncEnabled":null}],
     "groups":[],"roleAssignments":[],"features":{},"organization":{"displayName":"Unclear"}}
    """
  }

  static func plan() -> Plan {
    let guid = ObjectGUID(bytes: [UInt8](repeating: 0x22, count: 16))!
    let directory = [
      DirectoryUser(
        source: "corp", distinguishedName: "CN=bob,DC=corp", objectGUID: guid, anchor: new,
        anchorSource: "objectGUID", userPrincipalName: "bob@contoso.com")
    ]
    let tenant = TenantSnapshot(
      tenantId: tenantID,
      users: [
        CloudUser(id: userID, userPrincipalName: "bob@contoso.com", onPremisesImmutableId: old)
      ],
      domains: [
        TenantDomain(name: "contoso.com", authenticationType: .federated),
        TenantDomain(
          name: "contoso.onmicrosoft.com", authenticationType: .managed, isInitial: true),
      ])
    return HardMatchPlanner(settings: PlanSettings(allowRelink: true)).plan(
      directoryUsers: directory, tenant: tenant, createdAt: "2026-12-07T00:00:00Z")
  }

  @Test(
    "a federated relink whose write answers are all lost (504, or missing from the batch) ends applied",
    arguments: [504 as Int?, nil])
  func federatedRelinkWithLostAnswers(itemStatus: Int?) async throws {
    let secret = "unclear-" + UUID().uuidString
    let plan = Self.plan()
    #expect(plan.items.first?.steps.count == 3)
    let server = try await TenantEmulatorServer.start(
      stateJSON: Data(Self.state(secret: secret).utf8))
    let http = HTTPClient(eventLoopGroupProvider: .singleton)
    let temp = try TemporaryDirectory()
    do {
      let configuration = TenantConfiguration(
        tenant: Self.tenantID, clientID: Self.clientID, cloud: .global,
        authorityHost: server.baseURL, graphHost: server.baseURL,
        credential: .clientSecret(.environment(name: "UNUSED")))
      let client = try GraphClient(
        configuration: configuration, credential: .secret(Secret(secret)),
        transport: LosingTransport(
          inner: AsyncHTTPClientTransport(client: http), itemStatus: itemStatus),
        options: GraphClientOptions(
          retry: RetryPolicy(maxAttempts: 2, baseDelay: 0.01, maxDelay: 0.02, maxRetryAfter: 1),
          requestTimeout: .seconds(5)),
        logger: Logger(label: "test.unclear"))
      let journal = try Journal.open(directory: temp.url.appendingPathComponent("state").path)
      let executor = PlanExecutor(
        port: GraphTenantPort(client: client), journal: journal,
        options: ExecutorOptions(
          crashHook: nil, readBackRetries: 2, readBackDelay: .milliseconds(50)))
      let report = try await executor.apply(
        plan, checksum: nil, planSource: nil, expectedTenant: nil)

      #expect(report.items.first?.outcome == .applied, "\(report.items.first?.detail ?? "")")
      let items = try journal.items(ofRun: report.runId)
      #expect(items.first?.steps.map(\.status) == [.verified, .verified, .verified])
      let stored = try #require(
        try JSONSerialization.jsonObject(with: try await server.stateJSON()) as? [String: Any])
      let user = try #require((stored["users"] as? [[String: Any]])?.first)
      #expect(user["userPrincipalName"] as? String == "bob@contoso.com")
      #expect(user["onPremisesImmutableId"] as? String == Self.new.immutableId)
    } catch {
      try? await http.shutdown()
      try? await server.shutdown()
      throw error
    }
    try await http.shutdown()
    try await server.shutdown()
  }
}
