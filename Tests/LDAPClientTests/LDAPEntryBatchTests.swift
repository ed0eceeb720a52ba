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

/// Batches against the real DC: the same search read both ways gives the same entries.
@Suite(.enabled(if: TestDomainController.shouldRun, "needs the test DC: Scripts/dc.sh start"))
struct LDAPEntryBatchSearchTests {
  let dc: TestDomainController

  init() throws { dc = try TestDomainController.require() }

  func connect() async throws -> LDAPConnection {
    try await LDAPConnection.connect(
      LDAPConfiguration(
        uris: [dc.ldapsURI], caFile: dc.caFile,
        bind: .simple(
          dn: try dc.value("AB_DC_SVC_UPN"), password: LDAPSecret(try dc.servicePassword()))))
  }

  @Test func batchesCarryWhatEntriesCarry() async throws {
    let root = try #require(try dc.fixture()["fixtureRootDN"]?.string)
    // Names in other spellings than the schema's: the server answers in its own.
    let attributes = [
      "objectguid", "MS-DS-CONSISTENCYGUID", "userPrincipalName", "sAMAccountName", "mail",
      "proxyAddresses", "displayName", "userAccountControl", "objectSid", "whenCreated",
    ]
    // The named fixture users and 100 bulk ones (not bulk00002, which another test modifies
    // while this one reads twice). whenCreated, not whenChanged: other suites modify fixture users
    // (a description) between the two reads.
    let filter = "(&(objectClass=user)(|(!(sAMAccountName=bulk*))(sAMAccountName=bulk001*)))"
    let request = LDAPSearchRequest(
      base: root, filter: filter, attributes: attributes, pageSize: 7)
    let connection = try await connect()
    var general: [String: LDAPEntry] = [:]
    for try await page in connection.search(request).pages() {
      for entry in page { general[entry.dn] = entry }
    }
    var packedPages = 0
    var packed = 0
    for try await batch in connection.batches(request) {
      packedPages += 1
      #expect(batch.attributes == attributes)
      for entry in batch {
        packed += 1
        let dn = String(decoding: entry.dn, as: UTF8.self)
        let expected = try #require(general[dn], "\(dn) only in the batch")
        for (index, name) in attributes.enumerated() {
          #expect(entry.values(index).map(Array.init) == expected.values(name), "\(dn) \(name)")
        }
        #expect(entry.entry.attributes.count == expected.attributes.count, "\(dn)")
      }
    }
    #expect(packed == general.count)
    #expect(packedPages >= 5)
    #expect(general.values.contains { !$0.values("ms-ds-consistencyguid").isEmpty })
    #expect(general.values.contains { $0.values("proxyAddresses").count >= 2 })
  }
}
