import Testing

@testable import LDAPClient

/// LDAPS URIs are connected as plain TCP to the same host and port, then TLS is installed on the
/// open socket (so libldap's network timeout never covers the handshake, where it spins).
struct LDAPTransportPlanTests {
  @Test(arguments: [
    ("ldaps://dc1.corp.example.com", "ldap://dc1.corp.example.com:636"),
    ("LDAPS://dc1.corp.example.com", "ldap://dc1.corp.example.com:636"),
    ("ldaps://dc1:1636", "ldap://dc1:1636"),
    ("ldaps://127.77.0.2/", "ldap://127.77.0.2:636/"),
    ("ldaps://[::1]", "ldap://[::1]:636"),
    ("ldaps://[::1]:3269", "ldap://[::1]:3269"),
    ("ldaps://dc1:636/DC=corp,DC=example,DC=com", "ldap://dc1:636/DC=corp,DC=example,DC=com"),
  ])
  func ldapsBecomesPlainTCPToTheSamePort(uri: String, expected: String) {
    #expect(LDAPTransportPlan.plainTCP(forLDAPS: uri) == expected)
    let plan = LDAPTransportPlan(uris: [uri])
    #expect(plan.uris == [expected])
    #expect(plan.tlsAfterConnect)
  }

  @Test(arguments: [
    "ldap://dc1", "ldaps://", "ldaps:///", "ldaps://:636", "ldaps://[::1", "ldapi://x",
  ])
  func anythingElseIsNotRewritten(uri: String) {
    #expect(LDAPTransportPlan.plainTCP(forLDAPS: uri) == nil)
  }

  @Test func failoverListsKeepTheirOrder() {
    let plan = LDAPTransportPlan(uris: ["ldaps://dc1", "ldaps://dc2:1636"])
    #expect(plan.uris == ["ldap://dc1:636", "ldap://dc2:1636"])
    #expect(plan.tlsAfterConnect)
  }

  /// Which URI answers decides whether TLS is due; only libldap knows, so a mixed list stays its own.
  @Test func mixedOrPlainListsAreLeftToLibldap() {
    for uris in [["ldaps://dc1", "ldap://dc2"], ["ldap://dc1"], []] {
      let plan = LDAPTransportPlan(uris: uris)
      #expect(plan.uris == uris)
      #expect(!plan.tlsAfterConnect)
    }
  }
}
