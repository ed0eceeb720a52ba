/// Bounded retries: `Retry-After` when the service sends one, otherwise exponential backoff
/// with full jitter for 5xx, timeouts and connection resets. Pure; the random source is injected.
public struct RetryPolicy: Sendable, Equatable {
  /// Total tries of one request, the first included.
  public var maxAttempts: Int
  /// Backoff ceiling of the first retry, doubled per retry.
  public var baseDelay: Double
  /// No single computed backoff exceeds this.
  public var maxDelay: Double
  /// A `Retry-After` longer than this is not waited out: the request fails with the 429/503.
  public var maxRetryAfter: Double

  public init(
    maxAttempts: Int = 6, baseDelay: Double = 0.5, maxDelay: Double = 30,
    maxRetryAfter: Double = 300
  ) {
    self.maxAttempts = max(1, maxAttempts)
    self.baseDelay = baseDelay
    self.maxDelay = maxDelay
    self.maxRetryAfter = maxRetryAfter
  }

  /// The upper bound of the backoff before retry number `retry` (1-based):
  /// min(maxDelay, baseDelay · 2^(retry-1)).
  public func backoffCeiling(retry: Int) -> Double {
    let exponent = Double(max(0, min(retry - 1, 30)))
    return min(maxDelay, baseDelay * pow2(exponent))
  }

  /// Full jitter: uniform in [ceiling/2, ceiling], so retries of parallel requests spread out
  /// but never collapse to zero. `unit` is a random value in [0, 1).
  public func backoff(retry: Int, unit: Double) -> Double {
    let ceiling = backoffCeiling(retry: retry)
    return ceiling / 2 + ceiling / 2 * min(max(unit, 0), 1)
  }

  /// The wait before retry `retry`: the server's `Retry-After` wins when present.
  public func delay(retry: Int, retryAfter: Double?, unit: Double) -> Double {
    if let retryAfter { return retryAfter }
    return backoff(retry: retry, unit: unit)
  }

  private func pow2(_ exponent: Double) -> Double {
    var value = 1.0
    for _ in 0..<Int(exponent) { value *= 2 }
    return value
  }
}
