import Testing

@testable import AnchorCore

@Suite("SourceAnchor conversions")
struct SourceAnchorTests {
  /// Microsoft's published vectors: .NET `Guid.ToByteArray` (learn.microsoft.com
  /// /dotnet/api/system.guid.tobytearray) and a live Samba objectGUID (ad-ldap-facts §1.2 B).
  static let vectors: [(guid: String, hex: String, immutableId: String)] = [
    (
      "35918bc9-196d-40ea-9779-889d79b753f0", "c98b91356d19ea409779889d79b753f0",
      "yYuRNW0Z6kCXeYidebdT8A=="
    ),
    (
      "1487c857-f8da-4803-ace8-8fbbaa0893be", "57c88714daf80348ace88fbbaa0893be",
      "V8iHFNr4A0is6I+7qgiTvg=="
    ),
  ]

  @Test("published vectors convert both ways", arguments: vectors.indices)
  func publishedVectors(_ index: Int) throws {
    let vector = Self.vectors[index]
    let fromGuid = try SourceAnchor.parse(vector.guid)
    #expect(fromGuid.immutableId == vector.immutableId)
    #expect(fromGuid.hex == vector.hex)
    #expect(fromGuid.kind == .guid)
    let fromId = try SourceAnchor.parse(vector.immutableId)
    #expect(fromId == fromGuid)
    #expect(fromId.guid?.canonicalString == vector.guid)
    #expect(try SourceAnchor.parse(vector.hex) == fromGuid)
    #expect(try SourceAnchor.parse(fromGuid.ldapFilterValue!) == fromGuid)
    #expect(try SourceAnchor.parse(fromGuid.ldapFilter!) == fromGuid)
  }

  @Test func byteOrderOfTheDotNetExample() throws {
    let anchor = try SourceAnchor.parse("35918bc9-196d-40ea-9779-889d79b753f0")
    #expect(
      anchor.guid?.bytes == [
        0xc9, 0x8b, 0x91, 0x35, 0x6d, 0x19, 0xea, 0x40, 0x97, 0x79, 0x88, 0x9d, 0x79, 0xb7, 0x53,
        0xf0,
      ])
    // The classic bug (RFC 4122 big-endian bytes) gives NZGLyRltQOqXeYidebdT8A==; we must not.
    #expect(anchor.immutableId != "NZGLyRltQOqXeYidebdT8A==")
    #expect(anchor.ldapFilter == #"(objectGUID=\c9\8b\91\35\6d\19\ea\40\97\79\88\9d\79\b7\53\f0)"#)
    #expect(anchor.connectorDn == "CN={795975524E57305A366B4358655969646562645438413D3D}")
  }

  @Test(
    "every accepted spelling of one GUID",
    arguments: [
      ("35918bc9-196d-40ea-9779-889d79b753f0", SourceAnchor.InputForm.guidString),
      ("35918BC9-196D-40EA-9779-889D79B753F0", .guidString),
      ("{35918bc9-196d-40ea-9779-889d79b753f0}", .guidString),
      ("  {35918BC9-196d-40ea-9779-889d79b753f0}\n", .guidString),
      ("c98b91356d19ea409779889d79b753f0", .hex),
      ("C9 8B 91 35 6D 19 EA 40 97 79 88 9D 79 B7 53 F0", .hex),
      (#"\c9\8b\91\35\6d\19\ea\40\97\79\88\9d\79\b7\53\f0"#, .ldapFilter),
      (#"\C9\8B\91\35\6D\19\EA\40\97\79\88\9D\79\B7\53\F0"#, .ldapFilter),
      (#"(objectGUID=\c9\8b\91\35\6d\19\ea\40\97\79\88\9d\79\b7\53\f0)"#, .ldapFilter),
      ("yYuRNW0Z6kCXeYidebdT8A==", .immutableId),
    ])
  func spellings(_ text: String, _ form: SourceAnchor.InputForm) throws {
    let (anchor, detected) = try SourceAnchor.parseWithForm(text)
    #expect(detected == form)
    #expect(anchor.immutableId == "yYuRNW0Z6kCXeYidebdT8A==")
  }

  @Test(
    "valid base64 of another length is an opaque anchor, kept verbatim",
    arguments: [
      "RTAwMDEyMw==", "AAAA", "SGVsbG8gd29ybGQh", "yYuRNW0Z6kCXeYidebdT8JE=",
    ])
  func opaque(_ text: String) throws {
    let (anchor, form) = try SourceAnchor.parseWithForm(text)
    #expect(form == .opaqueBase64)
    #expect(anchor.kind == .opaque)
    #expect(anchor.immutableId == text)
    #expect(anchor.guid == nil && anchor.hex == nil && anchor.ldapFilter == nil)
  }

  @Test(
    "invalid values say why they are neither form",
    arguments: [
      ("", "empty"),
      ("E000123", "length 7 is not a multiple of 4"),
      ("35918bc9-196d-40ea-9779-889d79b753f", "not a GUID string"),
      ("c98b91356d19ea409779889d79b753", "30 hex digits"),
      (#"\c9\8b\91"#, "3 escaped bytes, not 16"),
      (#"\c9\8x"#, #"expected \xx escapes"#),
      ("(cn=\\c9)", "not objectGUID"),
      ("yYuRNW0Z6kCXeYidebdT8A=$", "character '$'"),
      ("yYuRNW0Z6kCXeYidebdT8B==", "stray bits"),
    ])
  func invalid(_ text: String, _ fragment: String) {
    do {
      _ = try SourceAnchor.parse(text)
      Issue.record("'\(text)' was accepted")
    } catch {
      guard case .invalidAnchor(let value, let reasons) = error else {
        Issue.record("wrong error \(error)")
        return
      }
      #expect(value == text)
      #expect(error.description.contains(fragment), "\(error.description)")
      #expect(!reasons.isEmpty)
    }
  }

  @Test func equalityIsTheImmutableIdText() throws {
    let guid = ObjectGUID(guidString: "1487c857-f8da-4803-ace8-8fbbaa0893be")!
    #expect(SourceAnchor(guid: guid) == SourceAnchor(immutableId: "V8iHFNr4A0is6I+7qgiTvg=="))
    #expect(SourceAnchor(opaque: "V8iHFNr4A0is6I+7qgiTvg==") == SourceAnchor(guid: guid))
    #expect(SourceAnchor(immutableId: "abc") != SourceAnchor(immutableId: "ABC"))
    #expect(SourceAnchor(binaryValue: [1, 2, 3]).immutableId == "AQID")
    #expect(SourceAnchor(binaryValue: guid.bytes) == SourceAnchor(guid: guid))
  }

  @Test func conversionFields() throws {
    let conversion = try AnchorConversion("1487c857-f8da-4803-ace8-8fbbaa0893be")
    #expect(conversion.form == .guidString)
    #expect(
      conversion.fields.map(\.name) == [
        "input", "kind", "guid", "immutableId", "hex", "ldapFilter", "connectorDn",
      ])
    #expect(
      conversion.connectorDn == "CN={"
        + Hex.encode(Array("V8iHFNr4A0is6I+7qgiTvg==".utf8)).uppercased() + "}")
  }
}
