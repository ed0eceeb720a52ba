/// A running count on stderr, shown only when stderr is a terminal.
final class Progress {
  let label: String
  let sink: OutputSink
  let enabled: Bool
  private var count = 0

  init(label: String, sink: OutputSink) {
    self.label = label
    self.sink = sink
    self.enabled = sink.isTerminal
  }

  func advance(by n: Int) {
    count += n
    if enabled { sink.write("\r\(label): \(count)") }
  }

  func done() {
    if enabled { sink.write("\r\(label): \(count)\n") }
  }
}
