/// Standard base64 (RFC 4648 alphabet `+ /` with `=` padding), as Entra uses for ImmutableIDs.
/// Written here because AnchorCore imports nothing, not even Foundation.
enum Base64 {
  private static let alphabet: [UInt8] = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

  static func encode(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var index = 0
    while index + 3 <= bytes.count {
      let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
      out.append(alphabet[Int(n >> 18 & 63)])
      out.append(alphabet[Int(n >> 12 & 63)])
      out.append(alphabet[Int(n >> 6 & 63)])
      out.append(alphabet[Int(n & 63)])
      index += 3
    }
    let rest = bytes.count - index
    if rest == 1 {
      let n = UInt32(bytes[index]) << 16
      out.append(alphabet[Int(n >> 18 & 63)])
      out.append(alphabet[Int(n >> 12 & 63)])
      out.append(contentsOf: [UInt8(ascii: "="), UInt8(ascii: "=")])
    } else if rest == 2 {
      let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
      out.append(alphabet[Int(n >> 18 & 63)])
      out.append(alphabet[Int(n >> 12 & 63)])
      out.append(alphabet[Int(n >> 6 & 63)])
      out.append(UInt8(ascii: "="))
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Strict decoding: length a multiple of 4, canonical padding, no whitespace; nil otherwise.
  static func decode(_ text: some StringProtocol) -> [UInt8]? {
    let units = Array(text.utf8)
    guard !units.isEmpty, units.count % 4 == 0 else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(units.count / 4 * 3)
    var index = 0
    while index < units.count {
      let chunk = units[index..<index + 4]
      let isLast = index + 4 == units.count
      var values: [UInt32] = []
      var padding = 0
      for unit in chunk {
        if unit == UInt8(ascii: "=") {
          guard isLast else { return nil }
          padding += 1
          continue
        }
        guard padding == 0, let value = value(of: unit) else { return nil }
        values.append(value)
      }
      guard padding <= 2 else { return nil }
      var n: UInt32 = 0
      for value in values { n = n << 6 | value }
      n <<= UInt32(6 * padding)
      let produced = [UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)]
      let keep = 3 - padding
      // Non-canonical encodings (stray bits in the last character) are not the same value.
      if padding > 0 && produced[keep...].contains(where: { $0 != 0 }) { return nil }
      out.append(contentsOf: produced[0..<keep])
      index += 4
    }
    return out
  }

  private static func value(of unit: UInt8) -> UInt32? {
    switch unit {
    case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt32(unit - UInt8(ascii: "A"))
    case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt32(unit - UInt8(ascii: "a")) + 26
    case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(unit - UInt8(ascii: "0")) + 52
    case UInt8(ascii: "+"): 62
    case UInt8(ascii: "/"): 63
    default: nil
    }
  }
}
