import Foundation
import Logging

/// Collects every log line (message + metadata) so tests can grep them for secrets.
final class LogCapture: @unchecked Sendable {
  // @unchecked: `lines` is only touched while holding `lock`.
  private let lock = NSLock()
  private var lines: [String] = []

  func append(_ line: String) {
    lock.lock()
    lines.append(line)
    lock.unlock()
  }

  var text: String {
    lock.lock()
    defer { lock.unlock() }
    return lines.joined(separator: "\n")
  }

  var count: Int {
    lock.lock()
    defer { lock.unlock() }
    return lines.count
  }

  func logger(label: String = "test.graph") -> Logger {
    var logger = Logger(label: label) { _ in Handler(capture: self) }
    logger.logLevel = .trace
    return logger
  }

  struct Handler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
      get { metadata[key] }
      set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
      var all = metadata
      for (key, value) in event.metadata ?? [:] { all[key] = value }
      capture.append("\(event.level) \(event.message) \(all)")
    }
  }
}
