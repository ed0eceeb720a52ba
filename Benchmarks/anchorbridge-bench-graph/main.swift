// Bulk ImmutableID writes vs one-at-a-time PATCH against the emulator's write quota.
// Usage: anchorbridge-bench-graph [writes] [quotaCount] [quotaSeconds] [latencyMs] [concurrency]
import Foundation
import GraphClient
import Logging
import TenantEmulator

let arguments = CommandLine.arguments.dropFirst().map { Int($0) }
func argument(_ index: Int, _ fallback: Int) -> Int {
  index < arguments.count ? (arguments[index] ?? fallback) : fallback
}
let writes = argument(0, 1_000)
let quota = WriteQuota(count: argument(1, 300), seconds: Double(argument(2, 15)))
let latency = Duration.milliseconds(argument(3, 100))
let concurrency = argument(4, 8)

let tenantID = "5e1f0a00-0000-4000-8000-00000000beef"
let clientID = "c1100000-0000-4000-8000-00000000beef"
let secret = "bench-secret-value"

func userID(_ index: Int) -> String { "00000000-0000-4000-8000-" + String(format: "%012d", index) }
func anchor(_ index: Int) -> String { Data("bench-anchor-\(index)".utf8).base64EncodedString() }

/// A tenant with `writes` cloud-only users in a managed domain, written by hand as JSON text.
func stateJSON() -> String {
  let users = (1...writes).map { index in
    """
    {"id":"\(userID(index))","userPrincipalName":"u\(index)@bench.onmicrosoft.com","accountEnabled":true,\
    "displayName":"U\(index)","mailNickname":"u\(index)","onPremisesImmutableId":null,"onPremisesSyncEnabled":null}
    """
  }
  return """
    {"tenantId":"\(tenantID)","domains":[{"id":"bench.onmicrosoft.com","authenticationType":"Managed","isInitial":true,"isVerified":true,"isDefault":true}],
     "applications":[{"clientId":"\(clientID)","clientSecret":"\(secret)","privilegedRole":false}],
     "users":[\(users.joined(separator: ","))],"groups":[],"roleAssignments":[],"features":{},"organization":{}}
    """
}

struct Row {
  var name: String
  var seconds: Double
  var failed: Int
  var duplicated: Int
  var throttled: Int
  var wrong: Int
}

func seconds(_ duration: Duration) -> Double {
  Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

func run(_ name: String, bulk: Bool, clientLimiter: Bool = true) async throws -> Row {
  let server = try await TenantEmulatorServer.start(
    stateJSON: Data(stateJSON().utf8),
    options: EmulatorOptions(latency: latency, writeQuota: (quota.count, quota.seconds)))
  let configuration = TenantConfiguration(
    tenant: tenantID, clientID: clientID, authorityHost: server.baseURL, graphHost: server.baseURL,
    credential: .clientSecret(.environment(name: "BENCH_SECRET")))
  var logger = Logger(label: "bench")
  logger.logLevel = .error
  let work = try (1...writes).map {
    UserWrite(userID: userID($0), patch: UserPatch(immutableID: .set(try ImmutableID(anchor($0)))))
  }
  let (outcomes, elapsed) = try await withGraphClient(
    configuration: configuration,
    options: GraphClientOptions(
      writeQuota: clientLimiter ? quota : nil, maxConnections: max(concurrency, 4)),
    logger: logger, environment: ["BENCH_SECRET": secret]
  ) { client in
    _ = try await client.domains()  // token and connection warm-up, outside the timing
    let start = ContinuousClock.now
    let outcomes =
      bulk
      ? try await client.patchUsers(work, concurrency: concurrency)
      : try await client.patchUsersSequentially(work)
    return (outcomes, ContinuousClock.now - start)
  }
  let log = await server.requestLog().filter { $0.method == "PATCH" }
  let applied = Dictionary(grouping: log.filter { ($0.status ?? 0) / 100 == 2 }, by: \.target)
  let state = try JSONSerialization.jsonObject(with: try await server.stateJSON()) as? [String: Any]
  let stored = (state?["users"] as? [[String: Any]] ?? []).reduce(into: [String: String]()) {
    if let id = $1["id"] as? String, let value = $1["onPremisesImmutableId"] as? String {
      $0[id] = value
    }
  }
  try await server.shutdown()
  let wrong = (1...writes).filter { stored[userID($0)] != anchor($0) }.count
  return Row(
    name: name, seconds: seconds(elapsed),
    failed: outcomes.filter { if case .failure = $0.result { true } else { false } }.count,
    duplicated: applied.values.filter { $0.count > 1 }.count,
    throttled: log.filter { $0.status == 429 }.count, wrong: wrong)
}

let bulk = try await run("bulk ($batch ×20, \(concurrency) in flight)", bulk: true)
let reactive = try await run(
  "bulk, client limiter off (429-driven)", bulk: true, clientLimiter: false)
let sequential = try await run("one at a time (sequential PATCH)", bulk: false)

// A fresh sliding window admits `count` at once, then `count` per window: the best possible
// wall time for `writes` is (ceil(writes / count) - 1) windows.
let ideal = Double((writes + quota.count - 1) / quota.count - 1) * quota.seconds
print(
  "writes: \(writes), quota: \(quota.count) / \(Int(quota.seconds)) s (ceiling \(quota.ceiling) writes/s), latency: \(latency)"
)
print("")
print(
  "| path | writes | wall time (s) | writes/s | ÷ ceiling | ideal time ÷ wall | failed | duplicated | wrong value | 429s |"
)
print("|---|---|---|---|---|---|---|---|---|---|")
for row in [bulk, reactive, sequential] {
  let rate = Double(writes) / row.seconds
  print(
    "| \(row.name) | \(writes) | \(String(format: "%.1f", row.seconds)) | \(String(format: "%.1f", rate)) "
      + "| \(String(format: "%.2f", rate / quota.ceiling)) | \(String(format: "%.2f", ideal / row.seconds)) "
      + "| \(row.failed) | \(row.duplicated) | \(row.wrong) | \(row.throttled) |")
}
print("")
print("bulk vs one-at-a-time: \(String(format: "%.1f", sequential.seconds / bulk.seconds))× faster")
