import Testing

@testable import LDAPClient

@Suite struct LDAPFilterTests {
  @Test(arguments: [
    ("alice", "alice"),
    ("a*", "a\\2a"),
    ("x)(objectClass=*", "x\\29\\28objectClass=\\2a"),
    ("back\\slash", "back\\5cslash"),
    ("nul\u{0}byte", "nul\\00byte"),
    ("zoë.müller@anchor.test", "zoë.müller@anchor.test"),
  ])
  func escapesRFC4515Metacharacters(input: String, expected: String) {
    #expect(LDAPFilter.escape(input) == expected)
  }

  @Test func escapesEveryByteOfBinaryValues() {
    let guid: [UInt8] = [
      0xc9, 0x8b, 0x91, 0x35, 0x6d, 0x19, 0xea, 0x40, 0x97, 0x79, 0x88, 0x9d, 0x79, 0xb7, 0x53,
      0xf0,
    ]
    #expect(
      LDAPFilter.escape(bytes: guid)
        == "\\c9\\8b\\91\\35\\6d\\19\\ea\\40\\97\\79\\88\\9d\\79\\b7\\53\\f0")
  }

  /// Any text, escaped, is one assertion value: no metacharacter survives, every backslash starts
  /// a two-digit hex escape, and unescaping gives back exactly the value's UTF-8 bytes.
  @Test(arguments: [51, 52, 53] as [UInt64])
  func escapedValuesCannotChangeTheFilter(seed: UInt64) throws {
    var state = seed
    func next(_ bound: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(bound))
    }
    let pieces = Array("*()\\\0|&!=<>~aZ9 é\u{1F600}".unicodeScalars)
    for _ in 0..<2_000 {
      var value = String.UnicodeScalarView()
      for _ in 0..<next(24) { value.append(pieces[next(pieces.count)]) }
      let escaped = Array(LDAPFilter.escape(String(value)).utf8)
      var decoded: [UInt8] = []
      var index = 0
      while index < escaped.count {
        let byte = escaped[index]
        #expect(![UInt8(ascii: "*"), UInt8(ascii: "("), UInt8(ascii: ")"), 0].contains(byte))
        if byte == UInt8(ascii: "\\") {
          let hex = try #require(
            index + 2 < escaped.count
              ? UInt8(String(decoding: escaped[index + 1...index + 2], as: UTF8.self), radix: 16)
              : nil)
          decoded.append(hex)
          index += 3
        } else {
          decoded.append(byte)
          index += 1
        }
      }
      #expect(decoded == Array(String(value).utf8))
    }
  }

  @Test func equalityFilterCannotBeWidened() {
    #expect(
      LDAPFilter.equals("userPrincipalName", "*)(|(cn=*")
        == "(userPrincipalName=\\2a\\29\\28|\\28cn=\\2a)")
    #expect(LDAPFilter.and(["(a=1)"]) == "(a=1)")
    #expect(LDAPFilter.and(["(a=1)", "(b=2)"]) == "(&(a=1)(b=2))")
  }
}

@Suite struct LDAPEntryTests {
  @Test(arguments: [
    ("member;range=0-1499", 0, Optional(1499)),
    ("member;range=1500-*", 1500, nil),
    ("Member;Range=3000-4499", 3000, Optional(4499)),
  ])
  func parsesRangeOptions(name: String, low: Int, high: Int?) throws {
    let range = try #require(LDAPAttribute(name: name, values: []).range)
    #expect(range.low == low)
    #expect(range.high == high)
  }

  @Test func plainAttributeHasNoRange() {
    #expect(LDAPAttribute(name: "member", values: []).range == nil)
    #expect(LDAPAttribute(name: "member;binary", values: []).range == nil)
  }

  @Test func looksUpAttributesCaseInsensitivelyIgnoringOptions() {
    let entry = LDAPEntry(
      dn: "CN=x",
      attributes: [
        LDAPAttribute(name: "userPrincipalName", values: [Array("x@y".utf8)]),
        LDAPAttribute(name: "member;range=0-*", values: [Array("CN=a".utf8), Array("CN=b".utf8)]),
      ])
    #expect(entry.string("USERPRINCIPALNAME") == "x@y")
    #expect(entry.strings("member") == ["CN=a", "CN=b"])
    #expect(entry.rangedAttribute("Member")?.range?.high == nil)
    #expect(entry.string("mail") == nil)
  }
}

@Suite struct LDAPConfigurationTests {
  @Test func refusesSimpleBindWithoutTLS() {
    let config = LDAPConfiguration(
      uris: ["ldap://dc1.example.test"], bind: .simple(dn: "svc", password: LDAPSecret("pw")))
    #expect(throws: LDAPError.self) { try config.validate() }
    do {
      try config.validate()
    } catch {
      #expect(error.kind == .refused)
      #expect(error.description.contains("unencrypted"))
    }
  }

  @Test(arguments: [
    (["ldaps://dc1"], false, true),
    (["ldap://dc1"], true, true),
    (["ldap://dc1"], false, false),
    (["ldaps://dc1", "ldap://dc2"], false, false),
  ])
  func encryptionNeedsEveryURIProtected(uris: [String], startTLS: Bool, encrypted: Bool) {
    let config = LDAPConfiguration(uris: uris, startTLS: startTLS, bind: .anonymous)
    #expect(config.isEncrypted == encrypted)
  }

  @Test(arguments: ["http://dc1", "dc1.example.test", "ldap://a b"])
  func rejectsNonLDAPURIs(uri: String) {
    let config = LDAPConfiguration(uris: [uri], bind: .anonymous)
    #expect(throws: LDAPError.self) { try config.validate() }
  }

  @Test func secretsNeverPrint() {
    let secret = LDAPSecret("hunter2-very-secret")
    let bind = LDAPBind.simple(dn: "svc@x", password: secret)
    #expect(!"\(secret)".contains("hunter2"))
    #expect(!String(reflecting: secret).contains("hunter2"))
    #expect(!"\(bind)".contains("hunter2"))
    var dumped = ""
    dump(bind, to: &dumped)
    #expect(!dumped.contains("hunter2"))
  }
}
