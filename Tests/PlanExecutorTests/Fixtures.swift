import AnchorCore
import PlanExecutor
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Stops the executor at a crash point, as SIGKILL would (tests catch it instead of dying).
struct Halt: Error, Equatable {
  var point: CrashPoint
}

/// A crash hook that throws `Halt` the n-th time `point` is passed.
func halting(at point: CrashPoint, occurrence: Int) -> CrashHook {
  let counter = Counter()
  return { passed in
    if passed == point, counter.next() == occurrence { throw Halt(point: point) }
  }
}

final class Counter: Sendable {
  private let value = Mutex(0)
  func next() -> Int {
    value.withLock {
      $0 += 1
      return $0
    }
  }
}

/// A clock that advances one second per call, from 2026-11-29T04:00:00Z.
func steppingClock() -> @Sendable () -> String {
  let counter = Counter()
  return {
    let seconds = counter.next()
    let minute = seconds / 60 % 60
    let second = seconds % 60
    let hour = 4 + seconds / 3600
    func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return "2026-11-29T\(two(hour)):\(two(minute)):\(two(second))Z"
  }
}

/// A fresh private folder under /tmp.
func temporaryDirectory() -> String {
  var template = Array("/tmp/planexecutor-tests-XXXXXX".utf8CString)
  return template.withUnsafeMutableBufferPointer { buffer in
    // mkdtemp fills in the X's in place and returns the same pointer, or NULL.
    guard let made = mkdtemp(buffer.baseAddress!) else { fatalError("mkdtemp failed: \(errno)") }
    return String(cString: made)
  }
}

enum Fixture {
  static let tenantId = "11111111-2222-3333-4444-555555555555"
  static let federated: Set<String> = ["fed.contoso.com"]
  static let domains = [
    TenantDomain(name: "contoso.onmicrosoft.com", authenticationType: .managed, isInitial: true),
    TenantDomain(name: "contoso.com", authenticationType: .managed),
    TenantDomain(name: "fed.contoso.com", authenticationType: .federated),
  ]

  static func guid(_ n: Int) -> ObjectGUID {
    ObjectGUID(bytes: (0..<16).map { UInt8(truncatingIfNeeded: n &+ $0 * 7) })!
  }

  static func anchor(_ n: Int) -> SourceAnchor { SourceAnchor(guid: guid(n)) }
  static func anchorText(_ n: Int) -> String { anchor(n).immutableId }

  static func ad(_ n: Int, upn: String) -> DirectoryUser {
    DirectoryUser(
      source: "corp", distinguishedName: "CN=user\(n),OU=Users,DC=corp,DC=example",
      objectGUID: guid(n), anchor: anchor(n), anchorSource: "objectGUID", userPrincipalName: upn,
      samAccountName: "user\(n)")
  }

  static func user(_ upn: String, _ anchor: Int? = nil, synced: Bool? = nil) -> MemoryTenant.User {
    MemoryTenant.User(userPrincipalName: upn, immutableId: anchor.map(anchorText), synced: synced)
  }
}

/// One tenant, one journal folder, and plans made by the real planners from the tenant's state.
struct Scenario {
  let tenant: MemoryTenant
  let directory: String
  let journal: Journal
  /// One clock for every executor of the scenario, as a real machine has.
  let clock = steppingClock()

  init(_ users: [String: MemoryTenant.User]) throws {
    tenant = MemoryTenant(users: users, federatedDomains: Fixture.federated)
    directory = temporaryDirectory() + "/state"
    journal = try Journal.open(directory: directory)
  }

  func executor(maxChanges: Int = 50, waveSize: Int = 200, crash: CrashHook? = nil)
    -> PlanExecutor
  {
    PlanExecutor(
      port: tenant, journal: journal,
      options: ExecutorOptions(
        maxChanges: maxChanges, waveSize: waveSize, now: clock, crashHook: crash,
        readBackRetries: 1, readBackDelay: .zero))
  }

  func snapshot() async -> TenantSnapshot {
    let users = await tenant.users.map { id, user in
      CloudUser(
        id: id, userPrincipalName: user.userPrincipalName,
        onPremisesImmutableId: user.immutableId.map { SourceAnchor(immutableId: $0) },
        onPremisesSyncEnabled: user.synced)
    }
    return TenantSnapshot(
      tenantId: Fixture.tenantId, users: users.sorted { $0.id < $1.id }, domains: Fixture.domains,
      flags: TenantFlags(
        blockSoftMatchEnabled: false, blockCloudObjectTakeoverThroughHardMatchEnabled: false))
  }

  /// A link plan from HardMatchPlanner (relinks allowed).
  func linkPlan(_ directoryUsers: [DirectoryUser]) async -> Plan {
    HardMatchPlanner(settings: PlanSettings(allowRelink: true)).plan(
      directoryUsers: directoryUsers, tenant: await snapshot(), createdAt: "2026-11-29T03:00:00Z")
  }

  /// A clear plan from ClearPlanner for these cloud user ids.
  func clearPlan(_ ids: Set<String>, allowFederatedClear: Bool = false) async -> Plan {
    ClearPlanner(
      settings: PlanSettings(allowFederatedClear: allowFederatedClear),
      scope: ClearScope(userIds: ids)
    ).plan(tenant: await snapshot(), newForestUsers: [], createdAt: "2026-11-29T03:00:00Z")
  }
}

extension PlanExecutor {
  /// Applies a plan with the checksum its file would carry, as the CLI passes it.
  func apply(_ plan: Plan, planSource: String?, expectedTenant: String?) async throws -> RunReport {
    try await apply(
      plan, checksum: plan.writeJSON { _ in }, planSource: planSource,
      expectedTenant: expectedTenant)
  }
}
