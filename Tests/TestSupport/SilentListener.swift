import Foundation

/// A TCP listener on loopback that accepts connections (via the kernel backlog) and never answers.
public final class SilentListener: @unchecked Sendable {
  // @unchecked Sendable: `descriptor` is written once in init and only read afterwards.
  let descriptor: Int32
  public let port: Int

  public init() throws {
    (descriptor, port) = try LoopbackSocket.listen(host: "127.0.0.1")
  }

  public func close() { _ = Glibc.close(descriptor) }
}

/// IPv4 TCP sockets for test servers on loopback addresses.
public enum LoopbackSocket {
  /// A listening socket on `host` and a port the kernel picks; returns it and the port.
  public static func listen(host: String) throws -> (descriptor: Int32, port: Int) {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = self.address(host, port: 0)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard bound == 0, Glibc.listen(descriptor, 16) == 0 else {
      Glibc.close(descriptor)
      throw POSIXError(.EADDRINUSE)
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
  }

  /// `host:port` as a socket address.
  public static func address(_ host: String, port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr(host)
    address.sin_port = UInt16(port).bigEndian
    return address
  }
}
