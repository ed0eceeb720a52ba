import Foundation

/// The total time budget of `run`: the job is cancelled when the budget is spent (a write in flight
/// then stays a journaled intent that the next run recovers by reading the tenant; journal commits
/// are never cut). A job that still has not stopped after `grace` is abandoned, so the lock is
/// released and cron's next run is never blocked by a server that hangs.
enum RunBudget {
  struct Exhausted: Error, CustomStringConvertible {
    var seconds: Int
    var description: String {
      "run stopped: its time budget of \(seconds) s (run.maxSeconds / --max-seconds) is spent; "
        + "writes in flight stay journaled and the next run recovers them"
    }
  }

  /// `body`'s result, or `Exhausted` once `seconds` have passed (after at most `grace` more).
  static func within<T: Sendable>(
    seconds: Int, grace: Duration = .seconds(30),
    _ body: @escaping @Sendable () async throws -> T
  ) async throws -> T {
    let work = Task { try await body() }
    let outcome = Outcome<T>()
    let result: Result<T, any Error> = await withCheckedContinuation { continuation in
      outcome.install(continuation)
      Task {
        do { outcome.resolve(.success(try await work.value)) } catch {
          outcome.resolve(.failure(error))
        }
      }
      Task {
        try? await Task.sleep(for: .seconds(seconds))
        guard !outcome.isResolved else { return }
        outcome.expire()
        work.cancel()
        try? await Task.sleep(for: grace)
        outcome.resolve(.failure(Exhausted(seconds: seconds)))
      }
    }
    work.cancel()
    // A job cut short by the budget ends with whatever cancellation made of it: report the budget.
    if outcome.expired, case .failure = result { throw Exhausted(seconds: seconds) }
    return try result.get()
  }

  /// The first result wins; later ones are dropped.
  // @unchecked Sendable: every stored property is read and written only while holding `lock`.
  private final class Outcome<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Result<T, any Error>, Never>?
    private var pending: Result<T, any Error>?
    private var done = false
    private var budgetSpent = false

    func install(_ continuation: CheckedContinuation<Result<T, any Error>, Never>) {
      lock.lock()
      defer { lock.unlock() }
      if let pending {
        continuation.resume(returning: pending)
        done = true
      } else {
        self.continuation = continuation
      }
    }

    func resolve(_ result: Result<T, any Error>) {
      lock.lock()
      defer { lock.unlock() }
      guard !done else { return }
      if let continuation {
        done = true
        self.continuation = nil
        continuation.resume(returning: result)
      } else if pending == nil {
        pending = result
      }
    }

    func expire() {
      lock.lock()
      defer { lock.unlock() }
      budgetSpent = true
    }

    var isResolved: Bool {
      lock.lock()
      defer { lock.unlock() }
      return done || pending != nil
    }

    var expired: Bool {
      lock.lock()
      defer { lock.unlock() }
      return budgetSpent
    }
  }
}
