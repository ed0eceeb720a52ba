import Foundation

/// A TCP relay in front of the DC that drops the connection after `cutAfter` bytes from the server:
/// the DC going away in the middle of a paged read, as the client sees it. TLS passes through
/// untouched (the relay listens on the DC's own address, which its certificate names).
final class CuttingProxy: @unchecked Sendable {
  // @unchecked Sendable: the descriptors are written once in init; the relay threads only read them.
  let listener: Int32
  let port: Int

  init(host: String, upstreamPort: Int, cutAfter: Int) throws {
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    self.listener = listener
    var address = Self.address(host, port: 0)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0, listen(listener, 16) == 0 else {
      Glibc.close(listener)
      throw POSIXError(.EADDRINUSE)
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
    }
    port = Int(UInt16(bigEndian: address.sin_port))
    Thread.detachNewThread {
      while true {
        let client = accept(listener, nil, nil)
        guard client >= 0 else { return }  // closed
        let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var upstream = Self.address(host, port: upstreamPort)
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
    Glibc.close(listener)
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

  static func address(_ host: String, port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr(host)
    address.sin_port = UInt16(port).bigEndian
    return address
  }
}
