/// The text forms of anchors written straight into a byte buffer: the same characters as
/// `canonicalString` / `immutableId`, without the intermediate arrays and strings (a listing writes
/// two for every user).
extension ObjectGUID {
  /// Appends `canonicalString` as UTF-8.
  public func appendCanonicalString(to out: inout [UInt8]) {
    withUnsafeBytes(of: (words.0.bigEndian, words.1.bigEndian)) { bytes in
      withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 36) { text in
        // Display order: Data1 (bytes 3..0), Data2 (5, 4), Data3 (7, 6), then 8..15 as stored.
        var position = 0
        for (index, byte) in Self.displayOrder.enumerated() {
          if index == 4 || index == 6 || index == 8 || index == 10 {
            text[position] = UInt8(ascii: "-")
            position += 1
          }
          text[position] = Hex.lowercaseDigits[Int(bytes[byte] >> 4)]
          text[position + 1] = Hex.lowercaseDigits[Int(bytes[byte] & 0x0f)]
          position += 2
        }
        out.append(contentsOf: text)
      }
    }
  }

  private static let displayOrder = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15]
}

extension SourceAnchor {
  /// Appends `immutableId` as UTF-8: base64 of the 16 bytes for a GUID anchor (only base64
  /// characters), the text as stored for an opaque one.
  public func appendImmutableId(to out: inout [UInt8]) {
    if let guid {
      let (high, low) = guid.words
      Base64.append(word: high, word: low, to: &out)
    } else {
      out.append(contentsOf: immutableId.utf8)
    }
  }
}

extension Hex {
  static let lowercaseDigits: [UInt8] = Array("0123456789abcdef".utf8)
}

extension Base64 {
  private static let table: [UInt8] = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

  /// Base64 of 16 bytes packed big-endian in two words: five 3-byte groups, then one byte and `==`.
  static func append(word high: UInt64, word low: UInt64, to out: inout [UInt8]) {
    withUnsafeBytes(of: (high.bigEndian, low.bigEndian)) { bytes in
      withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { text in
        var position = 0
        for group in 0..<5 {
          let index = 3 * group
          let n =
            UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
          text[position] = table[Int(n >> 18 & 63)]
          text[position + 1] = table[Int(n >> 12 & 63)]
          text[position + 2] = table[Int(n >> 6 & 63)]
          text[position + 3] = table[Int(n & 63)]
          position += 4
        }
        let n = UInt32(bytes[15]) << 16
        text[20] = table[Int(n >> 18 & 63)]
        text[21] = table[Int(n >> 12 & 63)]
        text[22] = UInt8(ascii: "=")
        text[23] = UInt8(ascii: "=")
        out.append(contentsOf: text)
      }
    }
  }
}
