import Testing

@testable import AnchorCore

@Suite("Base64, Hex, ObjectGUID, AnchorPolicy")
struct BaseTypesTests {
  @Test(
    "RFC 4648 test vectors",
    arguments: [
      ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
      ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ])
  func base64Vectors(_ plain: String, _ encoded: String) {
    #expect(Base64.encode(Array(plain.utf8)) == encoded)
    if !encoded.isEmpty { #expect(Base64.decode(encoded) == Array(plain.utf8)) }
  }

  @Test(
    "strict decoding refuses",
    arguments: [
      "",  // empty
      "Zg=",  // length not a multiple of 4
      "Zg",  // missing padding
      "Zm9v\n",  // whitespace
      "Zh==",  // stray bits in the last character (non-canonical)
      "Zm8=Zm8=",  // padding before the end
      "Z===",  // three padding characters
      "Zm-v",  // base64url alphabet
      "Zm_v",
      "Zm9v====",
    ])
  func base64Strict(_ text: String) {
    #expect(Base64.decode(text) == nil)
  }

  @Test func hex() {
    #expect(Hex.encode([0x00, 0xab, 0xff]) == "00abff")
    #expect(Hex.decode("00ABff") == [0x00, 0xab, 0xff])
    #expect(Hex.decode("abc") == nil)
    #expect(Hex.decode("zz") == nil)
  }

  @Test(
    "GUID strings",
    arguments: [
      ("35918bc9-196d-40ea-9779-889d79b753f0", true),
      ("{35918BC9-196D-40EA-9779-889D79B753F0}", true),
      ("35918bc9196d40ea9779889d79b753f0", false),  // hex without dashes is not a GUID string
      ("35918bc9-196d-40ea-9779-889d79b753f", false),
      ("35918bc9-196d-40ea-9779-889d79b753f0}", false),
      ("{35918bc9-196d-40ea-9779-889d79b753f0", false),
      ("35918bc9-196d-40ea-9779-889d79b753g0", false),
      ("35918bc9-196d40ea-9779-889d79b753f00", false),
    ])
  func guidStrings(_ text: String, _ valid: Bool) {
    let guid = ObjectGUID(guidString: text)
    #expect((guid != nil) == valid)
    if let guid { #expect(guid.canonicalString == "35918bc9-196d-40ea-9779-889d79b753f0") }
  }

  @Test func objectGuidBytes() {
    let bytes: [UInt8] = Array(0..<16)
    let guid = ObjectGUID(bytes: bytes)!
    #expect(guid.bytes == bytes)
    #expect(guid.canonicalString == "03020100-0504-0706-0809-0a0b0c0d0e0f")
    #expect(ObjectGUID(bytes: Array(0..<15)) == nil)
    #expect(ObjectGUID(bytes: Array(0..<17)) == nil)
    #expect(ObjectGUID(bytes: [UInt8](repeating: 0, count: 16))! < guid)
  }

  static let objectGUID = ObjectGUID(guidString: "35918bc9-196d-40ea-9779-889d79b753f0")!
  static let otherGUID = ObjectGUID(guidString: "1487c857-f8da-4803-ace8-8fbbaa0893be")!

  struct PolicyCase: Sendable, CustomTestStringConvertible {
    var name: String
    var policy: AnchorPolicy
    var consistencyGuid: [UInt8]?
    var attribute: DirectoryValue?
    var anchor: String?
    var source: String
    var codes: [DiagnosticCode]
    var testDescription: String { name }
  }

  static let policyCases: [PolicyCase] = [
    PolicyCase(
      name: "objectGUID", policy: .objectGUID, anchor: "yYuRNW0Z6kCXeYidebdT8A==",
      source: "objectGUID", codes: []),
    PolicyCase(
      name: "objectGUID ignores a different ConsistencyGuid but reports it", policy: .objectGUID,
      consistencyGuid: otherGUID.bytes, anchor: "yYuRNW0Z6kCXeYidebdT8A==", source: "objectGUID",
      codes: [.consistencyGuidDiffers]),
    PolicyCase(
      name: "consistencyGuid empty falls back", policy: .consistencyGuid,
      anchor: "yYuRNW0Z6kCXeYidebdT8A==", source: "objectGUID", codes: []),
    PolicyCase(
      name: "consistencyGuid equal", policy: .consistencyGuid, consistencyGuid: objectGUID.bytes,
      anchor: "yYuRNW0Z6kCXeYidebdT8A==", source: "mS-DS-ConsistencyGuid", codes: []),
    PolicyCase(
      name: "consistencyGuid differs (migrated user)", policy: .consistencyGuid,
      consistencyGuid: otherGUID.bytes,
      anchor: "V8iHFNr4A0is6I+7qgiTvg==", source: "mS-DS-ConsistencyGuid",
      codes: [.consistencyGuidDiffers]),
    PolicyCase(
      name: "consistencyGuid of wrong length is base64 of its bytes", policy: .consistencyGuid,
      consistencyGuid: [1, 2, 3, 4, 5], anchor: "AQIDBAU=", source: "mS-DS-ConsistencyGuid",
      codes: [.consistencyGuidWrongLength]),
    PolicyCase(
      name: "consistencyGuid holding a GUID string (36 bytes)", policy: .consistencyGuid,
      consistencyGuid: Array("35918bc9-196d-40ea-9779-889d79b753f0".utf8),
      anchor: Base64.encode(Array("35918bc9-196d-40ea-9779-889d79b753f0".utf8)),
      source: "mS-DS-ConsistencyGuid", codes: [.consistencyGuidWrongLength]),
    PolicyCase(
      name: "custom string attribute verbatim", policy: .attribute("employeeID"),
      attribute: .text("E000123"),
      anchor: "E000123", source: "employeeID", codes: []),
    PolicyCase(
      name: "custom binary attribute base64", policy: .attribute("employeeNumber"),
      attribute: .binary([0xff, 0x00]),
      anchor: "/wA=", source: "employeeNumber", codes: []),
    PolicyCase(
      name: "custom attribute empty", policy: .attribute("employeeID"), attribute: .text(""),
      anchor: nil,
      source: "employeeID", codes: [.anchorAttributeMissing]),
    PolicyCase(
      name: "custom attribute absent", policy: .attribute("employeeID"), anchor: nil,
      source: "employeeID",
      codes: [.anchorAttributeMissing]),
  ]

  @Test("AnchorPolicy.resolve", arguments: policyCases)
  func resolve(_ c: PolicyCase) {
    let resolved = c.policy.resolve(
      objectGUID: Self.objectGUID, consistencyGuid: c.consistencyGuid, attributeValue: c.attribute,
      subject: "CN=u,DC=corp")
    #expect(resolved.anchor?.immutableId == c.anchor)
    #expect(resolved.source == c.source)
    #expect(resolved.diagnostics.map(\.code) == c.codes)
    #expect(resolved.diagnostics.allSatisfy { $0.subject == "CN=u,DC=corp" })
  }

  @Test(
    "policy configuration spellings",
    arguments: [
      ("objectGUID", AnchorPolicy.objectGUID as AnchorPolicy?),
      ("consistencyGuid", .consistencyGuid), ("mS-DS-ConsistencyGuid", .consistencyGuid),
      ("attribute:employeeID", .attribute("employeeID")), ("attribute:", nil),
      ("attribute:a b", nil),
      ("ObjectGuid", nil),
    ])
  func configValue(_ text: String, _ policy: AnchorPolicy?) {
    #expect(AnchorPolicy(configValue: text) == policy)
    if let policy { #expect(AnchorPolicy(configValue: policy.configValue) == policy) }
  }

  @Test func primarySmtp() {
    #expect(ProxyAddresses.primarySmtp(["smtp:a@x", "SMTP:b@x"], mail: "c@x") == "b@x")
    #expect(ProxyAddresses.primarySmtp(["smtp:a@x"], mail: "c@x") == "c@x")
    #expect(ProxyAddresses.primarySmtp(["SMTP:a@x", "SMTP:b@x"], mail: "c@x") == nil)
  }
}
