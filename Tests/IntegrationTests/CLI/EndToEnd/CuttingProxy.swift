import Foundation
import TestSupport

/// A TCP relay in front of the DC that drops the connection after `cutAfter` bytes from the server:
/// the DC going away in the middle of a paged read, as the client sees it. TLS passes through
/// untouched (the relay listens on the DC's own address, which its certificate names).
final class CuttingProxy: @unchecked Sendable {
  // @unchecked Sendable: the descriptors are written once in init; the relay threads only read them.
  let listener: Int32
  let port: Int

  init(host: String, upstreamPort: Int, cutAfter: Int) throws {
    let (listener, port) = try LoopbackSocket.listen(host: host)
    self.listener = listener
    self.port = port
    Thread.detachNewThread {
      // The accept thread owns the listener: `close()` only shuts it down, so a descriptor number
      // the kernel reuses for another socket of this process is never accepted on or closed.
      defer { Glibc.close(listener) }
      while true {
        let client = accept(listener, nil, nil)
        guard client >= 0 else { return }  // closed
        let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var upstream = LoopbackSocket.address(host, port: upstreamPort)
        let connected = withUnsafePointer(to: &upstream) {
          $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
          }
        }
        guard connected == 0 else {
          Glibc.close(client)
          Glibc.close(server)
          continue
        }
        Thread.detachNewThread { Self.pump(from: client, to: server, limit: nil) }
        Thread.detachNewThread { Self.pump(from: server, to: client, limit: cutAfter) }
      }
    }
  }

  func close() {
    shutdown(listener, Int32(SHUT_RDWR))
  }

  /// Copies bytes until either side closes or `limit` bytes went through, then drops both.
  static func pump(from source: Int32, to destination: Int32, limit: Int?) {
    var buffer = [UInt8](repeating: 0, count: 16_384)
    var total = 0
    while true {
      let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
      guard count > 0 else { break }
      let allowed = limit.map { min(count, $0 - total) } ?? count
      var written = 0
      while written < allowed {
        let result = buffer.withUnsafeBytes {
          write(destination, $0.baseAddress! + written, allowed - written)
        }
        guard result > 0 else { break }
        written += result
      }
      total += allowed
      if let limit, total >= limit { break }
    }
    shutdown(source, Int32(SHUT_RDWR))
    shutdown(destination, Int32(SHUT_RDWR))
  }
}
