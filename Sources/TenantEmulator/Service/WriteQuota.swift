import Foundation

/// Graph's write quota as a sliding window: at most `limit` writes in any `window` seconds.
/// A write refused here is never applied.
struct WriteQuota: Sendable {
  let limit: Int
  let window: Double
  private var stamps: [Double] = []  // admission times, ascending
  private var head = 0

  init(limit: Int, window: Double) {
    self.limit = limit
    self.window = window
  }

  enum Decision: Equatable {
    /// Admitted; `usage` is the share of the quota now used (0...1).
    case admitted(usage: Double)
    /// Refused; retry after this many seconds.
    case throttled(retryAfter: Double)
  }

  mutating func admit(at now: Double) -> Decision {
    while head < stamps.count, stamps[head] <= now - window { head += 1 }
    if head > 1024 {
      stamps.removeFirst(head)
      head = 0
    }
    let inWindow = stamps.count - head
    guard inWindow < limit else {
      return .throttled(retryAfter: max(0.1, stamps[head] + window - now))
    }
    stamps.append(now)
    return .admitted(usage: Double(inWindow + 1) / Double(limit))
  }

  /// `Retry-After` text: seconds rounded up to a tenth, e.g. "2.5" (Graph may send fractions).
  static func retryAfterText(_ seconds: Double) -> String {
    let tenths = (seconds * 10).rounded(.up) / 10
    return tenths == tenths.rounded() ? String(Int(tenths)) : String(format: "%.1f", tenths)
  }
}
