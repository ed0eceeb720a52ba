import TestSupport
import Testing

@testable import LDAPClient

/// The builder alone: how server-sent attributes land in a batch.
@Suite struct LDAPEntryBatchBuilderTests {
  func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

  /// Feeds one entry the way the BER walker does: (server name, values) in server order.
  func add(
    _ builder: inout LDAPEntryBatchBuilder, dn: String, _ attributes: [(String, [[UInt8]])]
  ) {
    bytes(dn).withUnsafeBytes { builder.beginEntry(dn: $0) }
    for (name, values) in attributes {
      let index = bytes(name).withUnsafeBytes { builder.attributeIndex($0) }
      guard let index, builder.beginAttribute(index) else { continue }
      for value in values { value.withUnsafeBytes { builder.append($0, attribute: index) } }
    }
  }

  @Test func valuesLandUnderTheRequestedPositions() {
    var builder = LDAPEntryBatchBuilder(attributes: ["objectGUID", "mail", "proxyAddresses"])
    add(
      &builder, dn: "CN=a,DC=x",
      [
        ("proxyAddresses", [bytes("SMTP:a@x"), bytes("smtp:b@x")]),
        ("whenChanged", [bytes("20261129000000.0Z")]),  // not requested: dropped
        ("objectGUID", [[0, 1, 2, 0xff]]),
      ])
    add(&builder, dn: "CN=b,DC=x", [("MAIL", [bytes("b@x")]), ("objectguid", [[9]])])
    let batch = builder.build()
    #expect(batch.count == 2)
    #expect(Array(batch[0].dn) == bytes("CN=a,DC=x"))
    #expect(batch[0].values(2).map(Array.init) == [bytes("SMTP:a@x"), bytes("smtp:b@x")])
    #expect(batch[0].first(0).map(Array.init) == [0, 1, 2, 0xff])
    #expect(batch[0].first(1) == nil)
    #expect(batch[0].values(1).isEmpty)
    #expect(batch[1].first(1).map(Array.init) == bytes("b@x"))
    #expect(batch[1].first(0).map(Array.init) == [9])
    #expect(batch[1].values(2).isEmpty)
    #expect(batch.index(of: "MAIL") == 1)
    #expect(batch.index(of: "member") == nil)
  }

  @Test func rangeOptionsMapToTheBaseNameAndRepeatsKeepTheFirst() {
    var builder = LDAPEntryBatchBuilder(attributes: ["member"])
    add(
      &builder, dn: "CN=g,DC=x",
      [("member;range=0-1", [bytes("m0"), bytes("m1")]), ("member", [bytes("late")])])
    let batch = builder.build()
    #expect(batch[0].values(0).map(Array.init) == [bytes("m0"), bytes("m1")])
    // Same answer as the general form's lookup.
    let entry = LDAPEntry(
      dn: "CN=g,DC=x",
      attributes: [
        LDAPAttribute(name: "member;range=0-1", values: [bytes("m0"), bytes("m1")]),
        LDAPAttribute(name: "member", values: [bytes("late")]),
      ])
    #expect(entry.values("member") == batch[0].values(0).map(Array.init))
  }

  @Test func emptyValuesAndEmptyEntries() {
    var builder = LDAPEntryBatchBuilder(attributes: ["a", "b"])
    add(&builder, dn: "", [("a", [[]]), ("b", [])])
    add(&builder, dn: "CN=none", [])
    let batch = builder.build()
    #expect(batch.count == 2)
    #expect(batch[0].dn.isEmpty)
    #expect(batch[0].values(0).count == 1)
    #expect(batch[0].first(0)?.isEmpty == true)
    #expect(batch[0].values(1).isEmpty)
    #expect(batch[1].values(0).isEmpty && batch[1].values(1).isEmpty)
    #expect(batch[1].entry == LDAPEntry(dn: "CN=none", attributes: []))
  }
}
