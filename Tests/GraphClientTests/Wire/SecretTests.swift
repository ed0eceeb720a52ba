import Foundation
import Testing

@testable import GraphClient

@Suite("Secret and credential loading")
struct SecretTests {
  static let clearText = "s3cr3t-Value~with+odd/chars="

  @Test("every way of printing a Secret shows <redacted>")
  func neverPrints() {
    let secret = Secret(Self.clearText)
    var dumped = ""
    dump(secret, to: &dumped)
    let renderings = [
      secret.description, secret.debugDescription, "\(secret)", String(describing: secret),
      String(reflecting: secret), dumped, "\([secret])", "\(Optional(secret) as Any)",
    ]
    for rendering in renderings {
      #expect(rendering.contains("<redacted>"), "\(rendering)")
      #expect(!rendering.contains(Self.clearText))
      #expect(!rendering.contains("s3cr3t"))
    }
    #expect(secret.withValue { $0 } == Self.clearText)
  }

  func temporaryFile(contents: String, mode: Int) throws -> String {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("graph-secret-\(UUID().uuidString)").path
    #expect(FileManager.default.createFile(atPath: path, contents: Data(contents.utf8)))
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    return path
  }

  @Test("a secret file readable by group or others is refused", arguments: [0o640, 0o644, 0o604])
  func looseFileRefused(mode: Int) throws {
    let path = try temporaryFile(contents: Self.clearText + "\n", mode: mode)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let error = #expect(throws: GraphError.self) {
      try ClientCredential.load(.clientSecret(.file(path: path)))
    }
    #expect(error?.code == "tenant.auth.clientSecretFile")
    #expect(error?.message.contains(path) == true)
    #expect(error?.message.contains(Self.clearText) == false)
  }

  @Test("a 0600 secret file is read, trailing newline dropped")
  func privateFileRead() throws {
    let path = try temporaryFile(contents: Self.clearText + "\n", mode: 0o600)
    defer { try? FileManager.default.removeItem(atPath: path) }
    guard case .secret(let secret) = try ClientCredential.load(.clientSecret(.file(path: path)))
    else {
      Issue.record("expected a secret")
      return
    }
    #expect(secret.withValue { $0 } == Self.clearText)
  }

  @Test("environment secrets: present, missing")
  func environment() throws {
    guard
      case .secret(let secret) = try ClientCredential.load(
        .clientSecret(.environment(name: "APP_SECRET")), environment: ["APP_SECRET": "abc"])
    else {
      Issue.record("expected a secret")
      return
    }
    #expect(secret.withValue { $0 } == "abc")
    let error = #expect(throws: GraphError.self) {
      try ClientCredential.load(.clientSecret(.environment(name: "NOPE")), environment: [:])
    }
    #expect(error?.code == "tenant.auth.clientSecretEnv")
    #expect(error?.message.contains("NOPE") == true)
  }

  @Test("a missing certificate file names the key and path")
  func missingCertificate() {
    let error = #expect(throws: GraphError.self) {
      try ClientCredential.load(
        .certificate(
          certificatePath: "/nonexistent/cert.pem", privateKeyPath: "/nonexistent/key.pem",
          algorithm: .ps256))
    }
    #expect(error?.code == "tenant.auth.certificateFile")
    #expect(error?.message.contains("/nonexistent/cert.pem") == true)
  }

  @Test("the token request body never shows up in the request's description")
  func tokenBodyRedacted() throws {
    let endpoints = try TenantConfiguration(
      tenant: "contoso.onmicrosoft.com", clientID: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
      credential: .clientSecret(.environment(name: "X"))
    ).endpoints()
    let body = try TokenRequest.body(
      clientID: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", endpoints: endpoints,
      credential: .secret(Secret(Self.clearText)))
    #expect("\(body)" == "<redacted>")
    #expect(
      body.withValue { $0 }
        == "client_id=aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
        + "&client_secret=s3cr3t-Value~with%2Bodd%2Fchars%3D&grant_type=client_credentials")
  }
}
