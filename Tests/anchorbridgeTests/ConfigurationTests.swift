import Foundation
import TestSupport
import Testing

@testable import LDAPClient
@testable import anchorbridge

@Suite struct ConfigurationTests {
  let temp: TemporaryDirectory
  let passwordFile: String

  init() throws {
    temp = try TemporaryDirectory()
    passwordFile = try temp.write("ldap.pw", "s3cret-ldap-pw\n")
  }

  func yaml(_ source: String) -> String {
    """
    directory:
      sources:
        - name: corp
    \(source.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n"))
    """
  }

  var good: String {
    """
    uris: [ldaps://dc1.corp.example.com, ldaps://dc2.corp.example.com]
    tls: { caFile: /etc/anchorbridge/ca.pem }
    bind: { method: simple, dn: svc-anchor@corp.example.com, passwordFile: \(passwordFile) }
    users: { bases: ["OU=Staff,DC=corp,DC=example,DC=com"], filter: "(&(objectCategory=person)(objectClass=user))" }
    groups: { bases: ["DC=corp,DC=example,DC=com"], filter: "(objectClass=group)" }
    anchor: attribute:employeeID
    """
  }

  @Test func loadsTheDocumentedShape() throws {
    let config = try Configuration(yaml: yaml(good), file: "test.yaml")
    let source = try #require(config.directory?.sources.first)
    #expect(source.name == "corp")
    #expect(source.connection.uris.count == 2)
    #expect(source.connection.caFile == "/etc/anchorbridge/ca.pem")
    #expect(source.anchor == .attribute("employeeID"))
    #expect(source.users.bases == ["OU=Staff,DC=corp,DC=example,DC=com"])
    guard case .simple(let dn, let password) = source.connection.bind else {
      Issue.record("expected a simple bind")
      return
    }
    #expect(dn == "svc-anchor@corp.example.com")
    #expect(password.bytes == Array("s3cret-ldap-pw".utf8))
  }

  @Test(arguments: [
    (
      "uris: [ldaps://dc1]\nbind: { method: simple, dn: x, passwordFile: PW }\ncolour: blue",
      "directory.sources[0].colour", "not a known key"
    ),
    (
      "bind: { method: simple, dn: x, passwordFile: PW }", "directory.sources[0].uris",
      "is required"
    ),
    (
      "uris: [ldaps://dc1]\nbind: { method: simple, dn: x, password: hunter2 }",
      "directory.sources[0].bind.password", "inline passwords"
    ),
    (
      "uris: [ldap://dc1]\nbind: { method: simple, dn: x, passwordFile: PW }",
      "directory.sources[0].bind", "unencrypted"
    ),
    (
      "uris: [ldaps://dc1]\nbind: { method: kerberos }", "directory.sources[0].bind.method",
      "kerberos"
    ),
    (
      "uris: [ldaps://dc1]\nbind: { method: simple, dn: x, passwordFile: PW }\nanchor: sid",
      "directory.sources[0].anchor", "'sid'"
    ),
    (
      "uris: [ldaps://dc1]\nbind: { method: simple, dn: x, passwordFile: PW }\npageSize: 5000",
      "directory.sources[0].pageSize", "5000"
    ),
    ("uris: [http://dc1]\nbind: { method: gssapi }", "directory.sources[0].uris", "http://dc1"),
    (
      "uris: [ldaps://dc1]\nbind: { method: simple, dn: x, passwordEnv: AB_TEST_UNSET_VARIABLE }",
      "directory.sources[0].bind.passwordEnv", "AB_TEST_UNSET_VARIABLE"
    ),
    (
      "uris: [ldaps://dc1]\nbind: { method: gssapi }\nusers: { filter: \"(objectClass=user\" }",
      "directory.sources[0].users.filter", "(objectClass=user"
    ),
  ])
  func errorsNameTheKeyAndTheValue(source: String, key: String, fragment: String) {
    let text = yaml(source.replacingOccurrences(of: "PW", with: passwordFile))
    #expect {
      _ = try Configuration(yaml: text, file: "bad.yaml")
    } throws: { error in
      guard let error = error as? ConfigurationError else { return false }
      return error.key == key && error.description.contains(fragment)
        && error.description.hasPrefix("bad.yaml: ")
    }
  }

  @Test func secretFilesReadableByOthersAreRefused() throws {
    let open = try temp.write("open.pw", "pw", mode: 0o644)
    let text = yaml("uris: [ldaps://dc1]\nbind: { method: simple, dn: x, passwordFile: \(open) }")
    #expect {
      _ = try Configuration(yaml: text, file: "c.yaml")
    } throws: { error in
      "\(error)".contains("readable by group or others") && "\(error)".contains("chmod 600")
    }
  }

  @Test func secretValuesNeverAppearInErrors() throws {
    let text = yaml(
      "uris: [ldap://dc1]\nbind: { method: simple, dn: x, passwordFile: \(passwordFile) }")
    do {
      _ = try Configuration(yaml: text, file: "c.yaml")
      Issue.record("expected a refusal")
    } catch {
      #expect(!"\(error)".contains("s3cret-ldap-pw"))
    }
  }

  @Test func invalidYAMLAndUnknownSections() {
    #expect(throws: ConfigurationError.self) {
      try Configuration(yaml: "directory: [", file: "c.yaml")
    }
    #expect {
      _ = try Configuration(yaml: "tenantt: {}", file: "c.yaml")
    } throws: { error in
      (error as? ConfigurationError)?.key == "tenantt"
    }
  }
}

@Suite struct TenantConfigurationTests {
  let temp: TemporaryDirectory
  let secretFile: String

  init() throws {
    temp = try TemporaryDirectory()
    secretFile = try temp.write("client.secret", "app-secret-value\n")
  }

  func yaml(_ body: String) -> String {
    "tenant:\n" + body.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
  }

  @Test func loadsTheDocumentedShape() throws {
    let config = try Configuration(
      yaml: yaml(
        """
        id: contoso.onmicrosoft.com
        clientId: 11111111-2222-3333-4444-555555555555
        cloud: global
        authorityHost: http://127.0.0.1:8950
        graphHost: http://127.0.0.1:8950
        auth: { clientSecretFile: \(secretFile) }
        """), file: "t.yaml")
    let tenant = try #require(config.tenant)
    #expect(tenant.tenant == "contoso.onmicrosoft.com")
    #expect(tenant.graphHost == "http://127.0.0.1:8950")
    #expect(tenant.credential == .clientSecret(.file(path: secretFile)))
  }

  @Test(arguments: [
    ("graphHost: http://graph.example.com", "tenant.graphHost", "graph.example.com"),
    ("cloud: mars", "tenant.cloud", "'mars'"),
    ("clientId: not-a-guid", "tenant.clientId", "not-a-guid"),
    ("auth: { clientSecret: hunter2 }", "tenant.auth.clientSecret", "inline secrets"),
    ("auth: { certificateFile: a.pem }", "tenant.auth", "keyFile"),
  ])
  func errorsNameTheKey(line: String, key: String, fragment: String) {
    var lines = [
      "id: contoso.onmicrosoft.com", "clientId: 11111111-2222-3333-4444-555555555555",
      "auth: { clientSecretFile: \(secretFile) }",
    ]
    let name = String(line.prefix { $0 != ":" })
    lines.removeAll { $0.hasPrefix(name + ":") }
    lines.append(line)
    #expect {
      _ = try Configuration(yaml: yaml(lines.joined(separator: "\n")), file: "t.yaml")
    } throws: { error in
      guard let error = error as? ConfigurationError else { return false }
      return error.key == key && error.description.contains(fragment)
        && !error.description.contains("hunter2")
    }
  }
}

@Suite struct CommandLineErrorTests {
  @Test func badConfigExitsWithCode2NamingTheKey() throws {
    let temp = try TemporaryDirectory()
    let config = try temp.write(
      "c.yaml",
      "directory:\n  sources:\n    - name: x\n      uris: [ldaps://dc1]\n      bind: { method: gssapi }\n      anchr: objectGUID\n"
    )
    let result = try Subprocess.anchorbridge(["ad", "users", "--config", config])
    #expect(result.status == 2)
    #expect(result.stderr.contains("directory.sources[0].anchr"))
    #expect(result.stdout.isEmpty)
  }

  @Test func missingConfigFileExitsWithCode2() throws {
    let result = try Subprocess.anchorbridge(["ad", "groups", "--config", "/nonexistent/ab.yaml"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("/nonexistent/ab.yaml"))
  }
}

@Suite struct RenderingTests {
  @Test(arguments: [
    ("plain", "plain"), ("a,b", "\"a,b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""),
    ("line\nbreak", "\"line\nbreak\""),
  ])
  func csvQuoting(value: String, expected: String) {
    #expect(CSV.field(value) == expected)
  }

  @Test func jsonEscaping() throws {
    var json = JSONText()
    json.string("quote\" back\\ nl\n tab\t ctl\u{1} é")
    let decoded = try JSONDecoder().decode(String.self, from: Data(json.bytes))
    #expect(decoded == "quote\" back\\ nl\n tab\t ctl\u{1} é")
  }
}

@Suite struct GroupsConfigurationTests {
  @Test func readsMatchOrderAndMemberLoss() throws {
    let config = try Configuration(
      yaml: "groups:\n  matchOrder: [displayName, primarySmtp]\n  allowMemberLoss: true\n",
      file: "g.yaml")
    #expect(config.groups.matchOrder == [.displayName, .primarySmtp])
    #expect(config.groups.allowMemberLoss)
    #expect(
      try Configuration(yaml: "safety: { maxChanges: 5 }\n", file: "g.yaml").groups
        == GroupsConfiguration())
  }

  @Test(arguments: [
    ("groups: { matchOrder: [objectSid] }", "groups.matchOrder[0]", "'objectSid'"),
    ("groups: { matchOrder: [displayName, displayName] }", "groups.matchOrder[1]", "twice"),
    ("groups: { matchOrder: [] }", "groups.matchOrder", "at least one"),
    ("groups: { allowMemberLos: true }", "groups.allowMemberLos", "not a known key"),
  ])
  func errorsNameTheKey(yaml: String, key: String, fragment: String) {
    #expect {
      _ = try Configuration(yaml: yaml + "\n", file: "g.yaml")
    } throws: { error in
      guard let error = error as? ConfigurationError else { return false }
      return error.key == key && error.description.contains(fragment)
    }
  }
}
