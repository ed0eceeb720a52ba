import Foundation
import LDAPClient
import TestSupport
import Testing

/// Objects a writer test creates in its own OU `OU=<prefix>,<domain>` with `ldapadd` as the
/// domain administrator and deletes at the end: writer tests never change the shared fixture.
final class ScratchObjects: @unchecked Sendable {
  // @unchecked Sendable: `created` is only touched from the test's own sequential code.
  let dc: TestDomainController
  let prefix: String
  let ou: String
  private var created: [String] = []

  init(_ dc: TestDomainController) {
    self.dc = dc
    prefix = "adw" + UUID().uuidString.prefix(8).lowercased()
    ou = "OU=\(prefix),\(dc.baseDN)"
  }

  func dn(_ name: String) -> String { "CN=\(prefix)\(name),\(ou)" }

  /// Runs `body` with this OU's objects, then deletes them whether `body` threw or not.
  static func with(_ dc: TestDomainController, _ body: (ScratchObjects) async throws -> Void)
    async throws
  {
    let scratch = ScratchObjects(dc)
    do {
      try await body(scratch)
    } catch {
      try? await scratch.deleteAll()
      throw error
    }
    try await scratch.deleteAll()
  }

  /// Adds a user (disabled, no password) with an optional mS-DS-ConsistencyGuid.
  func createUser(_ name: String, consistencyGuid: [UInt8]? = nil) async throws {
    var ldif = """
      dn: \(dn(name))
      objectClass: user
      sAMAccountName: \(prefix)\(name)
      userPrincipalName: \(prefix)\(name)@anchor.test

      """
    if let consistencyGuid {
      ldif += "mS-DS-ConsistencyGuid:: \(Data(consistencyGuid).base64EncodedString())\n"
    }
    try await add(ldif)
  }

  /// Adds a global security group with no members, addresses or owner.
  func createGroup(_ name: String) async throws {
    try await add(
      "dn: \(dn(name))\nobjectClass: group\nsAMAccountName: \(prefix)\(name)\n"
        + "groupType: -2147483646\n")
  }

  private func add(_ ldif: String) async throws {
    if created.isEmpty {
      let result = try await tool(
        "ldapadd", [], stdin: "dn: \(ou)\nobjectClass: organizationalUnit\n")
      try #require(result.status == 0, "ldapadd \(ou): \(result.stderr)")
      created.append(ou)
    }
    let result = try await tool("ldapadd", [], stdin: ldif)
    try #require(result.status == 0, "ldapadd: \(result.stderr)")
    created.append(String(ldif.split(separator: "\n")[0].dropFirst(4)))
  }

  func deleteAll() async throws {
    for entry in created.reversed() {
      let result = try await tool("ldapdelete", [entry])
      #expect(result.status == 0, "ldapdelete \(entry): \(result.stderr)")
    }
    created = []
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

  private func tool(_ name: String, _ arguments: [String], stdin: String? = nil) async throws
    -> ProcessResult
  {
    // Through env(1): LDAPClient sets LDAPNOINIT=1 in this process once it has connected, and a
    // child that inherits it ignores LDAPTLS_CACERT.
    let arguments =
      [
        "-u", "LDAPNOINIT", "LDAPTLS_CACERT=" + dc.caFile, "/usr/bin/" + name, "-x", "-H",
        dc.ldapsURI, "-D", try dc.value("AB_DC_ADMIN_DN"), "-y",
        try dc.value("AB_DC_ADMIN_PASSWORD_FILE"),
      ] + arguments
    return try await Subprocess.offPool {
      try Subprocess.run("/usr/bin/env", arguments, stdin: stdin)
    }
  }
}
