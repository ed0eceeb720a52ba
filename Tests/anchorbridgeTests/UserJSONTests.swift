import ActiveDirectory
import AnchorCore
import LDAPClient
import TestSupport
import Testing

@testable import anchorbridge

/// JSON text from UTF-8 bytes must be exactly the text of the `String` path.
@Suite struct JSONTextBytesTests {
  static let values: [[UInt8]] = [
    Array("plain@anchor.test".utf8), [], Array("quote \" and backslash \\".utf8),
    Array("tab\tnew\nline\r and \u{01}".utf8), Array("Jürgen Çelik 日本".utf8),
    [0x61, 0xff, 0x62],  // invalid UTF-8: repaired to U+FFFD either way
    [0xe6, 0x97],  // truncated sequence
  ]

  @Test(arguments: values)
  func bytesAndStringsWriteTheSameText(_ value: [UInt8]) {
    var fromBytes = JSONText()
    fromBytes.string(utf8: value[...])
    var fromString = JSONText()
    fromString.string(String(decoding: value, as: UTF8.self))
    #expect(fromBytes.bytes == fromString.bytes)
  }

  /// The word-at-a-time check against the byte-by-byte rule, for every byte value at every
  /// position of a word and its tail, and for random mixes.
  @Test func plainASCIICheckAgreesWithTheRule() {
    func rule(_ bytes: [UInt8]) -> Bool {
      !bytes.contains { $0 >= 0x80 || $0 < 0x20 || $0 == 0x22 || $0 == 0x5c }
    }
    for length in [1, 7, 8, 9, 16, 17] {
      for position in 0..<length {
        for unit in 0...255 {
          var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
          bytes[position] = UInt8(unit)
          let plain = bytes.withUnsafeBytes { JSONText.isPlainASCII($0) }
          #expect(plain == rule(bytes), "\(bytes)")
        }
      }
    }
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<5_000 {
      let bytes = (0..<Int.random(in: 0...40, using: &generator)).map { _ in
        UInt8.random(in: 0x1e...0x7f, using: &generator)
      }
      #expect(bytes.withUnsafeBytes { JSONText.isPlainASCII($0) } == rule(bytes), "\(bytes)")
    }
  }

  @Test func arraysAndNull() {
    var fromBytes = JSONText()
    fromBytes.strings(utf8: Self.values.map { $0[...] })
    fromBytes.string(utf8: nil as ArraySlice<UInt8>?)
    fromBytes.string(utf8: nil as UnsafeRawBufferPointer?)
    var fromString = JSONText()
    fromString.strings(Self.values.map { String(decoding: $0, as: UTF8.self) })
    fromString.string(nil)
    fromString.string(nil)
    #expect(fromBytes.bytes == fromString.bytes)
  }
}
