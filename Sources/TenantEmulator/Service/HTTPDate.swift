import Foundation

/// The IMF-fixdate form of HTTP `Date` and `Retry-After` headers (RFC 9110 §5.6.7).
enum HTTPDate {
  static func string(from date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
    return formatter.string(from: date)
  }
}
