import CLDAP
import Dispatch
import Synchronization

/// Ends a libldap call that overran its deadline by shutting its socket down from another thread.
///
/// libldap bounds connect() and result waits, but its TLS handshake can wait (and spin) forever on
/// a server that accepts TCP and never answers. shutdown(2) on the recorded socket makes the blocked
/// call fail at once; the connection is unusable afterwards, which is what a deadline means.
///
/// `cancel()` and the timer are exclusive (one mutex): once `cancel()` has returned, the timer
/// never touches the watch, so the handle may be used or freed.
final class SocketWatchdog {
  private let item: DispatchWorkItem
  private let state: WatchdogState

  /// - Parameter watch: the handle's watch, alive for the whole guarded call (the handle owns it).
  init(watch: UnsafeMutablePointer<cldap_watch>, deadline: Duration) {
    let address = UInt(bitPattern: watch)
    let state = WatchdogState()
    self.state = state
    item = DispatchWorkItem {
      state.armed.withLock { armed in
        guard armed, let watch = UnsafeMutablePointer<cldap_watch>(bitPattern: address) else {
          return
        }
        _ = cldap_watch_interrupt(watch)
        armed = false
        state.fired.store(true, ordering: .sequentiallyConsistent)
      }
    }
    let (seconds, attoseconds) = deadline.components
    let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
    SocketWatchdog.queue.asyncAfter(deadline: .now() + .nanoseconds(nanoseconds), execute: item)
  }

  /// A serial queue of its own, not the global one: libdispatch on Linux caps the global queues'
  /// threads at the core count and can't see them blocked, so a process whose other work blocks
  /// them (a test process waiting on subprocesses, say) delayed the watchdog by many seconds
  /// (a 4 s deadline fired after > 6 s in a full test run). A serial queue is "overcommit": it
  /// gets a thread even when those are all taken.
  private static let queue = DispatchQueue(label: "anchorbridge.ldap.watchdog")

  /// Disarms the watchdog; returns whether it had already fired.
  func cancel() -> Bool {
    state.armed.withLock { $0 = false }
    item.cancel()
    return state.fired.load(ordering: .sequentiallyConsistent)
  }
}

private final class WatchdogState: Sendable {
  let armed = Mutex(true)
  let fired = Atomic<Bool>(false)
}
