import AnchorCore
import LDAPClient
import TestSupport
import Testing

@testable import ActiveDirectory

/// The AD writer against the real Samba DC, on objects each test creates in its own OU.
@Suite(.enabled(if: TestDomainController.shouldRun, "needs the test DC: Scripts/dc.sh start"))
struct ActiveDirectoryWriterTests {
  let dc: TestDomainController

  init() throws {
    dc = try TestDomainController.require()
  }

  func source(
    _ bind: LDAPBind? = nil, uri: String? = nil, name: String = "anchor"
  ) throws -> DirectorySource {
    let admin = LDAPBind.simple(
      dn: try dc.value("AB_DC_ADMIN_DN"), password: LDAPSecret(try dc.adminPassword()))
    return DirectorySource(
      name: name,
      connection: LDAPConfiguration(
        uris: [uri ?? dc.ldapsURI], caFile: dc.caFile, bind: bind ?? admin),
      users: .init(bases: [dc.baseDN], filter: "(objectClass=user)"))
  }

  func serviceBind() throws -> LDAPBind {
    .simple(dn: try dc.value("AB_DC_SVC_UPN"), password: LDAPSecret(try dc.servicePassword()))
  }

  static func randomGuid() -> [UInt8] { (0..<16).map { _ in UInt8.random(in: 0...255) } }

  @Test func consistencyGuidWriteReadsBackAndClears() async throws {
    try await ScratchObjects.with(dc) { scratch in
      try await scratch.createUser("u1")
      let dn = scratch.dn("u1")
      let absent = scratch.dn("nobody")
      let writer = ActiveDirectoryWriter(
        sources: [try source()], distinguishedNames: [dn, absent])
      let before = try #require(try await writer.readConsistencyGuids([dn])[dn])
      #expect(before.bytes == nil)
      #expect(before.userPrincipalName == "\(scratch.prefix)u1@anchor.test")

      let bytes = Self.randomGuid()
      let written = try await writer.writeConsistencyGuid(dn: dn, bytes: bytes)
      #expect(throws: Never.self) { try written.get() }
      #expect(try await writer.readConsistencyGuids([dn])[dn]?.bytes == bytes)

      let cleared = try await writer.writeConsistencyGuid(dn: dn, bytes: nil)
      #expect(throws: Never.self) { try cleared.get() }
      let after = try #require(try await writer.readConsistencyGuids([dn])[dn])
      #expect(after.bytes == nil)
      // A DN the directory doesn't know is absent, not an error.
      #expect(try await writer.readConsistencyGuids([absent]).isEmpty)
    }
  }

  /// The read-only service account may read but not write: AD's refusal is that object's
  /// failure, with the result code, and the writer stays usable.
  @Test func refusedWriteIsAPerObjectFailureWithTheResultCode() async throws {
    try await ScratchObjects.with(dc) { scratch in
      try await scratch.createUser("u1")
      let dn = scratch.dn("u1")
      let writer = ActiveDirectoryWriter(
        sources: [try source(try serviceBind())], routes: [dn.uppercased(): "anchor"])
      let result = try await writer.writeConsistencyGuid(dn: dn, bytes: Self.randomGuid())
      guard case .failure(let error) = result, case .refused(let name, let refusedDN, _) = error
      else {
        Issue.record("expected a refusal, got \(result)")
        return
      }
      #expect(name == "anchor")
      #expect(refusedDN == dn)
      #expect(error.resultCode == 50)
      #expect(error.resultName == "Insufficient access")
      #expect(error.detail.hasPrefix("LDAP modify '\(dn)' failed"))
      #expect(try await writer.readConsistencyGuids([dn])[dn]?.bytes == nil)
    }
  }

  @Test func anonymousSessionIsRefusedBeforeAnyWrite() async throws {
    let dn = "CN=nobody,\(dc.baseDN)"
    let writer = ActiveDirectoryWriter(
      sources: [try source(.anonymous)], distinguishedNames: [dn])
    let error = try await #require(throws: ActiveDirectoryError.self) {
      _ = try await writer.writeConsistencyGuid(dn: dn, bytes: Self.randomGuid())
    }
    guard case .ldap(let name, let ldap) = error else {
      Issue.record("expected .ldap, got \(error)")
      return
    }
    #expect(name == "anchor")
    #expect(ldap.kind == .refused)
    #expect(ldap.message == "an anonymous bind can't write mS-DS-ConsistencyGuid; configure a bind")
  }

  /// A simple bind over plain ldap:// never gets a session to write on.
  @Test func plaintextSimpleBindIsRefusedBeforeAnyWrite() async throws {
    let dn = "CN=nobody,\(dc.baseDN)"
    let writer = ActiveDirectoryWriter(
      sources: [try source(uri: dc.ldapURI)], distinguishedNames: [dn])
    let error = try await #require(throws: ActiveDirectoryError.self) {
      _ = try await writer.prepareGroup(
        dn: dn, source: "anchor", DirectoryPreparation(addProxyAddresses: ["smtp:x@anchor.test"]))
    }
    guard case .ldap(_, let ldap) = error else {
      Issue.record("expected .ldap, got \(error)")
      return
    }
    #expect(ldap.kind == .refused)
  }

  @Test func unroutedAndUnconfiguredNamesAreErrors() async throws {
    let writer = ActiveDirectoryWriter(sources: [try source()])
    let unrouted = try await #require(throws: ActiveDirectoryError.self) {
      _ = try await writer.readConsistencyGuids(["CN=x,\(dc.baseDN)"])
    }
    #expect(unrouted.description.contains("no configured directory source for CN=x,"))
    let unconfigured = try await #require(throws: ActiveDirectoryError.self) {
      _ = try await writer.prepareGroup(
        dn: "CN=x,\(dc.baseDN)", source: "elsewhere", DirectoryPreparation())
    }
    #expect(
      unconfigured.description
        == "the plan names directory source 'elsewhere', which the configuration lacks")
  }

  @Test func groupPreparationAddsOnceAndARerunFindsEverythingPresent() async throws {
    try await ScratchObjects.with(dc) { scratch in
      try await scratch.createUser("owner")
      try await scratch.createGroup("g")
      try await scratch.createGroup("parent")
      let group = scratch.dn("g")
      let preparation = DirectoryPreparation(
        addProxyAddresses: ["SMTP:\(scratch.prefix)@anchor.test"],
        addMembers: [scratch.dn("owner")], managedBy: scratch.dn("owner"),
        setMail: "\(scratch.prefix)@anchor.test", joinGroups: [scratch.dn("parent")])
      let writer = ActiveDirectoryWriter(sources: [try source()])
      let x500 = "X500:/o=Test/cn=\(scratch.prefix)"

      let first = try await writer.prepareGroup(
        dn: group, source: "anchor", preparation, extraProxyAddresses: [x500])
      #expect(
        first.added == [
          "proxyAddresses SMTP:\(scratch.prefix)@anchor.test", "proxyAddresses \(x500)",
          "member \(scratch.dn("owner"))", "member \(group) on \(scratch.dn("parent"))",
          "managedBy \(scratch.dn("owner"))", "mail \(scratch.prefix)@anchor.test",
        ])
      #expect(first.alreadyPresent.isEmpty)
      #expect(
        try await scratch.values(group, "proxyAddresses").sorted()
          == ["SMTP:\(scratch.prefix)@anchor.test", x500].sorted())
      #expect(try await scratch.values(scratch.dn("parent"), "member").count == 1)

      let again = try await writer.prepareGroup(
        dn: group, source: "anchor", preparation, extraProxyAddresses: [x500])
      #expect(again.added.isEmpty)
      // managedBy and mail are set only when empty, so a rerun doesn't try them again.
      #expect(
        again.alreadyPresent == [
          "proxyAddresses SMTP:\(scratch.prefix)@anchor.test", "proxyAddresses \(x500)",
          "member \(scratch.dn("owner"))", "member \(group) on \(scratch.dn("parent"))",
        ])
    }
  }

  @Test func carrierSearchFindsOtherHoldersOfTheBytes() async throws {
    try await ScratchObjects.with(dc) { scratch in
      let bytes = Self.randomGuid()
      try await scratch.createUser("twin", consistencyGuid: bytes)
      try await scratch.createUser("other", consistencyGuid: bytes)
      try await scratch.createUser("unrelated", consistencyGuid: Self.randomGuid())
      let reader = try await ActiveDirectoryReader.connect(try source(try serviceBind()))
      let anchor = SourceAnchor(binaryValue: bytes)
      let found = try await reader.objects(
        withConsistencyGuid: anchor, excluding: scratch.dn("twin").uppercased())
      #expect(found.map { $0.lowercased() } == [scratch.dn("other").lowercased()])
    }
  }
}
