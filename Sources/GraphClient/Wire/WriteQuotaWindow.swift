/// The documented write quota per app+tenant (graph-facts §5): 3,000 writes per 150 s.
public struct WriteQuota: Sendable, Equatable {
  public var count: Int
  public var seconds: Double

  public init(count: Int, seconds: Double) {
    self.count = max(1, count)
    self.seconds = max(0.001, seconds)
  }

  public static let graphAppTenant = WriteQuota(count: 3000, seconds: 150)

  /// The sustained ceiling, writes per second.
  public var ceiling: Double { Double(count) / seconds }
}

/// A client-side write limiter as a pure value: a sliding-window log of granted writes.
/// Never more than `limit` writes in any window of `quota.seconds + margin`; that also keeps a
/// fixed-window or token-bucket server of the same quota satisfied. A 429 blocks everything
/// until its `Retry-After` and lowers the limit by a fifth; each clean window restores a tenth.
/// Times are seconds on any monotonic scale, so tests drive it with plain numbers.
public struct WriteQuotaWindow: Sendable, Equatable {
  public enum Decision: Sendable, Equatable {
    case granted
    /// Not before this time; ask again then.
    case waitUntil(Double)
  }

  public let quota: WriteQuota
  /// Slack on the window for clock skew and request latency.
  public let margin: Double
  public private(set) var limit: Int
  public private(set) var blockedUntil: Double = -.infinity
  private var lastAdjustment: Double = -.infinity
  /// Times of granted writes, oldest first (one entry per write).
  private var grants: [Double] = []
  private var head = 0

  public init(quota: WriteQuota, margin: Double? = nil) {
    self.quota = quota
    self.margin = margin ?? max(0.25, quota.seconds * 0.01)
    self.limit = quota.count
  }

  var window: Double { quota.seconds + margin }

  /// Asks for `count` writes at `now`. A request larger than the limit is granted once the
  /// window is empty, so a 20-item batch can't starve under a reduced limit.
  public mutating func reserve(_ count: Int, now: Double) -> Decision {
    if now < blockedUntil { return .waitUntil(blockedUntil) }
    recover(now: now)
    expire(now: now)
    let inWindow = grants.count - head
    if inWindow + count <= limit || inWindow == 0 {
      grants.append(contentsOf: repeatElement(now, count: count))
      return .granted
    }
    // Earliest time enough old grants have left the window.
    let mustLeave = min(inWindow, inWindow + count - limit)
    return .waitUntil(grants[head + mustLeave - 1] + window)
  }

  /// The service said 429 with `retryAfter` seconds: stop until then and slow down.
  /// 429s that arrive while an earlier one still blocks are the same event: they extend the
  /// pause but lower the limit only once.
  /// A `retryAfter` that is not a number of seconds in [0, one day] counts as that bound.
  public mutating func throttled(retryAfter: Double, now: Double) {
    let retryAfter = retryAfter.isNaN ? 0 : min(max(0, retryAfter), Self.longestPause)
    if now >= blockedUntil {
      limit = max(1, limit - max(1, limit / 5))
      lastAdjustment = now
    }
    blockedUntil = max(blockedUntil, now + retryAfter)
  }

  /// No pause of the limiter is longer than a day, whatever it is told.
  static let longestPause: Double = 86_400

  private mutating func recover(now: Double) {
    guard limit < quota.count, now - lastAdjustment >= window else { return }
    limit = min(quota.count, limit + max(1, quota.count / 10))
    lastAdjustment = now
  }

  private mutating func expire(now: Double) {
    while head < grants.count, grants[head] + window <= now { head += 1 }
    if head > 4096, head * 2 > grants.count {
      grants.removeFirst(head)
      head = 0
    }
  }
}

/// The shared limiter every write of one client goes through.
actor WriteLimiter {
  private var state: WriteQuotaWindow
  private let start = ContinuousClock.now

  init(quota: WriteQuota) { state = WriteQuotaWindow(quota: quota) }

  private var now: Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
  }

  /// Waits until `count` writes fit the quota, then records them; returns the seconds waited.
  @discardableResult
  func acquire(_ count: Int) async throws -> Double {
    let asked = now
    while true {
      switch state.reserve(count, now: now) {
      case .granted: return now - asked
      case .waitUntil(let time):
        let wait = time - now
        try await Task.sleep(
          for: .seconds(wait.isNaN ? 0.001 : min(max(0.001, wait), WriteQuotaWindow.longestPause)))
      }
    }
  }

  func throttled(retryAfter: Double) { state.throttled(retryAfter: retryAfter, now: now) }
}
