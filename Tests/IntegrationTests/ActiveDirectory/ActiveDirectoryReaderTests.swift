import AnchorCore
import Crypto
import Foundation
import LDAPClient
import TestSupport
import Testing

@testable import ActiveDirectory

/// The AD reader against the real Samba DC, checked against the manifest that Python computed from
/// what Samba stored (never against values the Swift code produced).
@Suite(.enabled(if: TestDomainController.shouldRun, "needs the test DC: Scripts/dc.sh start"))
struct ActiveDirectoryReaderTests {
  let dc: TestDomainController
  let fixture: TestFixture

  init() throws {
    dc = try TestDomainController.require()
    fixture = try dc.fixture()
  }

  func source(
    anchor: AnchorPolicy = .consistencyGuid, rangeWindow: Int = 1500, pageSize: Int = 500,
    admin: Bool = false, readConnections: Int = 1
  ) throws -> DirectorySource {
    let root = try #require(fixture["fixtureRootDN"]?.string)
    let bind: LDAPBind =
      admin
      ? .simple(dn: try dc.value("AB_DC_ADMIN_DN"), password: LDAPSecret(try dc.adminPassword()))
      : .simple(dn: try dc.value("AB_DC_SVC_UPN"), password: LDAPSecret(try dc.servicePassword()))
    return DirectorySource(
      name: "anchor",
      connection: LDAPConfiguration(uris: [dc.ldapsURI], caFile: dc.caFile, bind: bind),
      users: .init(bases: [root], filter: "(&(objectCategory=person)(objectClass=user))"),
      groups: .init(bases: [root], filter: "(objectClass=group)"),
      anchor: anchor, pageSize: pageSize, rangeWindow: rangeWindow,
      readConnections: readConnections)
  }

  func readUsers(_ source: DirectorySource, changedAfter: Int64? = nil) async throws -> [ReadUser] {
    let reader = try await ActiveDirectoryReader.connect(source)
    var all: [ReadUser] = []
    for try await page in reader.users(changedAfter: changedAfter) { all.append(contentsOf: page) }
    return all
  }

  func named(_ users: [ReadUser]) -> [String: ReadUser] {
    Dictionary(
      users.compactMap { u in u.user.samAccountName.map { ($0, u) } },
      uniquingKeysWith: { a, _ in a })
  }

  @Test func everyUserMatchesTheManifest() async throws {
    let users = named(try await readUsers(try source(anchor: .objectGUID)))
    #expect(users.count == fixture["counts"]?["usersUnderFixtureRoot"]?.int)
    #expect(!fixture.users.isEmpty)
    for (name, expected) in fixture.users {
      let read = try #require(users[name], "fixture user \(name) was not read")
      #expect(read.user.objectGUID.canonicalString == expected["objectGuid"]?.string)
      #expect(read.user.anchor?.immutableId == expected["objectGuidBase64"]?.string)
      #expect(read.user.userPrincipalName == expected["userPrincipalName"]?.string)
      #expect(read.user.mail == expected["mail"]?.string)
      #expect(
        read.user.proxyAddresses.sorted() == (expected["proxyAddresses"]?.strings ?? []).sorted())
      #expect(read.user.enabled == expected["enabled"]?.bool)
      #expect(read.user.objectSid == expected["objectSid"]?.string)
      #expect(read.user.distinguishedName.lowercased() == expected["dn"]?.string?.lowercased())
    }
    // The bulk users too: the SHA-256 of all their objectGUID strings, as Python computed it.
    let bulk = users.values.filter { $0.user.samAccountName?.hasPrefix("bulk") == true }
    #expect(bulk.count == fixture["bulk"]?["count"]?.int)
    let digest = SHA256.hash(
      data: Data(bulk.map(\.user.objectGUID.canonicalString).sorted().joined(separator: "\n").utf8))
    #expect(
      digest.map { String(format: "%02x", $0) }.joined()
        == fixture["bulk"]?["objectGuidsSHA256"]?.string)
  }

  /// Three connections, one uSNChanged range each: every user once, and each range's users only.
  @Test func parallelReadSplitsByUSNOverSeveralConnections() async throws {
    let serial = Set(try await readUsers(try source()).map(\.user.objectGUID))
    let reader = try await ActiveDirectoryReader.connect(try source(readConnections: 3))
    let pages = try await reader.userPagesInParallel()
    #expect(pages.connections == 3)
    var repeats = pages.repeatFilter
    var read: [ObjectGUID] = []
    for try await page in pages {
      for entry in page {
        let guid = try entry.read().user.objectGUID
        if repeats.admits(guid) { read.append(guid) }
      }
    }
    #expect(read.count == serial.count && Set(read) == serial)
    // The ranges partition the scope: read one by one, they add up to the same users.
    let highest = try await reader.currentWatermark().highestCommittedUSN
    var union: [ObjectGUID] = []
    for range in USNRange.split(after: nil, highest: highest, count: 3) {
      for try await page in reader.userPages(in: range) {
        for entry in page {
          let user = try entry.read().user
          union.append(user.objectGUID)
          if let usn = user.usnChanged, let through = range.through { #expect(usn <= through) }
        }
      }
    }
    #expect(union.count == serial.count && Set(union) == serial)
  }

  @Test func consistencyGuidPolicyFollowsEntraConnect() async throws {
    let users = named(try await readUsers(try source(anchor: .consistencyGuid)))
    let equal = try #require(users[fixture.role("consistencyGuidEqualsObjectGuid").first ?? ""])
    #expect(equal.user.anchorSource == "mS-DS-ConsistencyGuid")
    #expect(
      equal.user.anchor?.immutableId
        == fixture.users[equal.user.samAccountName!]?["objectGuidBase64"]?.string)
    #expect(equal.diagnostics.isEmpty)

    let differs = try #require(users[fixture.role("consistencyGuidDiffers").first ?? ""])
    let expectedDiffers = fixture.users[differs.user.samAccountName!]
    #expect(differs.user.anchor?.immutableId == expectedDiffers?["consistencyGuidBase64"]?.string)
    #expect(differs.user.anchor?.immutableId != expectedDiffers?["objectGuidBase64"]?.string)
    #expect(differs.diagnostics.map(\.code) == [.consistencyGuidDiffers])

    for role in ["consistencyGuidFiveBytes", "consistencyGuidGuidString"] {
      let odd = try #require(users[fixture.role(role).first ?? ""])
      #expect(odd.user.anchor?.kind == .opaque)
      #expect(
        odd.user.anchor?.immutableId
          == fixture.users[odd.user.samAccountName!]?["consistencyGuidBase64"]?.string)
      #expect(odd.diagnostics.map(\.code) == [.consistencyGuidWrongLength])
    }

    // Without a ConsistencyGuid, Connect falls back to objectGUID.
    let plain = try #require(users.values.first { $0.user.consistencyGuid == nil })
    #expect(plain.user.anchorSource == "objectGUID")
    #expect(plain.user.anchor == SourceAnchor(guid: plain.user.objectGUID))
  }

  @Test func objectGUIDPolicyIgnoresConsistencyGuid() async throws {
    let users = named(try await readUsers(try source(anchor: .objectGUID)))
    let differs = try #require(users[fixture.role("consistencyGuidDiffers").first ?? ""])
    #expect(differs.user.anchorSource == "objectGUID")
    #expect(
      differs.user.anchor?.immutableId
        == fixture.users[differs.user.samAccountName!]?["objectGuidBase64"]?.string)
  }

  @Test func customAttributePolicyIsVerbatim() async throws {
    let users = named(try await readUsers(try source(anchor: .attribute("employeeID"))))
    for name in fixture.role("withEmployeeID") {
      let read = try #require(users[name])
      #expect(read.user.anchorSource == "employeeID")
      #expect(
        read.user.anchor
          == SourceAnchor(opaque: try #require(fixture.users[name]?["employeeID"]?.string)))
    }
    let withoutName = try #require(fixture.users.first { $0.value["employeeID"] == nil }?.key)
    let without = try #require(users[withoutName])
    #expect(without.user.anchor == nil)
    #expect(without.diagnostics.map(\.code).contains(.anchorAttributeMissing))
  }

  @Test func nonASCIINamesSurviveIntact() async throws {
    let users = named(try await readUsers(try source()))
    for name in fixture.role("nonAsciiUpn") {
      let read = try #require(users[name])
      #expect(read.user.userPrincipalName == fixture.users[name]?["userPrincipalName"]?.string)
      #expect(read.user.displayName == fixture.users[name]?["displayName"]?.string)
      #expect(read.user.userPrincipalName?.unicodeScalars.contains { $0.value > 127 } == true)
    }
  }

  @Test(arguments: [1500, 1000, 700])
  func bigGroupIsCompleteAcrossRangeWindows(window: Int) async throws {
    let reader = try await ActiveDirectoryReader.connect(try source(rangeWindow: window))
    var groups: [String: DirectoryGroup] = [:]
    for try await page in reader.groups() {
      for group in page { groups[group.samAccountName ?? ""] = group }
    }
    let bigName = try #require(fixture.role("bigGroup").first)
    let expected = try #require(fixture.groups[bigName])
    let big = try #require(groups[bigName])
    #expect(big.members.count >= 3000)
    #expect(big.members.count == expected["memberCount"]?.int)
    #expect(Set(big.members).count == big.members.count, "no member read twice")
    let digest = SHA256.hash(
      data: Data(big.members.map(\.canonicalString).sorted().joined(separator: "\n").utf8))
    #expect(
      digest.map { String(format: "%02x", $0) }.joined()
        == expected["memberObjectGuidsSHA256"]?.string)

    for (name, group) in fixture.groups {
      let read = try #require(groups[name], "fixture group \(name) was not read")
      #expect(read.objectGUID.canonicalString == group["objectGuid"]?.string)
      #expect(read.objectSid == group["objectSid"]?.string)
      #expect(read.groupType.rawValue == Int32(group["groupType"]?.int ?? 0))
      #expect((read.groupType.kind == .security) == group["securityEnabled"]?.bool)
      #expect(read.members.count == group["memberCount"]?.int)
      if let members = group["memberObjectGuids"] {
        #expect(read.members.map(\.canonicalString).sorted() == members.strings)
      }
      #expect(read.mail == group["mail"]?.string)
    }
  }

  /// Many ranged member reads while the paged groups search is still open: the member reads must
  /// not open paged-results state of their own (Samba drops the oldest after ~10).
  @Test func smallPagesAndSmallWindowsTogether() async throws {
    let reader = try await ActiveDirectoryReader.connect(try source(rangeWindow: 100, pageSize: 2))
    var groups: [String: DirectoryGroup] = [:]
    for try await page in reader.groups() {
      #expect(page.count <= 2)
      for group in page { groups[group.samAccountName ?? ""] = group }
    }
    #expect(groups.count == fixture.groups.count)
    let bigName = try #require(fixture.role("bigGroup").first)
    #expect(groups[bigName]?.members.count == fixture.groups[bigName]?["memberCount"]?.int)
  }

  @Test func incrementalReadReturnsOnlyChangedObjects() async throws {
    // Scoped to OU=Staff: other tests modify bulk users concurrently.
    var admin = try source(admin: true)
    let name = try #require(fixture.role("sameMailDifferentUpnSuffix").first)
    let dn = try #require(fixture.users[name]?["dn"]?.string)
    admin.users.bases = [String(dn.drop { $0 != "," }.dropFirst())]
    let reader = try await ActiveDirectoryReader.connect(admin)
    let before = try await reader.currentWatermark()
    #expect(before.invocationId == fixture["invocationId"]?.string?.lowercased())
    let stamp = "changed \(UInt64.random(in: 0...UInt64.max))"
    try await reader.connection.modify(
      dn, [LDAPModification(.replace, "description", values: [Array(stamp.utf8)])])
    let after = try await reader.currentWatermark()
    let since = try #require(after.incrementalBase(since: before))
    let changed = try await readUsers(admin, changedAfter: since)
    #expect(changed.map(\.user.samAccountName) == [name])
    let nothing = try await readUsers(admin, changedAfter: after.highestCommittedUSN)
    #expect(nothing.isEmpty)
  }
}
