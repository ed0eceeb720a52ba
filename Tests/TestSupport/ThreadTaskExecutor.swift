import Foundation

/// A task executor with a thread of its own, for tests that time an `await`.
///
/// Tests run as tasks on the cooperative pool, which has one thread per core (two here). When other
/// suites hold both threads for a while, a task that awaits something is resumed late, and a test
/// that times the await measures that wait too (the LDAP timeout tests saw 11-26 s for a 4 s
/// deadline in full runs). Code run under `withTaskExecutorPreference(executor)` resumes on this
/// thread instead, so the clock sees only the work being timed.
public final class ThreadTaskExecutor: TaskExecutor, @unchecked Sendable {
  // @unchecked Sendable: `jobs` and `stopped` are only touched under `condition`.
  private let condition = NSCondition()
  private var jobs: [UnownedJob] = []
  private var stopped = false

  public init(name: String = "test-executor") {
    let thread = Thread { [self] in run() }
    thread.name = name
    thread.start()
  }

  public func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    condition.lock()
    jobs.append(job)
    condition.signal()
    condition.unlock()
  }

  /// Ends the thread once the jobs enqueued so far have run.
  public func shutdown() {
    condition.lock()
    stopped = true
    condition.signal()
    condition.unlock()
  }

  private func run() {
    while true {
      condition.lock()
      while jobs.isEmpty && !stopped { condition.wait() }
      if jobs.isEmpty {
        condition.unlock()
        return
      }
      let job = jobs.removeFirst()
      condition.unlock()
      job.runSynchronously(on: asUnownedTaskExecutor())
    }
  }
}
