import Foundation
import LDAPClient
import TestSupport
import Testing

/// Users a test creates in its own OU `OU=<prefix>,<domain>` (unique per test, deleted with its
/// users at the end): tests that write to AD never touch the shared fixture, and tests that count
/// the fixture root's users or watch its uSNChanged, running at the same time, never see them.
/// Created with `ldapadd` as the domain administrator over LDAPS; read back with LDAPClient (what
/// `ldapsearch` would show).
final class DirectoryUsers: @unchecked Sendable {
  // @unchecked Sendable: `created` is only touched from the test's own sequential code.
  let dc: TestDomainController
  let ou: String
  /// A per-test prefix: `wb<8 hex>`; every sAMAccountName starts with it.
  let prefix: String
  private var created: [String] = []

  init(_ dc: TestDomainController) {
    self.dc = dc
    prefix = "wb" + UUID().uuidString.prefix(8).lowercased()
    ou = "OU=\(prefix),\(dc.baseDN)"
  }

  func dn(_ name: String) -> String { "CN=\(prefix)\(name),\(ou)" }
  func sam(_ name: String) -> String { prefix + name }
  func upn(_ name: String) -> String { "\(prefix)\(name)@anchor.test" }

  /// Adds a user (disabled, no password) with an optional mS-DS-ConsistencyGuid and mail.
  func create(_ name: String, consistencyGuid: [UInt8]? = nil, mail: String? = nil) async throws {
    try await ensureOU()
    var ldif = """
      dn: \(dn(name))
      objectClass: user
      sAMAccountName: \(sam(name))
      userPrincipalName: \(upn(name))

      """
    if let consistencyGuid {
      ldif += "mS-DS-ConsistencyGuid:: \(Data(consistencyGuid).base64EncodedString())\n"
    }
    if let mail { ldif += "mail: \(mail)\nproxyAddresses: SMTP:\(mail)\n" }
    let result = try await tool("ldapadd", [], stdin: ldif)
    #expect(result.status == 0, "ldapadd \(name): \(result.stderr)")
    created.append(dn(name))
  }

  private func ensureOU() async throws {
    guard created.isEmpty else { return }
    let result = try await tool(
      "ldapadd", [], stdin: "dn: \(ou)\nobjectClass: organizationalUnit\n")
    try #require(result.status == 0, "ldapadd \(ou): \(result.stderr)")
    created.append(ou)
  }

  /// Adds a group `CN=<prefix><name>` with the given groupType (e.g. 8 universal distribution,
  /// -2147483640 universal security, -2147483646 global security), addresses and member DNs.
  func createGroup(
    _ name: String, groupType: Int32, mail: String? = nil, proxyAddresses: [String] = [],
    members: [String] = []
  ) async throws {
    try await ensureOU()
    var ldif = "dn: \(dn(name))\nobjectClass: group\nsAMAccountName: \(sam(name))\n"
    ldif += "groupType: \(groupType)\n"
    if let mail { ldif += "mail: \(mail)\n" }
    for address in proxyAddresses { ldif += "proxyAddresses: \(address)\n" }
    for member in members { ldif += "member: \(member)\n" }
    let result = try await tool("ldapadd", [], stdin: ldif)
    try #require(result.status == 0, "ldapadd group \(name): \(result.stderr)")
    created.append(dn(name))
  }

  /// Every value of `attribute` of `dn` as text, read as the administrator.
  func values(_ dn: String, _ attribute: String) async throws -> [String] {
    let connection = try await LDAPConnection.connect(
      LDAPConfiguration(
        uris: [dc.ldapsURI], caFile: dc.caFile,
        bind: .simple(
          dn: try dc.value("AB_DC_ADMIN_DN"), password: LDAPSecret(try dc.adminPassword()))))
    let entry = try await connection.read(dn, attributes: [attribute])
    return try #require(entry, "\(dn) does not exist").strings(attribute)
  }

  /// Deletes every user this value created, then its OU.
  func deleteAll() async throws {
    for entry in created.reversed() {
      let result = try await tool("ldapdelete", [entry])
      #expect(result.status == 0, "ldapdelete \(entry): \(result.stderr)")
    }
    created = []
  }

  /// mS-DS-ConsistencyGuid as the DC has it now (nil when absent).
  func consistencyGuid(_ name: String) async throws -> [UInt8]? {
    let connection = try await LDAPConnection.connect(
      LDAPConfiguration(
        uris: [dc.ldapsURI], caFile: dc.caFile,
        bind: .simple(
          dn: try dc.value("AB_DC_ADMIN_DN"), password: LDAPSecret(try dc.adminPassword()))))
    let entry = try await connection.read(dn(name), attributes: ["mS-DS-ConsistencyGuid"])
    return try #require(entry, "\(dn(name)) does not exist").bytes("mS-DS-ConsistencyGuid")
  }

  private func tool(_ name: String, _ arguments: [String], stdin: String? = nil) async throws
    -> ProcessResult
  {
    let common = [
      "-x", "-H", dc.ldapsURI, "-D", try dc.value("AB_DC_ADMIN_DN"), "-y",
      try dc.value("AB_DC_ADMIN_PASSWORD_FILE"),
    ]
    // Through env(1): LDAPClient sets LDAPNOINIT=1 in this process once it has connected, and a
    // child that inherits it ignores LDAPTLS_CACERT (the TLS handshake then fails).
    let arguments =
      ["-u", "LDAPNOINIT", "LDAPTLS_CACERT=" + dc.caFile, "/usr/bin/" + name]
      + common + arguments
    return try await Rehearsal.offPool {
      try Subprocess.run("/usr/bin/env", arguments, stdin: stdin)
    }
  }

  static func randomGuid() -> [UInt8] { (0..<16).map { _ in UInt8.random(in: 0...255) } }
  static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
}
