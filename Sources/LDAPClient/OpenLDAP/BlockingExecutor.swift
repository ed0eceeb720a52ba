import CLDAP
import Foundation

/// A serial executor that owns one dedicated OS thread.
///
/// libldap's synchronous calls block for a network round trip; running them on Swift's cooperative
/// pool (two threads on a two-core machine) would stall every other task. Each `LDAPConnection` actor
/// runs on its own `BlockingExecutor`, so one LDAP handle is only ever touched by one thread.
final class BlockingExecutor: SerialExecutor, @unchecked Sendable {
  // @unchecked Sendable: `jobs` and `stopped` are only read or written while holding `condition`.
  private let condition = NSCondition()
  private var jobs: [UnownedJob] = []
  private var stopped = false

  init(name: String) {
    let thread = Thread { [self] in
      // Thread.name does not reach the OS on Linux; name it for ps/gdb from inside.
      cldap_name_current_thread(String(name.prefix(15)))
      // libldap writes to its socket with write(2): on a connection the peer (or the watchdog)
      // closed, that raises SIGPIPE, whose default action ends the whole process. Blocked on this
      // thread only, the write fails with EPIPE and libldap reports the error; a SIGPIPE from
      // writing stdout to a closed pipe on other threads keeps its usual meaning.
      cldap_block_sigpipe_on_current_thread()
      self.runLoop()
    }
    thread.start()
  }

  func enqueue(_ job: consuming ExecutorJob) {
    let unowned = UnownedJob(job)
    condition.lock()
    jobs.append(unowned)
    condition.signal()
    condition.unlock()
  }

  func asUnownedSerialExecutor() -> UnownedSerialExecutor {
    UnownedSerialExecutor(ordinary: self)
  }

  /// Lets the thread finish once queued jobs have run; called when the owning actor goes away.
  func shutdown() {
    condition.lock()
    stopped = true
    condition.signal()
    condition.unlock()
  }

  private func runLoop() {
    while true {
      condition.lock()
      while jobs.isEmpty && !stopped { condition.wait() }
      if jobs.isEmpty && stopped {
        condition.unlock()
        return
      }
      let batch = jobs
      jobs.removeAll(keepingCapacity: true)
      condition.unlock()
      for job in batch { job.runSynchronously(on: asUnownedSerialExecutor()) }
    }
  }
}
