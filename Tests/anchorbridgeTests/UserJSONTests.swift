import ActiveDirectory
import AnchorCore
import LDAPClient
import TestSupport
import Testing

@testable import anchorbridge

/// JSON text from UTF-8 bytes must be exactly the text of the `String` path.
@Suite struct JSONTextBytesTests {
  static let values: [[UInt8]] = [
    Array("plain@anchor.test".utf8), [], Array("quote \" and backslash \\".utf8),
    Array("tab\tnew\nline\r and \u{01}".utf8), Array("Jürgen Çelik 日本".utf8),
    [0x61, 0xff, 0x62],  // invalid UTF-8: repaired to U+FFFD either way
    [0xe6, 0x97],  // truncated sequence
  ]

  @Test(arguments: values)
  func bytesAndStringsWriteTheSameText(_ value: [UInt8]) {
    var fromBytes = JSONText()
    fromBytes.string(utf8: value[...])
    var fromString = JSONText()
    fromString.string(String(decoding: value, as: UTF8.self))
    #expect(fromBytes.bytes == fromString.bytes)
  }

  @Test func arraysAndNull() {
    var fromBytes = JSONText()
    fromBytes.strings(utf8: Self.values.map { $0[...] })
    fromBytes.string(utf8: nil)
    var fromString = JSONText()
    fromString.strings(Self.values.map { String(decoding: $0, as: UTF8.self) })
    fromString.string(nil)
    #expect(fromBytes.bytes == fromString.bytes)
  }
}

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

    var general = DirectoryRenderer(format: .json)
    var expected: [UInt8] = []
    var expectedDiagnostics: [Diagnostic] = []
    var count = 0
    for try await page in reader.users() {
      expected += general.page(
        page.map(\.user), columns: DirectoryRenderer.userColumns, rows: DirectoryRenderer.userRow,
        json: DirectoryRenderer.userJSON)
      expectedDiagnostics += page.flatMap(\.diagnostics)
      count += page.count
    }
    expected += general.finish(columns: DirectoryRenderer.userColumns)

    var fast = DirectoryRenderer(format: .json)
    var out = JSONText()
    var diagnostics: [Diagnostic] = []
    for try await page in reader.userPages() {
      diagnostics += try fast.usersJSON(page, into: &out)
    }
    let written = out.bytes + fast.finish(columns: DirectoryRenderer.userColumns)

    #expect(count > 100)
    #expect(String(decoding: written, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
    #expect(written == expected)
    #expect(diagnostics == expectedDiagnostics)
  }
}
