import Foundation
import TestSupport
import Testing

@testable import LDAPClient

/// LDAPClient against the real Samba AD DC started by `Scripts/dc.sh start`.
@Suite(.enabled(if: TestDomainController.shouldRun, "needs the test DC: Scripts/dc.sh start"))
struct LDAPConnectionTests {
  let dc: TestDomainController

  init() throws { dc = try TestDomainController.require() }

  func simple(_ uri: String, startTLS: Bool = false, caFile: String? = nil) throws
    -> LDAPConfiguration
  {
    LDAPConfiguration(
      uris: [uri], startTLS: startTLS, caFile: caFile ?? dc.caFile,
      bind: .simple(
        dn: try dc.value("AB_DC_SVC_UPN"), password: LDAPSecret(try dc.servicePassword())),
      connectTimeout: .seconds(5), operationTimeout: .seconds(30))
  }

  func count(_ connection: LDAPConnection, filter: String, pageSize: Int = 500) async throws -> (
    entries: Int, pages: Int
  ) {
    var entries = 0
    var pages = 0
    let request = LDAPSearchRequest(
      base: dc.baseDN, filter: filter, attributes: ["objectGUID"], pageSize: pageSize)
    for try await page in connection.search(request).pages() {
      pages += 1
      entries += page.count
    }
    return (entries, pages)
  }

  @Test func ldapsWithVerifiedCertificate() async throws {
    let connection = try await LDAPConnection.connect(try simple(dc.ldapsURI))
    let root = try await connection.rootDSE(attributes: ["defaultNamingContext"])
    #expect(root.string("defaultNamingContext")?.lowercased() == dc.baseDN.lowercased())
  }

  @Test func wrongCAFailsClearly() async throws {
    let config = try simple(dc.ldapsURI, caFile: dc.wrongCAFile)
    let error = try await #require(throws: LDAPError.self) {
      _ = try await LDAPConnection.connect(config)
    }
    // The handshake is its own step after the TCP connect (`LDAPTransportPlan`), so the error
    // names it instead of the bind that used to trigger it.
    #expect(error.operation == "TLS handshake")
    #expect(error.description.contains("TLS handshake failed"))
    #expect(error.description.contains(dc.wrongCAFile))
  }

  @Test func certificateNameMismatchFailsClearly() async throws {
    // Resolves to the DC, but the name is not in its certificate.
    let uri = try dc.value("AB_DC_URI_LDAPS_WRONG_NAME")
    let error = try await #require(throws: LDAPError.self) {
      _ = try await LDAPConnection.connect(try simple(uri))
    }
    #expect(error.description.contains("TLS handshake failed"))
  }

  @Test func startTLSWithTheWrongCAFailsClearly() async throws {
    let config = try simple(dc.ldapURI, startTLS: true, caFile: dc.wrongCAFile)
    let error = try await #require(throws: LDAPError.self) {
      _ = try await LDAPConnection.connect(config)
    }
    #expect(error.operation == "StartTLS")
    #expect(error.description.contains("TLS handshake failed"))
    #expect(error.description.contains(dc.wrongCAFile))
  }

  @Test func startTLSOnPlainPort() async throws {
    let connection = try await LDAPConnection.connect(try simple(dc.ldapURI, startTLS: true))
    let found = try await count(connection, filter: "(sAMAccountName=alice.anders)")
    #expect(found.entries == 1)
  }

  @Test func plaintextSimpleBindRefusedByTheClient() async throws {
    let error = try await #require(throws: LDAPError.self) {
      _ = try await LDAPConnection.connect(try simple(dc.ldapURI))
    }
    #expect(error.kind == .refused)
    // Even when the admin insists, this DC (like AD with LDAP signing) refuses it: result 8.
    var insisted = try simple(dc.ldapURI)
    insisted.allowInsecure = true
    let serverError = try await #require(throws: LDAPError.self) {
      _ = try await LDAPConnection.connect(insisted)
    }
    #expect(serverError.resultCode == LDAPError.strongerAuthRequired)
  }

  @Test func gssapiWithKeytabIsSealed() async throws {
    let config = LDAPConfiguration(
      uris: [dc.ldapURI],
      bind: .gssapi(
        keytab: try dc.value("AB_DC_KEYTAB"), ccache: nil,
        principal: try dc.value("AB_DC_SVC_PRINCIPAL"), krb5Config: try dc.value("AB_KRB5_CONFIG")),
      connectTimeout: .seconds(5), operationTimeout: .seconds(30))
    let connection = try await LDAPConnection.connect(config)
    #expect(await connection.securityStrength() >= 56)
    let found = try await count(connection, filter: "(sAMAccountName=alice.anders)")
    #expect(found.entries == 1)
  }

  @Test func gssapiWithClientKeytabAndNoPrincipal() async throws {
    let config = LDAPConfiguration(
      uris: [dc.ldapURI],
      bind: .gssapi(
        keytab: try dc.value("AB_DC_KEYTAB"), ccache: nil, principal: nil,
        krb5Config: try dc.value("AB_KRB5_CONFIG")),
      connectTimeout: .seconds(5), operationTimeout: .seconds(30))
    let connection = try await LDAPConnection.connect(config)
    #expect(await connection.securityStrength() >= 56)
  }

  @Test func gssapiWithAPrincipalNotInTheKeytabFailsClearly() async throws {
    let config = LDAPConfiguration(
      uris: [dc.ldapURI],
      bind: .gssapi(
        keytab: try dc.value("AB_DC_KEYTAB"), ccache: nil, principal: "nobody@ANCHOR.TEST",
        krb5Config: try dc.value("AB_KRB5_CONFIG")),
      connectTimeout: .seconds(5), operationTimeout: .seconds(30))
    let error = try await #require(throws: LDAPError.self) {
      _ = try await LDAPConnection.connect(config)
    }
    #expect(error.description.contains("nobody@ANCHOR.TEST"))
  }

  /// A name full of filter metacharacters, escaped, matches only itself on the real DC; the same
  /// text unescaped would be a wildcard (or a broken filter).
  @Test func escapedValuesCannotWidenASearch() async throws {
    let connection = try await LDAPConnection.connect(try simple(dc.ldapsURI))
    let literal = try await count(connection, filter: LDAPFilter.equals("cn", "Meta *()\\ User"))
    #expect(literal.entries == 1)
    #expect(try await count(connection, filter: "(sAMAccountName=meta*)").entries == 1)
    #expect(
      try await count(connection, filter: LDAPFilter.equals("sAMAccountName", "meta*")).entries == 0
    )
    let injected = LDAPFilter.equals("sAMAccountName", "x)(|(sAMAccountName=*")
    #expect(try await count(connection, filter: injected).entries == 0)
  }

  @Test func pagesThroughAtLeastFivePages() async throws {
    let fixture = try dc.fixture()
    let bulk = try #require(fixture["bulk"]?["count"]?.int)
    let connection = try await LDAPConnection.connect(try simple(dc.ldapsURI))
    let found = try await count(
      connection, filter: "(&(objectClass=user)(sAMAccountName=bulk*))", pageSize: 300)
    #expect(found.entries == bulk)
    #expect(found.pages >= 5)
    // Samba may end with an empty page carrying the final (empty) cookie.
    #expect(found.pages >= (bulk + 299) / 300 && found.pages <= (bulk + 299) / 300 + 1)
  }

  @Test func malformedFilterIsAClearError() async throws {
    let connection = try await LDAPConnection.connect(try simple(dc.ldapsURI))
    let error = try await #require(throws: LDAPError.self) {
      _ = try await count(connection, filter: "(&(objectClass=user)(cn=unbalanced")
    }
    #expect(error.resultCode == LDAPError.filterError)
    #expect(error.description.contains("unbalanced"))
  }

  @Test func filterMetacharactersCannotWidenASearch() async throws {
    let connection = try await LDAPConnection.connect(try simple(dc.ldapsURI))
    let wide = try await count(connection, filter: "(sAMAccountName=*)")
    #expect(wide.entries > 10)
    let escaped = try await count(connection, filter: LDAPFilter.equals("sAMAccountName", "*"))
    #expect(escaped.entries == 0)
    let injection = try await count(
      connection, filter: LDAPFilter.equals("sAMAccountName", "x)(sAMAccountName=*"))
    #expect(injection.entries == 0)
  }

  @Test func unreachableServerFailsWithinTheTimeout() async throws {
    var config = try simple("ldaps://127.77.0.254:1636")
    config.connectTimeout = .seconds(2)
    config.operationTimeout = .seconds(5)
    let (error, elapsed) = try await timedConnectFailure(config)
    #expect(error.resultCode == LDAPError.serverDown)
    #expect(error.description.contains("could not connect to ldaps://127.77.0.254:1636"))
    // Refused at once: well inside the configured deadline (2 s connect + 5 s operation).
    #expect(elapsed < .seconds(7))
  }

  /// Connects expecting a failure, timed on a thread of the test's own so that a busy cooperative
  /// pool can't add its wait to the figure (see `ThreadTaskExecutor`).
  func timedConnectFailure(_ config: LDAPConfiguration) async throws -> (LDAPError, Duration) {
    let executor = ThreadTaskExecutor(name: "timed-connect")
    defer { executor.shutdown() }
    return try await withTaskExecutorPreference(executor) {
      let clock = ContinuousClock()
      let start = clock.now
      let error = try await #require(throws: LDAPError.self) {
        _ = try await LDAPConnection.connect(config)
      }
      return (error, clock.now - start)
    }
  }

  @Test func silentServerTimesOut() async throws {
    let listener = try SilentListener()
    var config = try simple("ldaps://127.0.0.1:\(listener.port)")
    config.connectTimeout = .seconds(2)
    config.operationTimeout = .seconds(2)
    let (error, elapsed) = try await timedConnectFailure(config)
    // A server that accepts TCP but never answers the TLS handshake: bounded by the deadline
    // (connect timeout per URI + operation timeout, 4 s), not left hanging.
    #expect(error.resultCode == LDAPError.timeout)
    #expect(error.description.contains("within 4.0 seconds"))
    #expect(elapsed >= .seconds(3) && elapsed < .seconds(6), "\(elapsed)")
    listener.close()
  }

  @Test func failoverToTheNextURI() async throws {
    var config = try simple(dc.ldapsURI)
    config.uris = ["ldaps://127.77.0.254:1636", dc.ldapsURI]
    config.connectTimeout = .seconds(2)
    let connection = try await LDAPConnection.connect(config)
    let found = try await count(connection, filter: "(sAMAccountName=alice.anders)")
    #expect(found.entries == 1)
  }

  @Test func modifyReplacesAndDeletesABinaryAttribute() async throws {
    let admin = LDAPConfiguration(
      uris: [dc.ldapsURI], caFile: dc.caFile,
      bind: .simple(
        dn: try dc.value("AB_DC_ADMIN_DN"), password: LDAPSecret(try dc.adminPassword())))
    let connection = try await LDAPConnection.connect(admin)
    let request = LDAPSearchRequest(
      base: dc.baseDN, filter: "(sAMAccountName=bulk00002)", attributes: ["mS-DS-ConsistencyGuid"])
    var iterator = connection.search(request).makeAsyncIterator()
    let entry = try #require(try await iterator.next())
    let before = entry.bytes("mS-DS-ConsistencyGuid")
    let value: [UInt8] = [0x00, 0x0a, 0x0d, 0x5c, 0x2a, 0x28, 0x29, 0xff, 1, 2, 3, 4, 5, 6, 7, 0]
    try await connection.modify(
      entry.dn, [LDAPModification(.replace, "mS-DS-ConsistencyGuid", values: [value])])
    #expect(
      try await connection.read(entry.dn, attributes: ["mS-DS-ConsistencyGuid"])?.bytes(
        "mS-DS-ConsistencyGuid") == value)
    try await connection.modify(
      entry.dn, [LDAPModification(.delete, "mS-DS-ConsistencyGuid", values: [])])
    #expect(
      try await connection.read(entry.dn, attributes: ["mS-DS-ConsistencyGuid"])?.bytes(
        "mS-DS-ConsistencyGuid") == nil)
    if let before {
      try await connection.modify(
        entry.dn, [LDAPModification(.replace, "mS-DS-ConsistencyGuid", values: [before])])
    }
  }
}
