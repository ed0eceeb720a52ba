import TestSupport
import Testing

@testable import AnchorCore

@Suite("Round-trip properties")
struct AnchorPropertyTests {
  @Test("every form of a random GUID parses back to it", arguments: [1, 2, 3] as [UInt64])
  func guidForms(seed: UInt64) throws {
    var random = SeededGenerator(seed: seed)
    for _ in 0..<2_000 {
      let bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &random) }
      let guid = try #require(ObjectGUID(bytes: bytes))
      let anchor = SourceAnchor(guid: guid)
      let braced = "{" + guid.canonicalString.uppercased() + "}"
      let spaced = stride(from: 0, to: 32, by: 2).map { index -> String in
        let hex = anchor.hex!
        let start = hex.index(hex.startIndex, offsetBy: index)
        return String(hex[start..<hex.index(start, offsetBy: 2)])
      }.joined(separator: " ")
      for text in [
        guid.canonicalString, braced, anchor.immutableId, anchor.hex!, spaced,
        anchor.ldapFilterValue!,
        anchor.ldapFilter!,
      ] {
        #expect(try SourceAnchor.parse(text) == anchor, "\(text)")
      }
      #expect(ObjectGUID(guidString: guid.canonicalString) == guid)
      #expect(guid.bytes == bytes)
      #expect(Base64.decode(anchor.immutableId) == bytes)
      #expect(anchor.immutableId.utf8.count == 24)
    }
  }

  @Test("random byte strings round-trip through base64", arguments: [7, 8] as [UInt64])
  func base64RoundTrip(seed: UInt64) throws {
    var random = SeededGenerator(seed: seed)
    for _ in 0..<2_000 {
      let count = Int.random(in: 1...40, using: &random)
      let bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &random) }
      let text = Base64.encode(bytes)
      #expect(Base64.decode(text) == bytes)
      let (anchor, form) = try SourceAnchor.parseWithForm(text)
      if count == 16 {
        #expect(form == .immutableId)
      } else if text.utf8.count == 32
        && text.utf8.allSatisfy({ Hex.decode(String(decoding: [$0, $0], as: UTF8.self)) != nil })
      {
        #expect(form == .hex)  // 32 hex-looking characters are read as hex, by design
      } else {
        #expect(form == .opaqueBase64)
        #expect(anchor.immutableId == text)
      }
    }
  }

  @Test(
    "random strings never crash the parser and errors name the value",
    arguments: [11, 12] as [UInt64])
  func randomStrings(seed: UInt64) {
    var random = SeededGenerator(seed: seed)
    let alphabet = Array(#"abcdefABCDEF0123456789{}-\ ()=+/xyzé$_"#)
    for _ in 0..<3_000 {
      let text = String(
        (0..<Int.random(in: 0...40, using: &random)).map { _ in
          alphabet.randomElement(using: &random)!
        })
      do {
        let anchor = try SourceAnchor.parse(text)
        #expect(!anchor.immutableId.isEmpty)
      } catch {
        guard case .invalidAnchor(let value, let reasons) = error else {
          Issue.record("unexpected \(error)")
          continue
        }
        #expect(value == text)
        #expect(!reasons.isEmpty)
      }
    }
  }
}
