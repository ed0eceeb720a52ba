import AnchorCore
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The journal points where a test can stop the executor as a crash would.
public enum CrashPoint: String, Sendable, CaseIterable {
  /// The run and its items are journaled, nothing written yet.
  case afterRunStart
  /// A round's intents are durable, the port not called yet.
  case afterIntent
  /// The port returned, its results not journaled yet.
  case afterWrite
  /// done/failed are durable, nothing read back yet.
  case afterDone
  /// The read-back results are durable.
  case afterVerify
}

/// Called at every crash point; throwing stops the executor right there, leaving the journal as a
/// killed process would (no cleanup runs: the executor has no `defer` that touches the journal).
public typealias CrashHook = @Sendable (CrashPoint) throws -> Void

public struct ExecutorOptions: Sendable {
  /// Safety threshold (like Entra Connect's accidental-delete prevention): a plan or rollback with
  /// more writing items is refused before any write.
  public var maxChanges: Int = 50
  /// Items read and written per round.
  public var waveSize: Int = 200
  /// RFC 3339 UTC clock (injected by tests).
  public var now: @Sendable () -> String
  /// Test-only stop points; by default (debug builds) driven by `ANCHORBRIDGE_TEST_CRASH`.
  public var crashHook: CrashHook?
  /// How many times a read-back that does not show the write yet is repeated before the step is
  /// `failed`: Entra ID replicates, so a read right after a write can miss it.
  public var readBackRetries: Int = 2
  /// The pause before each repeated read-back.
  public var readBackDelay: Duration = .seconds(1)
  /// The plan kind the port writes (`.anchorWriteback` for a `DirectoryAnchorPort`): plans and
  /// runs of another kind are refused, and recovery leaves their interrupted runs to an executor
  /// with the right port (a cloud id must never be read from LDAP, nor a DN from Graph).
  public var planKind: PlanKind = .users

  public init(
    maxChanges: Int = 50, waveSize: Int = 200,
    now: @escaping @Sendable () -> String = ExecutorOptions.utcNow,
    crashHook: CrashHook? = ExecutorOptions.environmentCrashHook(),
    readBackRetries: Int = 2, readBackDelay: Duration = .seconds(1)
  ) {
    self.maxChanges = maxChanges
    self.waveSize = max(1, waveSize)
    self.now = now
    self.crashHook = crashHook
    self.readBackRetries = max(0, readBackRetries)
    self.readBackDelay = readBackDelay
  }

  /// The current time as `2026-11-29T04:15:02Z` (time + gmtime_r + strftime).
  @Sendable public static func utcNow() -> String {
    var seconds = time(nil)
    var parts = tm()
    guard gmtime_r(&seconds, &parts) != nil else { return "1970-01-01T00:00:00Z" }
    var buffer = [CChar](repeating: 0, count: 32)
    let length = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
    guard length > 0 else { return "1970-01-01T00:00:00Z" }
    return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// In debug builds, `ANCHORBRIDGE_TEST_CRASH=<point>:<n>` kills the process with SIGKILL at the
  /// n-th time it passes `point` (the CLI end-to-end tests use it). Release builds: nil.
  public static func environmentCrashHook() -> CrashHook? {
    #if DEBUG
      guard let raw = getenv("ANCHORBRIDGE_TEST_CRASH") else { return nil }
      let setting = String(cString: raw)
      let parts = setting.split(separator: ":")
      guard parts.count == 2, let point = CrashPoint(rawValue: String(parts[0])),
        let limit = Int(parts[1]), limit > 0
      else {
        // A typo must not let a crash test pass without crashing.
        fatalError(
          "ANCHORBRIDGE_TEST_CRASH=\(setting) is not <point>:<n> with point one of "
            + CrashPoint.allCases.map(\.rawValue).joined(separator: ", "))
      }
      let counter = CrashCounter()
      return { passed in
        guard passed == point, counter.increment() == limit else { return }
        kill(getpid(), SIGKILL)
      }
    #else
      return nil
    #endif
  }
}

/// How many times a crash point was passed, shared by the hook's calls.
private final class CrashCounter: Sendable {
  private let count = Mutex(0)
  func increment() -> Int {
    count.withLock { value in
      value += 1
      return value
    }
  }
}
