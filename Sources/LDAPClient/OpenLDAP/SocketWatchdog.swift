import CLDAP
import Dispatch
import Synchronization

/// Ends a libldap call that overran its deadline by shutting its socket down from another thread.
///
/// libldap bounds connect() and result waits, but its TLS handshake can wait (and spin) forever on
/// a server that accepts TCP and never answers. shutdown(2) on the recorded socket makes the blocked
/// call fail at once; the connection is unusable afterwards, which is what a deadline means.
final class SocketWatchdog {
  private let item: DispatchWorkItem
  private let state: WatchdogState

  /// - Parameter slot: the handle's socket slot (see `cldap_watch_new`). The handle, and so the
  ///   slot, outlives the guarded call, and `cancel()` is called before the call's result is used.
  init(slot: UnsafeMutablePointer<Int32>, deadline: Duration) {
    let address = UInt(bitPattern: slot)
    let state = WatchdogState()
    self.state = state
    item = DispatchWorkItem {
      guard let slot = UnsafeMutablePointer<Int32>(bitPattern: address) else { return }
      if cldap_watch_interrupt(slot) == 1 {
        state.fired.store(true, ordering: .sequentiallyConsistent)
      }
    }
    let (seconds, attoseconds) = deadline.components
    let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
    DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds), execute: item)
  }

  /// Stops the watchdog; returns whether it had already fired.
  func cancel() -> Bool {
    item.cancel()
    return state.fired.load(ordering: .sequentiallyConsistent)
  }
}

private final class WatchdogState: Sendable {
  let fired = Atomic<Bool>(false)
}
