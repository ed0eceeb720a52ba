/// A message for the admin on stderr: `anchorbridge: text` on a terminal; when stderr is a file or
/// pipe (cron, systemd), the same JSON-lines shape as the logs, so one parser reads everything.
enum Messages {
  static func emit(_ level: String, _ text: String, sink: OutputSink = .standardError) {
    guard !sink.isTerminal else {
      let prefix = level == "error" || level == "notice" ? "" : "\(level): "
      sink.write("anchorbridge: \(prefix)\(text)\n")
      return
    }
    var json = JSONText(capacity: 128 + text.utf8.count)
    json.raw("{\"time\":")
    json.string(LogOutput.timestamp())
    json.raw(",\"level\":")
    json.string(level)
    json.raw(",\"logger\":\"anchorbridge\",\"message\":")
    json.string(text)
    json.raw("}\n")
    sink.write(json.bytes)
  }
}
