import Foundation
import GraphClient
import Testing

@testable import GraphClient

@Suite("E2E: authentication against the emulator", .serialized)
struct AuthEndToEndTests {
  @Test("client secret: token, reads, and no secret or token in any log line")
  func secretAuthAndLogs() async throws {
    let capture = LogCapture()
    let token = try await EmulatorTenant.run(
      state: EmulatorTenant.state(users: EmulatorTenant.users(1...3)), logger: capture.logger()
    ) { client, _ in
      let domains = try await client.domains()
      #expect(Set(domains.map(\.id)) == ["contoso.onmicrosoft.com", "contoso.com"])
      #expect(domains.first { $0.id == "contoso.com" }?.isFederated == true)
      #expect(try await client.users().collect().count == 3)
      return try await client.tokens.token().value.withValue { $0 }
    }
    #expect(token.count > 10)
    #expect(capture.count > 0)
    let logs = capture.text
    #expect(!logs.contains(EmulatorTenant.secret))
    #expect(!logs.contains(OData.encodeFormValue(EmulatorTenant.secret)))
    #expect(!logs.contains(token))
    #expect(!logs.contains("Bearer"))
  }

  @Test("a wrong secret is an authentication error with the OAuth code, not the secret")
  func wrongSecret() async throws {
    let wrong = "definitely-not-it"
    do {
      try await EmulatorTenant.run(
        state: EmulatorTenant.state(users: []), secret: wrong
      ) { client, _ in _ = try await client.domains() }
      Issue.record("expected an authentication error")
    } catch let error as GraphError {
      #expect(error.kind == .authentication)
      #expect(error.code == "invalid_client")
      #expect(!error.description.contains(wrong))
    }
  }

  @Test(
    "certificate: RS256 + x5t and PS256 + x5t#S256 assertions are accepted",
    arguments: TenantConfiguration.AssertionAlgorithm.allCases)
  func certificateAuth(algorithm: TenantConfiguration.AssertionAlgorithm) async throws {
    let pair = try CertificatePair.make()
    defer { pair.remove() }
    let users = try await EmulatorTenant.run(
      state: EmulatorTenant.state(
        users: EmulatorTenant.users(1...2),
        application: EmulatorTenant.certificateApplication(pem: pair.certificatePEM)),
      credential: .certificate(
        certificatePath: pair.certificatePath, privateKeyPath: pair.keyPath, algorithm: algorithm)
    ) { client, _ in try await client.users().collect() }
    #expect(users.count == 2)
  }

  @Test("a certificate Entra doesn't know is refused")
  func unknownCertificate() async throws {
    let registered = try CertificatePair.make()
    let other = try CertificatePair.make()
    defer {
      registered.remove()
      other.remove()
    }
    await #expect(throws: GraphError.self) {
      try await EmulatorTenant.run(
        state: EmulatorTenant.state(
          users: [],
          application: EmulatorTenant.certificateApplication(pem: registered.certificatePEM)),
        credential: .certificate(
          certificatePath: other.certificatePath, privateKeyPath: other.keyPath, algorithm: .ps256)
      ) { client, _ in _ = try await client.domains() }
    }
  }
}

/// A throwaway self-signed certificate made with openssl in a temporary directory.
struct CertificatePair {
  let directory: URL
  var certificatePath: String { directory.appendingPathComponent("cert.pem").path }
  var keyPath: String { directory.appendingPathComponent("key.pem").path }
  let certificatePEM: String

  static func make() throws -> CertificatePair {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("graph-cert-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
      "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
      "/CN=anchorbridge-test", "-keyout", directory.appendingPathComponent("key.pem").path,
      "-out", directory.appendingPathComponent("cert.pem").path,
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw GraphError(
        kind: .configuration, message: "openssl failed (\(process.terminationStatus))")
    }
    let keyPath = directory.appendingPathComponent("key.pem").path
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)
    let pem = try String(contentsOf: directory.appendingPathComponent("cert.pem"), encoding: .utf8)
    return CertificatePair(directory: directory, certificatePEM: pem)
  }

  func remove() { try? FileManager.default.removeItem(at: directory) }
}
