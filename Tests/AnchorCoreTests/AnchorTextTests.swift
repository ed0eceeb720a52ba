import Testing

@testable import AnchorCore

/// The byte-buffer writers must produce exactly the text of `canonicalString` / `immutableId`.
@Suite("anchor text written into byte buffers")
struct AnchorTextTests {
  /// Published vectors (see SourceAnchorTests), the all-zero and all-ones GUIDs, and bytes that
  /// hit every base64 character position.
  static let guids: [[UInt8]] = [
    [
      0xc9, 0x8b, 0x91, 0x35, 0x6d, 0x19, 0xea, 0x40, 0x97, 0x79, 0x88, 0x9d, 0x79, 0xb7, 0x53,
      0xf0,
    ],
    [
      0x57, 0xc8, 0x87, 0x14, 0xda, 0xf8, 0x03, 0x48, 0xac, 0xe8, 0x8f, 0xbb, 0xaa, 0x08, 0x93,
      0xbe,
    ],
    Array(repeating: 0, count: 16),
    Array(repeating: 0xff, count: 16),
    (0..<16).map { UInt8($0 * 17) },
    (0..<16).map { UInt8(255 - $0 * 13) },
  ]

  @Test("canonical GUID text", arguments: guids)
  func canonicalString(_ bytes: [UInt8]) throws {
    let guid = try #require(ObjectGUID(bytes: bytes))
    var out: [UInt8] = Array("prefix ".utf8)
    guid.appendCanonicalString(to: &out)
    #expect(String(decoding: out, as: UTF8.self) == "prefix " + guid.canonicalString)
  }

  @Test("GUID anchor ImmutableID", arguments: guids)
  func guidImmutableId(_ bytes: [UInt8]) throws {
    let anchor = SourceAnchor(binaryValue: bytes)
    #expect(anchor.kind == .guid)
    var out: [UInt8] = []
    anchor.appendImmutableId(to: &out)
    #expect(String(decoding: out, as: UTF8.self) == anchor.immutableId)
    #expect(out == Array(Base64.encode(bytes).utf8))
  }

  @Test func randomGUIDsAgree() throws {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<2_000 {
      let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
      let guid = try #require(ObjectGUID(bytes: bytes))
      var text: [UInt8] = []
      guid.appendCanonicalString(to: &text)
      #expect(String(decoding: text, as: UTF8.self) == guid.canonicalString)
      var id: [UInt8] = []
      SourceAnchor(guid: guid).appendImmutableId(to: &id)
      #expect(String(decoding: id, as: UTF8.self) == SourceAnchor(guid: guid).immutableId)
    }
  }

  @Test("opaque anchors are written as stored", arguments: ["EMP-0042", "äöü \"quoted\"", "AAEC"])
  func opaqueImmutableId(_ text: String) {
    let anchor = SourceAnchor(opaque: text)
    #expect(anchor.kind == .opaque)
    var out: [UInt8] = []
    anchor.appendImmutableId(to: &out)
    #expect(String(decoding: out, as: UTF8.self) == text)
  }

  @Test func wrongLengthBinaryValuesAreOpaqueBase64() {
    let anchor = SourceAnchor(binaryValue: [1, 2, 3, 4, 5])
    var out: [UInt8] = []
    anchor.appendImmutableId(to: &out)
    #expect(String(decoding: out, as: UTF8.self) == "AQIDBAU=")
  }
}
