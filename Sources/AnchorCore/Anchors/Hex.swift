/// Lowercase hexadecimal helpers for byte values (no Foundation needed).
enum Hex {
  private static let digits: [Character] = Array("0123456789abcdef")

  static func byte(_ value: UInt8) -> String {
    String([digits[Int(value >> 4)], digits[Int(value & 0x0f)]])
  }

  static func encode(_ bytes: some Sequence<UInt8>) -> String {
    var out = ""
    for value in bytes {
      out.append(digits[Int(value >> 4)])
      out.append(digits[Int(value & 0x0f)])
    }
    return out
  }

  /// Decodes an even number of hex digits (either case); nil on any other character.
  static func decode(_ text: some StringProtocol) -> [UInt8]? {
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count / 2)
    var high: UInt8?
    for unit in text.utf8 {
      guard let nibble = nibble(unit) else { return nil }
      if let h = high {
        out.append(h << 4 | nibble)
        high = nil
      } else {
        high = nibble
      }
    }
    return high == nil ? out : nil
  }

  private static func nibble(_ unit: UInt8) -> UInt8? {
    switch unit {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): unit - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): unit - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): unit - UInt8(ascii: "A") + 10
    default: nil
    }
  }
}
