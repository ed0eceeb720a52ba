import Foundation
import Logging
import PlanExecutor

/// Logs go to stderr: JSON lines when stderr is not a terminal (cron, systemd, CI), one readable
/// line otherwise. Level from `ANCHORBRIDGE_LOG_LEVEL` (default `notice`). Nothing logged here carries a
/// secret: GraphClient and LDAPClient never put tokens, passwords or keys into log metadata.
struct LogOutput: LogHandler {
  var metadata: Logger.Metadata = [:]
  var logLevel: Logger.Level
  let label: String
  let json: Bool
  let sink = OutputSink.standardError

  static func bootstrap(environment: [String: String] = ProcessInfo.processInfo.environment) {
    let level =
      environment["ANCHORBRIDGE_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) }
      ?? .notice
    let json = !OutputSink.standardError.isTerminal
    LoggingSystem.bootstrap { label in LogOutput(logLevel: level, label: label, json: json) }
  }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    var all = metadata
    if let extra = event.metadata { all.merge(extra) { _, new in new } }
    let time = Self.timestamp()
    if json {
      var text = JSONText(capacity: 256)
      text.raw("{\"time\":")
      text.string(time)
      text.raw(",\"level\":")
      text.string(event.level.rawValue)
      text.raw(",\"logger\":")
      text.string(label)
      text.raw(",\"message\":")
      text.string("\(event.message)")
      for (key, value) in all.sorted(by: { $0.key < $1.key }) {
        text.raw(",")
        text.string(key)
        text.raw(":")
        text.string("\(value)")
      }
      text.raw("}\n")
      sink.write(text.bytes)
    } else {
      let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        .joined(separator: " ")
      sink.write(
        "\(time) \(event.level.rawValue) \(event.message)\(fields.isEmpty ? "" : " " + fields)\n")
    }
  }

  static func timestamp(_ date: Date = Date()) -> String {
    var seconds = time_t(date.timeIntervalSince1970)
    var parts = tm()
    gmtime_r(&seconds, &parts)
    let millis = Int(date.timeIntervalSince1970 * 1000) % 1000
    return String(
      format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900,
      Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min),
      Int(parts.tm_sec), millis)
  }
}
