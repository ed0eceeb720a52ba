import Foundation

/// An LDAPv3 server on loopback that answers searches with whatever a test scripts, including what
/// no real directory would send: endless or repeated paged-results cookies, absurd range bounds,
/// oversized pages, invalid UTF-8, slow answers. BER is encoded here by hand, sharing no code with
/// the client under test. Binds always succeed; every other request is ignored.
public final class HostileLDAPServer: @unchecked Sendable {
  // @unchecked Sendable: `descriptor`, `port` and `answer` are written once in init; `clients` is
  // only touched under `lock`.
  let descriptor: Int32
  public let port: Int
  let answer: @Sendable (Search) -> Reply
  private let lock = NSLock()
  private var clients: [Int32] = []
  private var closed = false

  /// One search request as the client sent it.
  public struct Search: Sendable {
    public var base: String
    public var attributes: [String]
    /// The RFC 2696 page size asked for; nil without a paged-results control.
    public var pageSize: Int?
    public var cookie: [UInt8]
  }

  /// One entry to send: the DN and attributes as raw bytes, so any encoding can be sent.
  public struct Entry: Sendable {
    public var dn: [UInt8]
    public var attributes: [(name: [UInt8], values: [[UInt8]])]

    public init(dn: String, _ attributes: [(String, [[UInt8]])]) {
      self.dn = Array(dn.utf8)
      self.attributes = attributes.map { (Array($0.0.utf8), $0.1) }
    }

    public init(dn: [UInt8], attributes: [(name: [UInt8], values: [[UInt8]])]) {
      self.dn = dn
      self.attributes = attributes
    }
  }

  /// The answer to one search.
  public struct Reply: Sendable {
    public var entries: [Entry]
    /// The paged-results cookie to return; nil sends no paged-results control at all.
    public var cookie: [UInt8]?
    public var resultCode: Int
    /// A pause before each entry and before the final result.
    public var delay: Duration

    public init(
      entries: [Entry] = [], cookie: [UInt8]? = nil, resultCode: Int = 0, delay: Duration = .zero
    ) {
      self.entries = entries
      self.cookie = cookie
      self.resultCode = resultCode
      self.delay = delay
    }
  }

  /// `ldap://127.0.0.1:<port>`.
  public var uri: String { "ldap://127.0.0.1:\(port)" }

  public init(answer: @escaping @Sendable (Search) -> Reply) throws {
    (descriptor, port) = try LoopbackSocket.listen(host: "127.0.0.1")
    self.answer = answer
    Thread { [self] in acceptLoop() }.start()
  }

  /// Stops accepting and ends every open connection. Descriptors are only shut down here, never
  /// closed: the threads that own them close them, so a number the kernel has already handed to
  /// another socket of this process is never touched.
  public func close() {
    lock.lock()
    defer { lock.unlock() }
    closed = true
    _ = shutdown(descriptor, Int32(SHUT_RDWR))
    // Under the lock a registered client is still open: `serve` deregisters before it closes.
    for client in clients { _ = shutdown(client, Int32(SHUT_RDWR)) }
  }

  private func acceptLoop() {
    defer { _ = Glibc.close(descriptor) }
    while true {
      let client = accept(descriptor, nil, nil)
      guard client >= 0 else { return }
      lock.lock()
      if closed {
        lock.unlock()
        _ = Glibc.close(client)
        return
      }
      clients.append(client)
      lock.unlock()
      Thread { [self] in serve(client) }.start()
    }
  }

  private func serve(_ client: Int32) {
    defer {
      lock.lock()
      clients.removeAll { $0 == client }
      lock.unlock()
      _ = Glibc.close(client)
    }
    var buffer: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
      while let (message, used) = BER.element(buffer, at: 0) {
        buffer.removeFirst(used)
        guard handle(message, client) else { return }
      }
      let count = chunk.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
      guard count > 0 else { return }
      buffer.append(contentsOf: chunk[0..<count])
    }
  }

  /// Answers one LDAPMessage; false when the connection should end (an unbind or garbage).
  private func handle(_ message: BER.Element, _ client: Int32) -> Bool {
    let parts = BER.children(message.contents)
    guard parts.count >= 2, parts[0].tag == 0x02 else { return false }
    let id = parts[0].contents
    let operation = parts[1]
    switch operation.tag {
    case 0x60:  // BindRequest
      return send(client, BER.message(id, BER.result(0x61, code: 0)))
    case 0x63:  // SearchRequest
      let fields = BER.children(operation.contents)
      guard fields.count >= 8 else { return false }
      var search = Search(
        base: String(decoding: fields[0].contents, as: UTF8.self),
        attributes: BER.children(fields[7].contents).map {
          String(decoding: $0.contents, as: UTF8.self)
        }, pageSize: nil, cookie: [])
      if parts.count > 2, parts[2].tag == 0xa0 {
        for control in BER.children(parts[2].contents) {
          let items = BER.children(control.contents)
          guard items.first.map({ String(decoding: $0.contents, as: UTF8.self) }) == BER.paged,
            let value = items.last, value.tag == 0x04
          else { continue }
          let paging = BER.children(value.contents).flatMap { BER.children($0.contents) }
          if paging.count == 2 {
            search.pageSize = paging[0].contents.reduce(0) { $0 << 8 | Int($1) }
            search.cookie = paging[1].contents
          }
        }
      }
      let reply = answer(search)
      for entry in reply.entries {
        pause(reply.delay)
        guard send(client, BER.message(id, BER.entry(entry))) else { return false }
      }
      pause(reply.delay)
      var controls: [UInt8]?
      if let cookie = reply.cookie {
        let value = BER.tlv(
          0x30, BER.tlv(0x02, [0]) + BER.tlv(0x04, cookie))
        controls = BER.tlv(
          0x30, BER.tlv(0x04, Array(BER.paged.utf8)) + BER.tlv(0x04, value))
      }
      return send(
        client, BER.message(id, BER.result(0x65, code: reply.resultCode), controls: controls))
    case 0x42:  // UnbindRequest
      return false
    default:
      return true
    }
  }

  private func pause(_ delay: Duration) {
    guard delay > .zero else { return }
    let (seconds, attoseconds) = delay.components
    usleep(UInt32(seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
  }

  private func send(_ client: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
      let written = bytes[offset...].withUnsafeBytes {
        Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      guard written > 0 else { return false }
      offset += written
    }
    return true
  }
}

/// Just enough BER (X.690) for LDAP messages: definite lengths, one-byte tags.
enum BER {
  struct Element {
    var tag: UInt8
    var contents: [UInt8]
  }

  static let paged = "1.2.840.113556.1.4.319"

  /// The element starting at `offset` and the bytes it spans; nil when it is not complete yet.
  static func element(_ bytes: [UInt8], at offset: Int) -> (Element, Int)? {
    guard bytes.count - offset >= 2 else { return nil }
    let tag = bytes[offset]
    var position = offset + 1
    let first = bytes[position]
    position += 1
    var length = Int(first)
    if first & 0x80 != 0 {
      let count = Int(first & 0x7f)
      guard count <= 4, bytes.count - position >= count else { return nil }
      length = 0
      for _ in 0..<count {
        length = length << 8 | Int(bytes[position])
        position += 1
      }
    }
    guard bytes.count - position >= length else { return nil }
    return (
      Element(tag: tag, contents: Array(bytes[position..<position + length])),
      position + length - offset
    )
  }

  static func children(_ bytes: [UInt8]) -> [Element] {
    var elements: [Element] = []
    var offset = 0
    while let (element, used) = element(bytes, at: offset) {
      elements.append(element)
      offset += used
    }
    return elements
  }

  static func tlv(_ tag: UInt8, _ contents: [UInt8]) -> [UInt8] {
    var bytes = [tag]
    let count = contents.count
    if count < 0x80 {
      bytes.append(UInt8(count))
    } else {
      bytes += [0x84, UInt8(count >> 24 & 0xff), UInt8(count >> 16 & 0xff)]
      bytes += [UInt8(count >> 8 & 0xff), UInt8(count & 0xff)]
    }
    return bytes + contents
  }

  static func message(_ id: [UInt8], _ operation: [UInt8], controls: [UInt8]? = nil) -> [UInt8] {
    tlv(0x30, tlv(0x02, id) + operation + (controls.map { tlv(0xa0, $0) } ?? []))
  }

  static func result(_ tag: UInt8, code: Int) -> [UInt8] {
    tlv(tag, tlv(0x0a, [UInt8(code & 0x7f)]) + tlv(0x04, []) + tlv(0x04, []))
  }

  static func entry(_ entry: HostileLDAPServer.Entry) -> [UInt8] {
    var attributes: [UInt8] = []
    for attribute in entry.attributes {
      let values = attribute.values.flatMap { tlv(0x04, $0) }
      attributes += tlv(0x30, tlv(0x04, attribute.name) + tlv(0x31, values))
    }
    return tlv(0x64, tlv(0x04, entry.dn) + tlv(0x30, attributes))
  }
}
