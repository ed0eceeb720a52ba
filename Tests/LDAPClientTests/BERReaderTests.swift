import Testing

@testable import LDAPClient

/// BER element reading as LDAP encodes it: short and long definite lengths, and every way the
/// bytes can be cut short or be outside what LDAP allows.
@Suite struct BERReaderTests {
  func elements(_ bytes: [UInt8]) -> [(tag: UInt8, contents: [UInt8])]? {
    bytes.withUnsafeBytes { raw in
      var reader = BERReader(raw)
      var out: [(UInt8, [UInt8])] = []
      while !reader.isAtEnd {
        guard let element = reader.next() else { return nil }
        out.append((element.tag, Array(element.contents)))
      }
      return out
    }
  }

  static let wellFormed: [(bytes: [UInt8], tag: UInt8, contents: [UInt8])] = [
    ([0x04, 0x03, 0x61, 0x62, 0x63], 0x04, [0x61, 0x62, 0x63]),  // short form
    ([0x04, 0x00], 0x04, []),  // empty value
    ([0x04, 0x81, 0x02, 0x01, 0x02], 0x04, [0x01, 0x02]),  // long form, one length byte
    ([0x31, 0x84, 0x00, 0x00, 0x00, 0x01, 0xff], 0x31, [0xff]),  // AD's four-byte form
    ([0x30, 0x82, 0x00, 0x02, 0x04, 0x00], 0x30, [0x04, 0x00]),  // constructed
  ]

  @Test(arguments: wellFormed.indices)
  func readsOneElement(_ index: Int) throws {
    let sample = Self.wellFormed[index]
    let read = try #require(elements(sample.bytes))
    #expect(read.count == 1)
    #expect(read.first?.tag == sample.tag)
    #expect(read.first?.contents == sample.contents)
  }

  @Test func readsSeveralInARow() throws {
    let read = try #require(elements([0x04, 0x01, 0x41, 0x04, 0x81, 0x01, 0x42, 0x04, 0x00]))
    #expect(read.map(\.contents) == [[0x41], [0x42], []])
  }

  static let malformed: [[UInt8]] = [
    [0x04],  // no length
    [0x04, 0x03, 0x61],  // contents cut short
    [0x04, 0x82, 0x00],  // length bytes cut short
    [0x04, 0x80, 0x00, 0x00],  // indefinite length (not allowed in LDAP)
    [0x04, 0x85, 0, 0, 0, 0, 1, 0x61],  // five length bytes
    [0x1f, 0x81, 0x01, 0x00],  // multi-byte tag
  ]

  @Test(arguments: malformed)
  func refusesWhatLDAPDoesNotAllow(_ bytes: [UInt8]) {
    #expect(elements(bytes) == nil)
  }

  @Test func emptyInputIsAtEnd() {
    [UInt8]().withUnsafeBytes { raw in
      var reader = BERReader(raw)
      #expect(reader.isAtEnd)
      #expect(reader.next() == nil)
    }
  }
}
