import Foundation
import TestSupport
import Testing

/// `anchorbridge ad users|groups` as an admin runs it: the built binary against the test DC.
@Suite(.enabled(if: TestDomainController.shouldRun, "needs the test DC: Scripts/dc.sh start"))
struct DirectoryCommandTests {
  let dc: TestDomainController
  let fixture: TestFixture
  let temp: TemporaryDirectory

  init() throws {
    dc = try TestDomainController.require()
    fixture = try dc.fixture()
    temp = try TemporaryDirectory()
  }

  func config(caFile: String? = nil, extra: String = "", sourceExtra: String = "") throws -> String
  {
    let root = try #require(fixture["fixtureRootDN"]?.string)
    return try temp.write(
      "anchorbridge.yaml",
      """
      directory:
        sources:
          - name: anchor
            uris: [\(dc.ldapsURI)]
            tls: { caFile: \(caFile ?? dc.caFile) }
            bind: { method: simple, dn: \(try dc.value("AB_DC_SVC_UPN")), passwordFile: \(try dc.value("AB_DC_SVC_PASSWORD_FILE")) }
            users: { bases: ["\(root)"] }
            groups: { bases: ["\(root)"] }
            anchor: consistencyGuid
            \(sourceExtra)
      \(extra)
      """)
  }

  func json(_ text: String) throws -> [[String: Any]] {
    let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
    return try #require(value as? [[String: Any]])
  }

  @Test func usersAsJSONMatchTheManifest() async throws {
    let result = try await Subprocess.anchorbridgeOffPool(["ad", "users", "--config", try config()])
    #expect(result.status == 0, "\(result.stderr)")
    let users = try json(result.stdout)
    #expect(users.count == fixture["counts"]?["usersUnderFixtureRoot"]?.int)
    let byName = Dictionary(
      users.map { ($0["samAccountName"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
    for (name, expected) in fixture.users {
      let user = try #require(byName[name])
      #expect(user["objectGuid"] as? String == expected["objectGuid"]?.string)
      #expect(user["userPrincipalName"] as? String == expected["userPrincipalName"]?.string)
      #expect(user["enabled"] as? Bool == expected["enabled"]?.bool)
      let anchor = expected["consistencyGuidBase64"]?.string ?? expected["objectGuidBase64"]?.string
      #expect(user["immutableId"] as? String == anchor, "\(name)")
      let source = expected["consistencyGuidBase64"] == nil ? "objectGUID" : "mS-DS-ConsistencyGuid"
      #expect(user["anchorSource"] as? String == source)
      #expect(
        Set(user.keys).isSuperset(of: [
          "dn", "objectGuid", "immutableId", "anchorSource", "userPrincipalName", "samAccountName",
          "mail", "proxyAddresses", "enabled",
        ]))
    }
    // Wrong-length ConsistencyGuids are explained on stderr, never on stdout.
    #expect(result.stderr.contains("consistencyGuidWrongLength"))
  }

  /// Three connections, each reading one uSNChanged range: the same users, each exactly once, in
  /// JSON and CSV (the order may differ).
  @Test func parallelReadsGiveTheSameUsersOnce() async throws {
    let serial = try json(
      try await Subprocess.anchorbridgeOffPool(["ad", "users", "--config", try config()]).stdout)
    let parallelConfig = try config(sourceExtra: "readConnections: 3")
    let result = try await Subprocess.anchorbridgeOffPool([
      "ad", "users", "--config", parallelConfig,
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let parallel = try json(result.stdout)
    let guids = parallel.compactMap { $0["objectGuid"] as? String }
    #expect(guids.count == serial.count && Set(guids).count == guids.count)
    #expect(Set(guids) == Set(serial.compactMap { $0["objectGuid"] as? String }))
    let csv = try await Subprocess.anchorbridgeOffPool([
      "ad", "users", "--config", parallelConfig, "--format", "csv",
    ])
    #expect(csv.status == 0, "\(csv.stderr)")
    // CSV lines end in CRLF (RFC 4180), one grapheme for `split`: count the LF bytes.
    #expect(csv.stdout.utf8.filter { $0 == UInt8(ascii: "\n") }.count == serial.count + 1)
  }

  @Test func usersAsCSV() async throws {
    let result = try await Subprocess.anchorbridgeOffPool([
      "ad", "users", "--config", try config(), "--format", "csv",
    ])
    #expect(result.status == 0)
    let lines = result.stdout.split(separator: "\r\n")
    #expect(
      lines.first
        == "dn,objectGuid,immutableId,anchorSource,userPrincipalName,samAccountName,mail,proxyAddresses,enabled"
    )
    #expect(lines.count == 1 + (fixture["counts"]?["usersUnderFixtureRoot"]?.int ?? -1))
  }

  @Test func groupsAsJSONIncludeEveryMember() async throws {
    let result = try await Subprocess.anchorbridgeOffPool([
      "ad", "groups", "--config", try config(),
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let groups = try json(result.stdout)
    let bigName = try #require(fixture.role("bigGroup").first)
    let big = try #require(
      groups.first { ($0["dn"] as? String)?.hasPrefix("CN=\(bigName),") == true })
    #expect(big["memberCount"] as? Int == fixture.groups[bigName]?["memberCount"]?.int)
    #expect((big["members"] as? [String])?.count == fixture.groups[bigName]?["memberCount"]?.int)
    #expect(big["kind"] as? String == "security")
    #expect(big["scope"] as? String == "global")
    let distribution = groups.filter { $0["kind"] as? String == "distribution" }
    #expect(!distribution.isEmpty)
  }

  @Test func hostLDAPSettingsCannotWeakenVerification() async throws {
    let evil = try temp.write("ldap.conf", "TLS_REQCERT never\nTLS_CACERT \(dc.caFile)\n")
    let result = try await Subprocess.anchorbridgeOffPool(
      ["ad", "users", "--config", try config(caFile: dc.wrongCAFile)],
      environment: ["LDAPCONF": evil, "LDAPTLS_REQCERT": "never", "LDAPRC": evil])
    #expect(result.status == 1)
    #expect(result.stderr.contains("TLS handshake failed"))
    #expect(result.stdout.isEmpty)
  }

  /// libldap with GnuTLS used to spin through the TLS handshake when a network timeout was set:
  /// a DC slow to answer cost a whole core for as long as it took. A server that accepts and never
  /// answers is the limit case: the wait (3 s: connect 1 s per URI + operation 2 s) must be spent
  /// blocked, not reading an empty socket in a loop. bash's `time` gives the child's own CPU.
  @Test func waitingForASilentServerCostsNoCPU() async throws {
    let listener = try SilentListener()
    defer { listener.close() }
    let path = try temp.write(
      "silent.yaml",
      """
      directory:
        sources:
          - name: silent
            uris: [ldaps://127.0.0.1:\(listener.port)]
            tls: { caFile: \(dc.caFile) }
            bind: { method: simple, dn: \(try dc.value("AB_DC_SVC_UPN")), passwordFile: \(try dc.value("AB_DC_SVC_PASSWORD_FILE")) }
            timeouts: { connect: 1, operation: 2 }
            users: { bases: ["\(dc.baseDN)"] }
      """)
    let binary = Subprocess.binDirectory.appendingPathComponent("anchorbridge").path
    let result = try await Subprocess.offPool {
      try Subprocess.run(
        "/bin/bash",
        [
          "-c", "TIMEFORMAT='cpu %3U %3S'; time \"$0\" \"$@\"", binary, "ad", "users", "--config",
          path,
        ])
    }
    #expect(result.status == 1, "\(result.stderr)")
    #expect(result.stderr.contains("within 3.0 seconds"), "\(result.stderr)")
    let cpu = try #require(result.stderr.split(separator: "\n").last { $0.hasPrefix("cpu ") })
    let seconds = cpu.split(separator: " ").dropFirst().compactMap { Double($0) }
    #expect(seconds.count == 2)
    // Start-up and the failed connect take milliseconds; a spinning handshake took the full 3 s.
    #expect(seconds.reduce(0, +) < 0.5, "\(cpu)")
  }

  @Test func watermarkMakesTheNextReadIncremental() async throws {
    let watermark = temp.url.appendingPathComponent("watermark.json").path
    let first = try await Subprocess.anchorbridgeOffPool([
      "ad", "users", "--config", try config(), "--watermark", watermark,
    ])
    #expect(first.status == 0)
    #expect(first.stderr.contains("full read"))
    #expect(try json(first.stdout).count == fixture["counts"]?["usersUnderFixtureRoot"]?.int)
    let saved = try String(contentsOfFile: watermark, encoding: .utf8)
    #expect(saved.contains("highestCommittedUSN"))
    let second = try await Subprocess.anchorbridgeOffPool([
      "ad", "users", "--config", try config(), "--watermark", watermark,
    ])
    #expect(second.status == 0)
    #expect(!second.stderr.contains("full read"))
    // Other tests may touch a few users meanwhile; an incremental read returns at most those.
    #expect(try json(second.stdout).count < 10)
  }

  @Test func secretsNeverReachOutput() async throws {
    let password = try dc.servicePassword()
    for caFile in [dc.caFile, dc.wrongCAFile] {
      let result = try await Subprocess.anchorbridgeOffPool([
        "ad", "users", "--config", try config(caFile: caFile), "--format", "table",
      ])
      #expect(!result.stdout.contains(password))
      #expect(!result.stderr.contains(password))
    }
  }
}
