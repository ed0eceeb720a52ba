import Foundation

/// Unbuffered, complete writes to a file descriptor (stdout for results, stderr for progress and
/// messages); each call retries short writes and EINTR until every byte is out.
struct OutputSink {
  let descriptor: Int32

  static let standardOutput = OutputSink(descriptor: STDOUT_FILENO)
  static let standardError = OutputSink(descriptor: STDERR_FILENO)

  var isTerminal: Bool { isatty(descriptor) == 1 }

  func write(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { buffer in
      var offset = 0
      while offset < buffer.count {
        let written = Foundation.write(
          descriptor, buffer.baseAddress! + offset, buffer.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          return  // a closed pipe: nothing useful left to do with the output
        }
        offset += written
      }
    }
  }

  func write(_ text: String) { write(Array(text.utf8)) }
}
