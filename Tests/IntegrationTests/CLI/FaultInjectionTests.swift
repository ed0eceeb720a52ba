import AnchorCore
import Foundation
import GraphClient
import PlanExecutor
import TenantEmulator
import TestSupport
import Testing

@testable import anchorbridge

/// 2,000 hard matches applied through the real wiring (GraphTenantPort over GraphClient) to an
/// emulator that throttles (429 from its write quota) and fails 5 %, 10 % and 20 % of requests with
/// 503s, connection resets and timeouts: every change is applied exactly once, checked three ways —
/// the emulator's final state, its request log, and the journal.
@Suite(.serialized) struct FaultInjectionTests {
  static let count = 2_000
  static let tenantID = "5e1f0a00-0000-4000-8000-00000000f417"
  static let clientID = "c1100000-0000-4000-8000-00000000f417"
  static let secretVariable = "AB_FAULT_TEST_SECRET"

  static func userID(_ index: Int) -> String {
    "00000000-0000-4000-8000-" + String(format: "%012d", index)
  }

  static func guid(_ index: Int) -> ObjectGUID {
    var bytes = [UInt8](repeating: 0x5a, count: 16)
    withUnsafeBytes(of: UInt64(index).littleEndian) { bytes.replaceSubrange(0..<8, with: $0) }
    return ObjectGUID(bytes: bytes)!
  }

  static func state(secret: String) -> String {
    let users = (0..<count).map { index in
      #"{"id":"\#(userID(index))","userPrincipalName":"user\#(index)@contoso.com","mail":null,"accountEnabled":true,"onPremisesImmutableId":null,"onPremisesSyncEnabled":null}"#
    }
    return """
      {"tenantId":"\(tenantID)",
       "domains":[
         {"id":"contoso.onmicrosoft.com","authenticationType":"Managed","isInitial":true,"isVerified":true},
         {"id":"contoso.com","authenticationType":"Managed","isInitial":false,"isVerified":true}],
       "applications":[{"clientId":"\(clientID)","clientSecret":"\(secret)","privilegedRole":false}],
       "users":[\(users.joined(separator: ","))],
       "groups":[],"roleAssignments":[],"features":{},"organization":{"displayName":"Faults"}}
      """
  }

  static func plan() -> Plan {
    let directory = (0..<count).map { index in
      DirectoryUser(
        source: "corp", distinguishedName: "CN=user\(index),DC=corp", objectGUID: guid(index),
        anchor: SourceAnchor(guid: guid(index)), anchorSource: "objectGUID",
        userPrincipalName: "user\(index)@contoso.com")
    }
    let tenant = TenantSnapshot(
      tenantId: tenantID,
      users: (0..<count).map {
        CloudUser(id: userID($0), userPrincipalName: "user\($0)@contoso.com")
      },
      domains: [
        TenantDomain(name: "contoso.com", authenticationType: .managed),
        TenantDomain(
          name: "contoso.onmicrosoft.com", authenticationType: .managed, isInitial: true),
      ])
    return HardMatchPlanner().plan(
      directoryUsers: directory, tenant: tenant, createdAt: "2026-11-29T00:00:00Z")
  }

  @Test(arguments: [(0.05, 5 as UInt64), (0.10, 10 as UInt64), (0.20, 20 as UInt64)])
  func everyChangeIsAppliedExactlyOnce(rate: Double, seed: UInt64) async throws {
    let secret = "fault-" + UUID().uuidString
    let plan = Self.plan()
    #expect(plan.summary["link"] == Self.count)
    let server = try await TenantEmulatorServer.start(
      stateJSON: Data(Self.state(secret: secret).utf8),
      options: EmulatorOptions(
        writeQuota: (count: 600, seconds: 1), faultRate: rate,
        faults: [.serviceUnavailable, .connectionReset, .timeout], seed: seed,
        serviceUnavailableRetryAfter: 0.05, timeoutHold: .milliseconds(3500)))
    let temp = try TemporaryDirectory()
    let journal = try Journal.open(directory: temp.url.appendingPathComponent("state").path)
    let configuration = TenantConfiguration(
      tenant: Self.tenantID, clientID: Self.clientID, cloud: .global,
      authorityHost: server.baseURL, graphHost: server.baseURL,
      credential: .clientSecret(.environment(name: Self.secretVariable)))
    // The client's timeout is generous against load (a request the emulator answered late but
    // applied, then retried, would be a second PATCH): the injected timeouts hold 3.5 s and are
    // never applied, so the client gives up on those alone.
    let options = GraphClientOptions(
      retry: RetryPolicy(maxAttempts: 10, baseDelay: 0.02, maxDelay: 0.3),
      requestTimeout: .seconds(3), writeQuota: nil)
    // A whole batch can still fail after every retry (the run stays open): apply again, as an admin
    // would; recovery and positioning by state make that safe.
    var applied = 0
    var attempts = 0
    try await withGraphClient(
      configuration: configuration, options: options,
      environment: [Self.secretVariable: secret]
    ) { client in
      let executor = PlanExecutor(
        port: GraphTenantPort(client: client), journal: journal,
        options: ExecutorOptions(maxChanges: Self.count, crashHook: nil))
      while attempts < 6 {
        attempts += 1
        do {
          let report = try await executor.apply(
            plan, checksum: nil, planSource: nil, expectedTenant: nil)
          if report.counts["failed", default: 0] == 0 && report.counts["stale", default: 0] == 0 {
            break
          }
        } catch ExecutorError.port {
          continue
        }
      }
    }

    // 1. The emulator's final state: every user carries its twin's anchor.
    let stateData = try await server.stateJSON()
    let root = try #require(try JSONSerialization.jsonObject(with: stateData) as? [String: Any])
    let users = try #require(root["users"] as? [[String: Any]])
    var anchors: [String: String] = [:]
    for user in users {
      anchors[user["id"] as? String ?? ""] = user["onPremisesImmutableId"] as? String
    }
    for index in 0..<Self.count {
      #expect(anchors[Self.userID(index)] == SourceAnchor(guid: Self.guid(index)).immutableId)
    }

    // 2. The request log: faults happened, and exactly one PATCH per user succeeded.
    let log = await server.requestLog()
    #expect(log.contains { $0.fault != nil }, "no fault was injected at \(rate)")
    var successes: [String: Int] = [:]
    for record in log where record.method == "PATCH" && (200..<300).contains(record.status ?? 0) {
      let id = String(record.target.split(separator: "/").last ?? "").lowercased()
      successes[id, default: 0] += 1
    }
    #expect(successes.count == Self.count)
    #expect(successes.values.allSatisfy { $0 == 1 }, "a change was applied twice at \(rate)")

    // 3. The journal agrees: across the runs, each item was applied once and nothing failed for good.
    var journaledApplied: [String: Int] = [:]
    for run in try journal.runs() {
      for item in try journal.items(ofRun: run.id) where item.outcome == .applied {
        journaledApplied[item.targetId.lowercased(), default: 0] += 1
      }
    }
    applied = journaledApplied.count
    #expect(applied == Self.count)
    #expect(journaledApplied.values.allSatisfy { $0 == 1 })
    #expect(attempts <= 6)
    try await server.shutdown()
  }
}
