import ActiveDirectory
import AnchorCore
import LDAPClient
import TestSupport
import Testing

@testable import anchorbridge

/// `ad users --format json` is written from page bytes; it must equal what the general renderer
/// writes for the same users read as `DirectoryUser` values, for every anchor policy.
@Suite(.enabled(if: TestDomainController.shouldRun, "needs the test DC: Scripts/dc.sh start"))
struct UserJSONFastPathTests {
  let dc: TestDomainController
  let fixture: TestFixture

  init() throws {
    dc = try TestDomainController.require()
    fixture = try dc.fixture()
  }

  func source(_ anchor: AnchorPolicy) throws -> DirectorySource {
    let root = try #require(fixture["fixtureRootDN"]?.string)
    // Every named fixture user (odd anchors, non-ASCII names, X500 addresses) and 100 bulk users,
    // over many small pages.
    let filter =
      "(&(objectCategory=person)(objectClass=user)(|(!(sAMAccountName=bulk*))(sAMAccountName=bulk000*)))"
    return DirectorySource(
      name: "anchor",
      connection: LDAPConfiguration(
        uris: [dc.ldapsURI], caFile: dc.caFile,
        bind: .simple(
          dn: try dc.value("AB_DC_SVC_UPN"), password: LDAPSecret(try dc.servicePassword()))),
      users: .init(bases: [root], filter: filter), anchor: anchor, pageSize: 7)
  }

  @Test(arguments: [
    AnchorPolicy.consistencyGuid, .objectGUID, .attribute("employeeID"),
    .attribute("displayName"), .attribute("objectSid"), .attribute("mS-DS-ConsistencyGuid"),
  ])
  func fastJSONEqualsTheGeneralRenderer(_ anchor: AnchorPolicy) async throws {
    let reader = try await ActiveDirectoryReader.connect(try source(anchor))
    // Both renderings from the same pages: other tests may modify users between two reads.
    var general = DirectoryRenderer(format: .json)
    var expected: [UInt8] = []
    var expectedDiagnostics: [Diagnostic] = []
    var fast = DirectoryRenderer(format: .json)
    var out = JSONText()
    var diagnostics: [Diagnostic] = []
    var count = 0
    for try await page in reader.userPages() {
      let users = try page.map { try $0.read() }
      expected += general.page(
        users.map(\.user), columns: DirectoryRenderer.userColumns, rows: DirectoryRenderer.userRow,
        json: DirectoryRenderer.userJSON)
      expectedDiagnostics += users.flatMap(\.diagnostics)
      diagnostics += try fast.usersJSON(page, into: &out)
      count += page.count
    }
    expected += general.finish(columns: DirectoryRenderer.userColumns)
    let written = out.bytes + fast.finish(columns: DirectoryRenderer.userColumns)

    #expect(count > 100)
    #expect(String(decoding: written, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
    #expect(written == expected)
    #expect(diagnostics == expectedDiagnostics)
  }
}
