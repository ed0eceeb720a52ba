import TestSupport
import Testing

@testable import LDAPClient

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
