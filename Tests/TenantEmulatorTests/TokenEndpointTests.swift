import Foundation
import TenantEmulator
import Testing

@Suite("Token endpoint and bearer checks")
struct TokenEndpointTests {
  static let scope = ("scope", "https://graph.microsoft.com/.default")
  static let grant = ("grant_type", "client_credentials")

  @Test func clientSecretYieldsABearerTokenThatGraphAccepts() async throws {
    try await Emulator.run { emulator in
      let reply = try await emulator.tokenRequest([
        ("client_id", TestTenant.plainClientId), Self.scope,
        ("client_secret", TestTenant.plainSecret), Self.grant,
      ])
      #expect(reply.status == 200)
      #expect(reply.object["token_type"] as? String == "Bearer")
      #expect(reply.object["expires_in"] as? Int == 3599)
      let token = try #require(reply.object["access_token"] as? String)
      let organization = try await emulator.call("GET", "/v1.0/organization", token: token)
      #expect(organization.status == 200)
      #expect(organization.values.first?["id"] as? String == TestTenant.tenantId)
    }
  }

  @Test func domainNameWorksAsTenantAndHTTPBasicCarriesTheSecret() async throws {
    try await Emulator.run { emulator in
      let basic = Data("\(TestTenant.plainClientId):\(TestTenant.plainSecret)".utf8)
        .base64EncodedString()
      let reply = try await RawHTTP.send(
        port: emulator.port, method: "POST", target: "/contoso.com/oauth2/v2.0/token",
        headers: [
          "Content-Type": "application/x-www-form-urlencoded", "Authorization": "Basic \(basic)",
        ], body: Emulator.form([Self.scope, Self.grant]))
      #expect(reply.status == 200)
    }
  }

  struct Failure: Sendable, CustomTestStringConvertible {
    var testDescription: String { "\(error) AADSTS\(aadsts) (HTTP \(status))" }
    let fields: [(String, String)]
    let tenant: String
    let status: Int
    let aadsts: Int
    let error: String
    init(
      _ fields: [(String, String)], _ tenant: String, _ status: Int, _ aadsts: Int, _ error: String
    ) {
      self.fields = fields
      self.tenant = tenant
      self.status = status
      self.aadsts = aadsts
      self.error = error
    }
  }

  static let secretFailures: [Failure] = [
    Failure(
      [("client_id", TestTenant.plainClientId), scope, ("client_secret", "wrong"), grant],
      TestTenant.tenantId, 401, 7_000_215, "invalid_client"
    ),
    Failure(
      [
        ("client_id", "99999999-0000-0000-0000-000000000000"), scope, ("client_secret", "x"), grant,
      ],
      TestTenant.tenantId, 400, 700016, "unauthorized_client"
    ),
    Failure(
      [
        ("client_id", TestTenant.plainClientId), ("scope", "https://graph.microsoft.com/User.Read"),
        ("client_secret", TestTenant.plainSecret), grant,
      ], TestTenant.tenantId, 400, 1_002_012, "invalid_scope"
    ),
    Failure(
      [("client_id", TestTenant.plainClientId), scope, grant], TestTenant.tenantId, 400,
      7_000_218, "invalid_client"
    ),
    Failure(
      [
        ("client_id", TestTenant.plainClientId), scope, ("client_secret", TestTenant.plainSecret),
        ("grant_type", "password"),
      ], TestTenant.tenantId, 400, 70003, "unsupported_grant_type"
    ),
    Failure(
      [
        ("client_id", TestTenant.plainClientId), scope, ("client_secret", TestTenant.plainSecret),
        grant,
      ],
      "unknown.example", 400, 90002, "invalid_request"
    ),
  ]

  @Test(arguments: secretFailures)
  func tokenErrorsCarryOAuthCodesAndAADSTSNumbers(_ failure: Failure) async throws {
    try await Emulator.run { emulator in
      let reply = try await emulator.tokenRequest(failure.fields, tenant: failure.tenant)
      #expect(reply.status == failure.status)
      #expect(reply.object["error"] as? String == failure.error)
      #expect(reply.object["error_codes"] as? [Int] == [failure.aadsts])
      #expect(
        (reply.object["error_description"] as? String)?.hasPrefix("AADSTS\(failure.aadsts):")
          == true)
      #expect(reply.object["trace_id"] is String && reply.object["correlation_id"] is String)
    }
  }

  @Test func theRequestLogNeverHoldsTheSecret() async throws {
    try await Emulator.run { emulator in
      _ = try await emulator.token()
      let log = await emulator.server.requestLog()
      let body = try #require(log.first?.body)
      #expect(body.contains("client_secret=<redacted>"))
      #expect(!body.contains("plain-test-secret"))
      let http = try await RawHTTP.send(
        port: emulator.port, method: "GET", target: "/_emulator/requests")
      #expect(http.status == 200)
      #expect(!http.text.contains("plain-test-secret"))
    }
  }

  @Test(arguments: [TestCertificate.Algorithm.rs256, .ps256])
  func certificateAssertionIsVerified(algorithm: TestCertificate.Algorithm) async throws {
    let certificate = try await TestCertificate.shared()
    try await Emulator.run(state: TestTenant.standard(certificatePem: certificate.pem)) {
      emulator in
      let audience = "\(emulator.server.baseURL)/\(TestTenant.tenantId)/oauth2/v2.0/token"
      let jwt = try certificate.assertion(
        audience: audience, clientId: TestTenant.certificateClientId, algorithm: algorithm)
      let reply = try await emulator.tokenRequest([
        ("client_id", TestTenant.certificateClientId), Self.scope,
        ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
        ("client_assertion", jwt), Self.grant,
      ])
      #expect(reply.status == 200, "\(reply.text)")
      let token = try #require(reply.object["access_token"] as? String)
      #expect(try await emulator.call("GET", "/v1.0/domains", token: token).status == 200)
      let logged = await emulator.server.requestLog().first?.body ?? ""
      #expect(logged.contains("client_assertion=<redacted>") && !logged.contains(jwt))
    }
  }

  enum BadAssertion: String, CaseIterable, Sendable {
    case wrongAudience, expired, notYetValid, issuerMismatch, tamperedSignature,
      unknownThumbprint, ps256WithoutSHA256Thumbprint, unsupportedAlgorithm
  }

  @Test(arguments: BadAssertion.allCases)
  func badAssertionsAreRefusedAsInvalidClient(_ bad: BadAssertion) async throws {
    let certificate = try await TestCertificate.shared()
    try await Emulator.run(state: TestTenant.standard(certificatePem: certificate.pem)) {
      emulator in
      let audience = "\(emulator.server.baseURL)/\(TestTenant.tenantId)/oauth2/v2.0/token"
      let now = Int(Date().timeIntervalSince1970)
      let id = TestTenant.certificateClientId
      let jwt: String
      switch bad {
      case .wrongAudience:
        jwt = try certificate.assertion(
          audience: "https://login.microsoftonline.com/x/oauth2/v2.0/token", clientId: id)
      case .expired:
        jwt = try certificate.assertion(
          audience: audience, clientId: id, claims: ["exp": now - 60, "nbf": now - 700])
      case .notYetValid:
        jwt = try certificate.assertion(
          audience: audience, clientId: id, claims: ["nbf": now + 300])
      case .issuerMismatch:
        jwt = try certificate.assertion(
          audience: audience, clientId: id, claims: ["iss": TestTenant.plainClientId])
      case .tamperedSignature:
        jwt = try certificate.assertion(audience: audience, clientId: id, tamper: true)
      case .unknownThumbprint:
        jwt = try certificate.assertion(
          audience: audience, clientId: id, header: ["x5t": "hOBcHZi846VCHSJbFAs26Go9VTQ"])
      case .ps256WithoutSHA256Thumbprint:
        jwt = try certificate.assertion(
          audience: audience, clientId: id, algorithm: .ps256,
          header: ["x5t#S256": NSNull(), "x5t": certificate.sha1Thumbprint])
      case .unsupportedAlgorithm:
        jwt = try certificate.assertion(audience: audience, clientId: id, header: ["alg": "HS256"])
      }
      let reply = try await emulator.tokenRequest([
        ("client_id", id), Self.scope,
        ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
        ("client_assertion", jwt), Self.grant,
      ])
      #expect(reply.status == 401, "\(bad): \(reply.text)")
      #expect(reply.object["error"] as? String == "invalid_client")
      #expect(reply.object["access_token"] == nil)
    }
  }

  @Test func graphRefusesMissingUnknownAndExpiredTokens() async throws {
    var options = EmulatorOptions()
    options.tokenLifetime = .milliseconds(400)
    try await Emulator.run(options: options) { emulator in
      let missing = try await emulator.call(
        "GET", "/v1.0/users", token: nil, headers: ["client-request-id": "my-correlation-1"])
      #expect(missing.status == 401)
      #expect(missing.errorCode == "InvalidAuthenticationToken")
      #expect(missing.headers["client-request-id"] == "my-correlation-1")
      let inner = (missing.object["error"] as? [String: Any])?["innerError"] as? [String: Any]
      #expect(inner?["client-request-id"] as? String == "my-correlation-1")
      #expect(inner?["request-id"] as? String == missing.headers["request-id"])
      #expect(inner?["date"] is String)

      let unknown = try await emulator.call("GET", "/v1.0/users", token: "not-a-token")
      #expect(unknown.status == 401 && unknown.errorCode == "InvalidAuthenticationToken")

      let token = try await emulator.token()
      #expect(try await emulator.call("GET", "/v1.0/users", token: token).status == 200)
      try await Task.sleep(for: .milliseconds(600))
      let expired = try await emulator.call("GET", "/v1.0/users", token: token)
      #expect(expired.status == 401 && expired.errorCode == "InvalidAuthenticationToken")
      #expect(expired.errorMessage?.contains("expired") == true)
    }
  }
}
