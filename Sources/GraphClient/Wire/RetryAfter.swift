import Foundation

/// `Retry-After` parsing (graph-facts §5): delta-seconds that may be fractional ("2.128"), or an
/// HTTP-date. Returns seconds to wait, never negative; nil when absent or unreadable.
public enum RetryAfter {
  public static func seconds(from value: String?, now: Date = Date()) -> Double? {
    guard let raw = value?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
    if let seconds = Double(raw), seconds.isFinite {
      return max(0, seconds)
    }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
    if let date = formatter.date(from: raw) {
      return max(0, date.timeIntervalSince(now))
    }
    return nil
  }
}
