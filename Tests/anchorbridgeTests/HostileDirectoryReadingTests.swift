import ActiveDirectory
import AnchorCore
import TestSupport
import Testing

@testable import anchorbridge

/// The directory read that planning uses, against `HostileLDAPServer`: a user whose text is not
/// UTF-8 is reported with a diagnostic and left out of planning, never read with U+FFFD.
@Suite struct HostileDirectoryReadingTests {
  static let base = "DC=hostile"
  static let service = "CN=NTDS Settings,CN=DC1,DC=hostile"

  static func guid(_ number: UInt8) -> [UInt8] { [number] + [UInt8](repeating: 7, count: 15) }

  static func user(_ number: UInt8, upn: [UInt8]) -> HostileLDAPServer.Entry {
    .init(
      dn: "CN=u\(number),DC=hostile",
      [("objectGUID", [guid(number)]), ("userPrincipalName", [upn])])
  }

  static func answer(_ search: HostileLDAPServer.Search) -> HostileLDAPServer.Reply {
    switch search.base {
    case "":
      return .init(entries: [
        .init(
          dn: "",
          [
            ("defaultNamingContext", [Array(base.utf8)]), ("highestCommittedUSN", [[0x35]]),
            ("dsServiceName", [Array(service.utf8)]), ("dnsHostName", [Array("dc1".utf8)]),
          ])
      ])
    case service:
      return .init(entries: [.init(dn: service, [("invocationId", [guid(9)])])])
    default:
      return .init(entries: [
        user(1, upn: [0x61, 0xff, 0x62] + Array("@hostile".utf8)),
        user(2, upn: [0x61, 0xfe, 0x62] + Array("@hostile".utf8)),
        user(3, upn: Array("c@hostile".utf8)),
      ])
    }
  }

  func reading(_ server: HostileLDAPServer, _ temp: TemporaryDirectory) throws
    -> DirectoryReading
  {
    let password = try temp.write("password", "not-a-real-secret")
    let configuration = try Configuration(
      yaml: """
        directory:
          sources:
            - name: hostile
              uris: [\(server.uri)]
              allowInsecure: true
              bind: { method: simple, dn: "CN=svc,DC=hostile", passwordFile: \(password) }
              users: { bases: ["\(Self.base)"] }
              anchor: objectGUID
        """, file: "c.yaml")
    return DirectoryReading(directory: try configuration.requireDirectory())
  }

  @Test func aUserWithInvalidUTF8IsReportedAndLeftOutOfPlanning() async throws {
    let server = try HostileLDAPServer(answer: Self.answer)
    defer { server.close() }
    let read = try await reading(server, try TemporaryDirectory()).allUsers()
    #expect(read.users.map(\.userPrincipalName) == ["c@hostile"])
    let findings = read.diagnostics.filter { $0.code == .directoryTextNotUTF8 }
    #expect(findings.map(\.subject) == ["CN=u1,DC=hostile", "CN=u2,DC=hostile"])
    #expect(findings.allSatisfy { $0.severity == .error })
  }

  /// run's change check sees users it can't decode as a change instead of failing every run.
  @Test func aChangedUserWithInvalidUTF8CountsAsAChange() async throws {
    let server = try HostileLDAPServer(answer: Self.answer)
    defer { server.close() }
    let stored = USNWatermark(
      source: "hostile", dcHostName: "dc1",
      invocationId: try #require(ObjectGUID(bytes: Self.guid(9))).canonicalString,
      highestCommittedUSN: 3)
    #expect(try await reading(server, try TemporaryDirectory()).changed(since: [stored]))
  }
}
