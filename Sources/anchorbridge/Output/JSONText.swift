/// Minimal JSON text building for streamed output, appending bytes directly (Foundation's encoder
/// goes through an intermediate value tree and can't stream an array page by page). Keys are
/// written in the order given.
struct JSONText {
  private(set) var bytes: [UInt8] = []

  init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

  mutating func raw(_ text: StaticString) {
    text.withUTF8Buffer { bytes.append(contentsOf: $0) }
  }

  mutating func string(_ value: String?) {
    guard let value else { return raw("null") }
    bytes.append(UInt8(ascii: "\""))
    // Fast path: most values need no escaping and are copied in one go.
    if !value.utf8.contains(where: {
      $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\")
    }) {
      bytes.append(contentsOf: value.utf8)
      bytes.append(UInt8(ascii: "\""))
      return
    }
    for unit in value.utf8 {
      switch unit {
      case UInt8(ascii: "\""): raw("\\\"")
      case UInt8(ascii: "\\"): raw("\\\\")
      case 0x0a: raw("\\n")
      case 0x0d: raw("\\r")
      case 0x09: raw("\\t")
      case 0..<0x20:
        let digits = Array("0123456789abcdef".utf8)
        bytes.append(contentsOf: Array("\\u00".utf8))
        bytes.append(digits[Int(unit >> 4)])
        bytes.append(digits[Int(unit & 0x0f)])
      default: bytes.append(unit)
      }
    }
    bytes.append(UInt8(ascii: "\""))
  }

  /// A string value from UTF-8 bytes: exactly what `string(String(decoding: value, as: UTF8.self))`
  /// writes. Plain ASCII (the usual case) is copied as it is; anything else goes through `String`,
  /// which repairs invalid UTF-8 the same way.
  mutating func string(utf8 value: UnsafeRawBufferPointer?) {
    guard let value else { return raw("null") }
    guard Self.isPlainASCII(value) else { return string(String(decoding: value, as: UTF8.self)) }
    bytes.append(UInt8(ascii: "\""))
    bytes.append(contentsOf: value)
    bytes.append(UInt8(ascii: "\""))
  }

  /// Whether every byte is ASCII that JSON takes as it is (no control character, quote or
  /// backslash). Eight bytes at a time with the classic SWAR tests (`(w - k) & ~w & 0x80...` has a
  /// high bit set in some byte if any byte of `w` is below `k`); a false alarm only sends the value
  /// down the exact, slower path.
  static func isPlainASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    func hasByteBelow(_ word: UInt64, _ limit: UInt64) -> Bool {
      (word &- ones &* limit) & ~word & highs != 0
    }
    var offset = 0
    while offset + 8 <= bytes.count {
      let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
      if word & highs != 0 || hasByteBelow(word, 0x20)
        || hasByteBelow(word ^ (ones &* 0x22), 1) || hasByteBelow(word ^ (ones &* 0x5c), 1)
      {
        return false
      }
      offset += 8
    }
    while offset < bytes.count {
      let unit = bytes[offset]
      if unit >= 0x80 || unit < 0x20 || unit == UInt8(ascii: "\"") || unit == UInt8(ascii: "\\") {
        return false
      }
      offset += 1
    }
    return true
  }

  /// See `string(utf8:)` for raw pointers.
  mutating func string(utf8 value: ArraySlice<UInt8>?) {
    guard let value else { return raw("null") }
    value.withUnsafeBytes { string(utf8: $0) }
  }

  /// An array of string values from UTF-8 bytes (see `string(utf8:)`).
  mutating func strings(utf8 values: some Collection<UnsafeRawBufferPointer>) {
    bytes.append(UInt8(ascii: "["))
    var first = true
    for value in values {
      if !first { bytes.append(UInt8(ascii: ",")) }
      first = false
      string(utf8: value)
    }
    bytes.append(UInt8(ascii: "]"))
  }

  /// An array of string values from UTF-8 bytes (see `string(utf8:)`).
  mutating func strings(utf8 values: some Collection<ArraySlice<UInt8>>) {
    bytes.append(UInt8(ascii: "["))
    var first = true
    for value in values {
      if !first { bytes.append(UInt8(ascii: ",")) }
      first = false
      string(utf8: value)
    }
    bytes.append(UInt8(ascii: "]"))
  }

  /// A string value whose characters `body` appends; they must need no escaping (hex, base64).
  mutating func quoted(_ body: (inout [UInt8]) -> Void) {
    bytes.append(UInt8(ascii: "\""))
    body(&bytes)
    bytes.append(UInt8(ascii: "\""))
  }

  mutating func number(_ value: Int) { bytes.append(contentsOf: Array(String(value).utf8)) }
  mutating func bool(_ value: Bool) { value ? raw("true") : raw("false") }

  mutating func strings(_ values: [String]) {
    bytes.append(UInt8(ascii: "["))
    for (index, value) in values.enumerated() {
      if index > 0 { bytes.append(UInt8(ascii: ",")) }
      string(value)
    }
    bytes.append(UInt8(ascii: "]"))
  }

  /// Writes `"key":` (after a comma unless it is the object's first key).
  mutating func key(_ name: StaticString, first: Bool = false) {
    if !first { bytes.append(UInt8(ascii: ",")) }
    bytes.append(UInt8(ascii: "\""))
    raw(name)
    raw("\":")
  }

  mutating func append(_ other: JSONText) { bytes.append(contentsOf: other.bytes) }
  mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }
}
