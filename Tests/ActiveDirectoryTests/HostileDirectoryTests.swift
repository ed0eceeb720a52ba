import AnchorCore
import LDAPClient
import Synchronization
import TestSupport
import Testing

@testable import ActiveDirectory

/// The AD reader against `HostileLDAPServer`: every number the server sends is checked before
/// arithmetic, every loop ends with an error naming the source, and text that is not UTF-8 is a
/// per-user diagnostic, never a silent replacement.
@Suite struct HostileDirectoryTests {
  typealias Server = HostileLDAPServer
  static let base = "DC=hostile"
  static let service = "CN=NTDS Settings,CN=DC1,DC=hostile"

  func source(_ server: Server, rangeWindow: Int = 1500, readConnections: Int = 1)
    -> DirectorySource
  {
    DirectorySource(
      name: "hostile",
      connection: LDAPConfiguration(
        uris: [server.uri], bind: .anonymous, connectTimeout: .seconds(2),
        operationTimeout: .seconds(10)),
      users: .init(bases: [Self.base], filter: "(objectClass=user)"),
      groups: .init(bases: [Self.base], filter: "(objectClass=group)"),
      anchor: .objectGUID, rangeWindow: rangeWindow, readConnections: readConnections)
  }

  static func guid(_ number: Int) -> ObjectGUID {
    ObjectGUID(
      bytes: [UInt8(number & 0xff), UInt8(number >> 8 & 0xff)] + [UInt8](repeating: 7, count: 14))!
  }

  static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

  static func member(_ number: Int) -> [UInt8] {
    bytes("<GUID=\(guid(number).canonicalString)>;CN=m\(number),DC=hostile")
  }

  static func user(_ number: Int, upn: [UInt8]) -> Server.Entry {
    Server.Entry(
      dn: "CN=u\(number),DC=hostile",
      [
        ("objectGUID", [Array(guid(1000 + number).bytes)]), ("userPrincipalName", [upn]),
        ("sAMAccountName", [bytes("u\(number)")]),
      ])
  }

  static func group(_ members: (name: String, values: [[UInt8]])) -> Server.Entry {
    Server.Entry(
      dn: "CN=g,DC=hostile",
      [
        ("objectGUID", [Array(guid(1).bytes)]), ("groupType", [bytes("-2147483646")]),
        (members.name, members.values),
      ])
  }

  /// A directory: the rootDSE and the DC's NTDS Settings, users and groups for subtree searches,
  /// and `ranged` for the `<GUID=...>` reads of further member windows (given the window's low).
  static func directory(
    usn: String = "1000", users: [Server.Entry] = [], groups: [Server.Entry] = [],
    ranged: @escaping @Sendable (Int) -> Server.Reply = { _ in .init() }
  ) -> @Sendable (Server.Search) -> Server.Reply {
    { search in
      switch search.base {
      case "":
        return .init(entries: [
          Server.Entry(
            dn: "",
            [
              ("defaultNamingContext", [bytes(base)]), ("highestCommittedUSN", [bytes(usn)]),
              ("dsServiceName", [bytes(service)]), ("dnsHostName", [bytes("dc1.hostile")]),
            ])
        ])
      case service:
        return .init(entries: [
          Server.Entry(dn: service, [("invocationId", [Array(guid(9).bytes)])])
        ])
      case let base where base.hasPrefix("<GUID="):
        let window = search.attributes.first ?? ""
        let low = window.split(separator: "=").last?.split(separator: "-").first
        return ranged(low.flatMap { Int($0) } ?? -1)
      default:
        let wantsGroups = search.attributes.contains { $0.lowercased().hasPrefix("member") }
        return .init(entries: wantsGroups ? groups : users)
      }
    }
  }

  func readGroups(_ server: Server, rangeWindow: Int = 1500) async throws -> [DirectoryGroup] {
    let reader = try await ActiveDirectoryReader.connect(source(server, rangeWindow: rangeWindow))
    var groups: [DirectoryGroup] = []
    for try await page in reader.groups() { groups.append(contentsOf: page) }
    return groups
  }

  func malformedReason(_ body: () async throws -> Void) async -> String? {
    do {
      try await body()
    } catch ActiveDirectoryError.malformed(let source, _, _, let reason) where source == "hostile" {
      return reason
    } catch {
      return "unexpected error: \(error)"
    }
    return nil
  }

  // MARK: Ranged member windows

  @Test func aRangeBoundOfInt64MaxIsAnErrorNotATrap() async throws {
    let server = try Server(
      answer: Self.directory(groups: [
        Self.group(("member;range=0-9223372036854775807", [Self.member(1)]))
      ]))
    defer { server.close() }
    let reason = await malformedReason { _ = try await readGroups(server) }
    #expect(reason?.contains("names more values than the 1500 asked from 0") == true)
  }

  @Test func windowsOfOneValueEachAreLegalWhileTheyAdvance() async throws {
    let server = try Server(
      answer: Self.directory(
        groups: [Self.group(("member;range=0-0", [Self.member(0)]))],
        ranged: { low in
          let name = low == 4 ? "member;range=4-*" : "member;range=\(low)-\(low)"
          return .init(entries: [Server.Entry(dn: "CN=g,DC=hostile", [(name, [Self.member(low)])])])
        }))
    defer { server.close() }
    let groups = try await readGroups(server)
    #expect(groups.first?.members == (0...4).map(Self.guid))
  }

  @Test func aWindowThatRepeatsIsAnError() async throws {
    let server = try Server(
      answer: Self.directory(
        groups: [Self.group(("member;range=0-0", [Self.member(0)]))],
        ranged: { low in
          .init(entries: [
            Server.Entry(dn: "CN=g,DC=hostile", [("member;range=\(low)-\(low)", [Self.member(0)])])
          ])
        }))
    defer { server.close() }
    let reason = await malformedReason { _ = try await readGroups(server) }
    #expect(reason?.contains("repeats member") == true)
  }

  @Test func aWindowThatGoesBackwardsIsAnError() async throws {
    let server = try Server(
      answer: Self.directory(
        groups: [Self.group(("member;range=0-1", [Self.member(0), Self.member(1)]))],
        ranged: { low in
          .init(entries: [
            Server.Entry(
              dn: "CN=g,DC=hostile", [("member;range=\(low - 1)-\(low)", [Self.member(low)])])
          ])
        }))
    defer { server.close() }
    let reason = await malformedReason { _ = try await readGroups(server) }
    #expect(reason?.contains("is not the requested window starting at 2") == true)
  }

  @Test func aWindowThatClaimsMoreValuesThanItCarriesIsAnError() async throws {
    let server = try Server(
      answer: Self.directory(groups: [Self.group(("member;range=0-9", [Self.member(0)]))]))
    defer { server.close() }
    let reason = await malformedReason { _ = try await readGroups(server, rangeWindow: 10) }
    #expect(reason?.contains("names 10 values but carries 1") == true)
  }

  @Test func aWindowWithMoreValuesThanAskedIsAnError() async throws {
    let server = try Server(
      answer: Self.directory(
        groups: [Self.group(("member;range=0-*", (0..<3).map(Self.member)))]))
    defer { server.close() }
    let reason = await malformedReason { _ = try await readGroups(server, rangeWindow: 2) }
    #expect(reason?.contains("carries 3 values; 2 were asked") == true)
  }

  // MARK: USNs

  @Test func aHighestCommittedUSNOfInt64MaxIsRefused() async throws {
    let server = try Server(answer: Self.directory(usn: "\(Int64.max)"))
    defer { server.close() }
    let reader = try await ActiveDirectoryReader.connect(source(server))
    let reason = await malformedReason { _ = try await reader.currentWatermark() }
    #expect(reason?.contains("outside the USNs a DC can hold") == true)
    #expect(reason?.contains(server.uri) == true)
  }

  @Test func aNegativeHighestCommittedUSNIsRefused() async throws {
    let server = try Server(answer: Self.directory(usn: "-5"))
    defer { server.close() }
    let reader = try await ActiveDirectoryReader.connect(source(server))
    let reason = await malformedReason { _ = try await reader.currentWatermark() }
    #expect(reason?.contains("is -5, outside the USNs") == true)
  }

  @Test(arguments: [Int64.min, -1, Int64.max, (1 << 62) + 1] as [Int64])
  func anImplausibleStoredWatermarkMeansAFullRead(stored: Int64) {
    let current = USNWatermark(
      source: "hostile", dcHostName: "dc1", invocationId: "i", highestCommittedUSN: 1 << 62)
    var damaged = current
    damaged.highestCommittedUSN = stored
    #expect(current.incrementalBase(since: damaged) == nil)
  }

  @Test func usnArithmeticNeverTraps() {
    #expect(
      USNRange.split(after: Int64.min, highest: Int64.max, count: 4) == [
        USNRange(after: Int64.min, through: nil)
      ])
    #expect(
      USNRange.split(after: -9_223_372_036_854_775_807, highest: 1000, count: 2) == [
        USNRange(after: -9_223_372_036_854_775_807, through: nil)
      ])
    #expect(
      ActiveDirectoryReader.filter("(objectClass=user)", changedAfter: .max)
        == "(&(objectClass=user)(uSNChanged>=\(Int64.max)))")
  }

  /// A damaged watermark's USN reaches the parallel read's range split: one range, every user.
  @Test(arguments: [Int64.min, -9_223_372_036_854_775_807, -1] as [Int64])
  func aNegativeStartWithSeveralConnectionsReadsEveryone(after: Int64) async throws {
    let server = try Server(
      answer: Self.directory(users: [
        Self.user(1, upn: Self.bytes("a@hostile")), Self.user(2, upn: Self.bytes("b@hostile")),
      ]))
    defer { server.close() }
    let reader = try await ActiveDirectoryReader.connect(source(server, readConnections: 2))
    let pages = try await reader.userPagesInParallel(changedAfter: after)
    var repeats = pages.repeatFilter
    var names: [String] = []
    for try await page in pages {
      for entry in page {
        let read = try entry.read()
        if repeats.admits(read.user.objectGUID) { names.append(read.user.userPrincipalName ?? "") }
      }
    }
    #expect(names.sorted() == ["a@hostile", "b@hostile"])
  }

  // MARK: Text that is not UTF-8

  @Test func usersWithInvalidUTF8AreDiagnosedAndLeftOut() async throws {
    // Two UPNs that differ only in bytes that are not UTF-8: decoded with U+FFFD they'd be equal.
    let server = try Server(
      answer: Self.directory(users: [
        Self.user(1, upn: [0x61, 0xff, 0x62] + Self.bytes("@hostile")),
        Self.user(2, upn: [0x61, 0xfe, 0x62] + Self.bytes("@hostile")),
        Self.user(3, upn: Self.bytes("c@hostile")),
      ]))
    defer { server.close() }
    let reader = try await ActiveDirectoryReader.connect(source(server))
    var users: [ReadUser] = []
    var diagnostics: [Diagnostic] = []
    for try await page in reader.userPages() {
      for entry in page {
        let before = diagnostics.count
        if let read = try entry.read(reporting: &diagnostics) {
          users.append(read)
        } else {
          #expect(diagnostics.count == before + 1)
          #expect(throws: ActiveDirectoryError.self) { _ = try entry.read() }
        }
      }
    }
    #expect(users.map(\.user.userPrincipalName) == ["c@hostile"])
    #expect(diagnostics.map(\.code) == [.directoryTextNotUTF8, .directoryTextNotUTF8])
    #expect(diagnostics.map(\.subject) == ["CN=u1,DC=hostile", "CN=u2,DC=hostile"])
    #expect(diagnostics.allSatisfy { $0.severity == .error })
    #expect(diagnostics[0].message.contains(Self.guid(1001).canonicalString))
    #expect(diagnostics[0].message.contains("userPrincipalName"))
  }

  @Test func aUserReadAloneWithInvalidUTF8IsAnErrorNamingIt() async throws {
    let server = try Server(
      answer: Self.directory(users: [Self.user(1, upn: [0x61, 0xc3] + Self.bytes("@hostile"))]))
    defer { server.close() }
    let reader = try await ActiveDirectoryReader.connect(source(server))
    let error = try await #require(throws: ActiveDirectoryError.self) {
      for try await _ in reader.users() {}
    }
    #expect(
      error.description.contains("userPrincipalName of 'CN=u1,DC=hostile' is not valid UTF-8"))
    #expect(error.objectDiagnostic?.code == .directoryTextNotUTF8)
  }

  @Test func aGroupWithInvalidUTF8IsAnErrorNotAReplacement() async throws {
    var group = Self.group(("member;range=0-*", [Self.member(0)]))
    group.attributes.append((Self.bytes("displayName"), [[0x47, 0x80]]))
    let server = try Server(answer: Self.directory(groups: [group]))
    defer { server.close() }
    await #expect(throws: ActiveDirectoryError.self) { _ = try await readGroups(server) }
  }

  // MARK: Paging

  @Test func aRepeatedCookieNamesTheSource() async throws {
    let server = try Server { search in
      guard search.base == Self.base else { return Self.directory()(search) }
      return .init(entries: [Self.user(1, upn: Self.bytes("a@hostile"))], cookie: [1])
    }
    defer { server.close() }
    let reader = try await ActiveDirectoryReader.connect(source(server))
    let error = try await #require(throws: ActiveDirectoryError.self) {
      for try await _ in reader.userPages() {}
    }
    guard case .ldap(let name, let ldap) = error else {
      Issue.record("expected an LDAP error, got \(error)")
      return
    }
    #expect(name == "hostile")
    #expect(ldap.kind == .misbehaved)
    #expect(error.description.contains("directory source 'hostile'"))
    #expect(error.description.contains(server.uri))
  }
}
