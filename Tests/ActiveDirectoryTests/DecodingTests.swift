import AnchorCore
import Testing

@testable import ActiveDirectory

@Suite struct SecurityIdentifierTests {
  @Test func decodesTheSIDFromTheFactSheet() {
    let hex = "0105000000000005150000002ea569e22fc4be177959e2be900a0000"
    var bytes: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
      let next = hex.index(index, offsetBy: 2)
      bytes.append(UInt8(hex[index..<next], radix: 16)!)
      index = next
    }
    #expect(
      SecurityIdentifier.string(from: bytes) == "S-1-5-21-3798574382-398378031-3202505081-2704")
  }

  @Test func rejectsTruncatedSIDs() {
    #expect(SecurityIdentifier.string(from: [1, 5, 0, 0]) == nil)
    #expect(SecurityIdentifier.string(from: [1, 2, 0, 0, 0, 0, 0, 5, 1, 0, 0, 0]) == nil)
  }
}

@Suite struct ExtendedDNTests {
  @Test func splitsGUIDSIDAndDN() throws {
    let parsed = ExtendedDN(
      parsing:
        "<GUID=1487c857-f8da-4803-ace8-8fbbaa0893be>;<SID=S-1-5-21-1-2-3-2704>;CN=st1,CN=Users,DC=research,DC=test"
    )
    let guid = try #require(parsed.guid)
    #expect(SourceAnchor(guid: guid).immutableId == "V8iHFNr4A0is6I+7qgiTvg==")
    #expect(parsed.sid == "S-1-5-21-1-2-3-2704")
    #expect(parsed.dn == "CN=st1,CN=Users,DC=research,DC=test")
  }

  @Test func guidOnlyAndPlainDNs() {
    let ou = ExtendedDN(parsing: "<GUID=35918bc9-196d-40ea-9779-889d79b753f0>;OU=Staff,DC=x")
    #expect(ou.guid?.canonicalString == "35918bc9-196d-40ea-9779-889d79b753f0")
    #expect(ou.sid == nil)
    #expect(ou.dn == "OU=Staff,DC=x")
    let plain = ExtendedDN(parsing: "CN=a\\3Cb,DC=x")
    #expect(plain.guid == nil)
    #expect(plain.dn == "CN=a\\3Cb,DC=x")
  }
}

@Suite struct WatermarkTests {
  static let base = USNWatermark(
    source: "corp", dcHostName: "dc1.anchor.test", invocationId: "aaaa", highestCommittedUSN: 100)

  @Test func incrementalOnlyOnTheSameDCInstance() {
    var current = Self.base
    current.highestCommittedUSN = 150
    #expect(current.incrementalBase(since: Self.base) == 100)
    var restored = current
    restored.invocationId = "bbbb"
    #expect(restored.incrementalBase(since: Self.base) == nil)
    var otherDC = current
    otherDC.dcHostName = "dc2.anchor.test"
    #expect(otherDC.incrementalBase(since: Self.base) == nil)
    var rewound = current
    rewound.highestCommittedUSN = 50
    #expect(rewound.incrementalBase(since: Self.base) == nil)
    #expect(current.incrementalBase(since: nil) == nil)
  }

  @Test func filterAddsTheUSNBound() {
    #expect(
      ActiveDirectoryReader.filter("(objectClass=user)", changedAfter: nil) == "(objectClass=user)")
    #expect(
      ActiveDirectoryReader.filter("(objectClass=user)", changedAfter: 41)
        == "(&(objectClass=user)(uSNChanged>=42))")
    #expect(
      ActiveDirectoryReader.filter("(objectClass=user)", changedAfter: 41, through: 90)
        == "(&(objectClass=user)(uSNChanged>=42)(uSNChanged<=90))")
    #expect(
      ActiveDirectoryReader.filter("(objectClass=user)", changedAfter: nil, through: 90)
        == "(&(objectClass=user)(uSNChanged<=90))")
  }

  /// Ranges cover everything above the start exactly once, the last open above.
  @Test func usnRangesSplitEvenlyAndLeaveTheTopOpen() {
    #expect(
      USNRange.split(after: nil, highest: 24_000, count: 3) == [
        USNRange(after: nil, through: 8_000), USNRange(after: 8_000, through: 16_000),
        USNRange(after: 16_000, through: nil),
      ])
    #expect(
      USNRange.split(after: 100, highest: 300, count: 2) == [
        USNRange(after: 100, through: 200), USNRange(after: 200, through: nil),
      ])
    #expect(
      USNRange.split(after: nil, highest: 24_000, count: 1) == [USNRange(after: nil, through: nil)])
    #expect(
      USNRange.split(after: 500, highest: 500, count: 4) == [USNRange(after: 500, through: nil)])
  }
}
