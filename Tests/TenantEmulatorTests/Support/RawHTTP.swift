import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A reply read off the wire.
struct HTTPReply: Sendable {
  let status: Int
  /// Header names lower-cased.
  let headers: [String: String]
  let body: Data

  var object: [String: Any] {
    (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
  }

  var values: [[String: Any]] { object["value"] as? [[String: Any]] ?? [] }

  var errorCode: String? { (object["error"] as? [String: Any])?["code"] as? String }

  var errorMessage: String? { (object["error"] as? [String: Any])?["message"] as? String }

  var text: String { String(decoding: body, as: UTF8.self) }
}

enum RawHTTPError: Error, Equatable {
  case connectFailed(Int32)
  /// The server closed the connection without sending a byte.
  case closedWithoutResponse
  /// The server reset the connection before answering.
  case reset
  /// Nothing arrived within the client's timeout.
  case timedOut
  case malformed
}

/// A deliberately tiny HTTP/1.1 client on POSIX sockets (one request per connection,
/// `Connection: close`), so faults are seen exactly as the wire shows them — no client-side
/// retries or connection reuse. Blocking calls run on Dispatch, off the cooperative pool.
enum RawHTTP {
  static func send(
    port: Int, method: String, target: String, headers: [String: String] = [:],
    body: Data? = nil, timeout: Double = 20
  ) async throws -> HTTPReply {
    // A dedicated thread per request: libdispatch on Linux adds workers slowly when they block,
    // and the cooperative pool must never block (the emulator's actor runs there).
    try await withCheckedThrowingContinuation { continuation in
      let thread = Thread {
        continuation.resume(
          with: Result {
            try sendBlocking(
              port: port, method: method, target: target, headers: headers, body: body,
              timeout: timeout)
          })
      }
      thread.start()
    }
  }

  private static func sendBlocking(
    port: Int, method: String, target: String, headers: [String: String], body: Data?,
    timeout: Double
  ) throws -> HTTPReply {
    #if canImport(Glibc)
      let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
      let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw RawHTTPError.connectFailed(errno) }
    defer { close(fd) }
    var interval = timeval(
      tv_sec: Int(timeout), tv_usec: .init((timeout - timeout.rounded(.down)) * 1_000_000))
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else { throw RawHTTPError.connectFailed(errno) }

    var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
    for (name, value) in headers { head += "\(name): \(value)\r\n" }
    head += "Content-Length: \(body?.count ?? 0)\r\n\r\n"
    var request = Data(head.utf8)
    if let body { request.append(body) }
    try request.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        let sent = socketSend(fd, raw.baseAddress! + offset, raw.count - offset)
        guard sent > 0 else { throw RawHTTPError.reset }
        offset += sent
      }
    }

    var received = Data()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = recv(fd, &buffer, buffer.count, 0)
      if count > 0 {
        received.append(contentsOf: buffer[0..<count])
        continue
      }
      if count == 0 { break }
      if errno == EAGAIN || errno == EWOULDBLOCK { throw RawHTTPError.timedOut }
      if errno == ECONNRESET {
        if received.isEmpty { throw RawHTTPError.reset }
        break
      }
      throw RawHTTPError.malformed
    }
    guard !received.isEmpty else { throw RawHTTPError.closedWithoutResponse }
    return try parse(received)
  }

  private static func parse(_ data: Data) throws -> HTTPReply {
    var rest = data
    // Skip interim 1xx responses.
    while true {
      guard let end = rest.range(of: Data("\r\n\r\n".utf8)) else { throw RawHTTPError.malformed }
      let headText = String(decoding: rest[rest.startIndex..<end.lowerBound], as: UTF8.self)
      var lines = headText.components(separatedBy: "\r\n")
      let statusParts = lines.removeFirst().split(separator: " ")
      guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
        throw RawHTTPError.malformed
      }
      var headers: [String: String] = [:]
      for line in lines {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
          .trimmingCharacters(in: .whitespaces)
      }
      let body = rest[end.upperBound...]
      if (100..<200).contains(status) {
        rest = Data(body)
        continue
      }
      let length = headers["content-length"].flatMap { Int($0) } ?? body.count
      return HTTPReply(status: status, headers: headers, body: Data(body.prefix(length)))
    }
  }
}

/// `send(2)`, named apart from `RawHTTP.send`.
private func socketSend(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
  #if canImport(Glibc)
    return Glibc.send(fd, bytes, count, 0)
  #else
    return Darwin.send(fd, bytes, count, 0)
  #endif
}
