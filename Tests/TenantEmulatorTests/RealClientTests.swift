import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOSSL
import TenantEmulator
import Testing
import _CryptoExtras

/// What an outside client (MSAL, azure-identity, the Graph SDKs) needs: OpenID discovery, JWKS,
/// JWT access tokens, https, padded thumbprints and request bodies with instance annotations.
@Suite("Real identity clients work unchanged")
struct RealClientTests {
  static func decodeSegment(_ text: Substring) -> [String: Any] {
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(
      of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    let data = Data(base64Encoded: base64) ?? Data()
    return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
  }

  static func bytes(_ text: String) -> Data {
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(
      of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    return Data(base64Encoded: base64) ?? Data()
  }

  @Test(arguments: [TestTenant.tenantId, "contoso.com"])
  func discoveryDocumentNamesTheEndpoints(tenant: String) async throws {
    try await Emulator.run { emulator in
      let base = emulator.server.baseURL
      let v2 = try await emulator.call(
        "GET", "/\(tenant)/v2.0/.well-known/openid-configuration", token: nil)
      #expect(v2.status == 200)
      let root = "\(base)/\(TestTenant.tenantId)"
      #expect(v2.object["token_endpoint"] as? String == "\(root)/oauth2/v2.0/token")
      #expect(v2.object["authorization_endpoint"] as? String == "\(root)/oauth2/v2.0/authorize")
      #expect(
        v2.object["device_authorization_endpoint"] as? String == "\(root)/oauth2/v2.0/devicecode")
      #expect(v2.object["jwks_uri"] as? String == "\(root)/discovery/v2.0/keys")
      #expect(v2.object["issuer"] as? String == "\(root)/v2.0")
      let v1 = try await emulator.call(
        "GET", "/\(tenant)/.well-known/openid-configuration", token: nil)
      #expect(v1.status == 200)
      #expect(v1.object["token_endpoint"] as? String == "\(root)/oauth2/token")
      let unknown = try await emulator.call(
        "GET", "/nowhere.example/v2.0/.well-known/openid-configuration", token: nil)
      #expect(unknown.status == 400)
      #expect((unknown.object["error_codes"] as? [Int])?.first == 90002)
    }
  }

  @Test func accessTokenIsAJWTSignedWithTheServedKey() async throws {
    var document = TestTenant.document()
    var applications = document["applications"] as! [[String: Any]]
    applications[0]["permissions"] = ["User.Read.All", "Domain.Read.All"]
    document["applications"] = applications
    try await Emulator.run(state: TestTenant.data(document)) { emulator in
      let token = try await emulator.token()
      let parts = token.split(separator: ".")
      try #require(parts.count == 3)
      let header = Self.decodeSegment(parts[0])
      let claims = Self.decodeSegment(parts[1])
      #expect(header["alg"] as? String == "RS256")
      #expect(claims["tid"] as? String == TestTenant.tenantId)
      #expect(claims["appid"] as? String == TestTenant.plainClientId)
      #expect(claims["roles"] as? [String] == ["User.Read.All", "Domain.Read.All"])
      #expect(claims["scp"] == nil)
      #expect(claims["aud"] as? String == "https://graph.microsoft.com")
      #expect(claims["iss"] as? String == "\(emulator.server.baseURL)/\(TestTenant.tenantId)/v2.0")
      let expiry = try #require(claims["exp"] as? Double)
      #expect(abs(expiry - Date().timeIntervalSince1970 - 3600) < 30)

      let keys = try await emulator.call(
        "GET", "/\(TestTenant.tenantId)/discovery/v2.0/keys", token: nil)
      let key = try #require((keys.object["keys"] as? [[String: Any]])?.first)
      #expect(key["kid"] as? String == header["kid"] as? String)
      let publicKey = try _RSA.Signing.PublicKey(
        n: Self.bytes(key["n"] as! String), e: Self.bytes(key["e"] as! String))
      let signature = _RSA.Signing.RSASignature(rawRepresentation: Self.bytes(String(parts[2])))
      #expect(
        publicKey.isValidSignature(
          signature, for: SHA256.hash(data: Data("\(parts[0]).\(parts[1])".utf8)),
          padding: .insecurePKCS1v1_5))

      // A token whose signature does not verify is refused, even with valid-looking claims.
      let forged = "\(parts[0]).\(parts[1]).\(String(parts[2].reversed()))"
      let refused = try await emulator.call("GET", "/v1.0/users", token: forged)
      #expect(refused.status == 401 && refused.errorCode == "InvalidAuthenticationToken")
    }
  }

  @Test func paddedThumbprintsAndTheV1TokenEndpointAreAccepted() async throws {
    let certificate = try await TestCertificate.shared()
    let state = TestTenant.standard(certificatePem: certificate.pem)
    try await Emulator.run(state: state) { emulator in
      let id = TestTenant.certificateClientId
      let padded = { (text: String) in
        text + String(repeating: "=", count: (4 - text.count % 4) % 4)
      }
      for (algorithm, header) in [
        (TestCertificate.Algorithm.rs256, ["x5t": padded(certificate.sha1Thumbprint)]),
        (.ps256, ["x5t#S256": padded(certificate.sha256Thumbprint)]),
      ] {
        let audience = "\(emulator.server.baseURL)/\(TestTenant.tenantId)/oauth2/v2.0/token"
        let jwt = try certificate.assertion(
          audience: audience, clientId: id, algorithm: algorithm, header: header)
        let reply = try await emulator.tokenRequest([
          ("client_id", id), TokenEndpointTests.scope,
          ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
          ("client_assertion", jwt), TokenEndpointTests.grant,
        ])
        #expect(reply.status == 200, "\(algorithm): \(reply.text)")
      }
      let v1 = try await RawHTTP.send(
        port: emulator.port, method: "POST", target: "/\(TestTenant.tenantId)/oauth2/token",
        headers: ["Content-Type": "application/x-www-form-urlencoded"],
        body: Emulator.form([
          ("client_id", TestTenant.plainClientId), ("client_secret", TestTenant.plainSecret),
          ("resource", "https://graph.microsoft.com"), TokenEndpointTests.grant,
        ]))
      #expect(v1.status == 200, "\(v1.text)")
    }
  }

  @Test func instanceAnnotationsInBodiesAreIgnoredUnlessTheTypeDoesNotFit() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let typed = try await emulator.call(
        "PATCH", "/v1.0/users/u-alice", token: token,
        json: [
          "@odata.type": "#microsoft.graph.user", "@odata.id": "users/u-alice",
          "onPremisesImmutableId": "QWxpY2U=",
        ])
      #expect(typed.status == 204, "\(typed.text)")
      #expect(
        try await emulator.storedUser("u-alice")["onPremisesImmutableId"] as? String == "QWxpY2U=")
      let cleared = try await emulator.call(
        "PATCH", "/v1.0/users/u-alice", token: token,
        json: ["@odata.type": "#microsoft.graph.user", "onPremisesImmutableId": NSNull()])
      #expect(cleared.status == 204)
      #expect(try await emulator.storedUser("u-alice")["onPremisesImmutableId"] is NSNull)
      let wrong = try await emulator.call(
        "PATCH", "/v1.0/users/u-alice", token: token,
        json: ["@odata.type": "#microsoft.graph.group", "displayName": "x"])
      #expect(wrong.status == 400 && wrong.errorCode == "BadRequest")
      #expect(wrong.errorMessage?.contains("microsoft.graph.group") == true)
      let created = try await emulator.call(
        "POST", "/v1.0/groups", token: token,
        json: [
          "@odata.type": "#microsoft.graph.group", "displayName": "Typed", "mailEnabled": false,
          "mailNickname": "typed", "securityEnabled": true,
        ])
      #expect(created.status == 201, "\(created.text)")
    }
  }

  @Test func servesHTTPSWithAGeneratedCertificate() async throws {
    let tls = try EmulatorTLS.generated()
    let caPEM = try #require(tls.generatedCAPEM)
    let server = try await TenantEmulatorServer.start(
      stateJSON: TestTenant.standard(), options: EmulatorOptions(tls: tls))
    var configuration = HTTPClient.Configuration()
    var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
    tlsConfiguration.trustRoots = .certificates(
      try NIOSSLCertificate.fromPEMBytes(Array(caPEM.utf8)))
    configuration.tlsConfiguration = tlsConfiguration
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    do {
      #expect(server.baseURL.hasPrefix("https://127.0.0.1:"))
      let discovery = try await client.execute(
        HTTPClientRequest(
          url: "\(server.baseURL)/\(TestTenant.tenantId)/v2.0/.well-known/openid-configuration"),
        timeout: .seconds(20))
      #expect(discovery.status == .ok)
      let body = try await discovery.body.collect(upTo: 1 << 20)
      let document =
        try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
      #expect(
        (document?["token_endpoint"] as? String)?.hasPrefix("https://127.0.0.1:") == true)
      var tokenRequest = HTTPClientRequest(
        url: "\(server.baseURL)/\(TestTenant.tenantId)/oauth2/v2.0/token")
      tokenRequest.method = .POST
      tokenRequest.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
      tokenRequest.body = .bytes(
        ByteBuffer(
          bytes: Emulator.form([
            ("client_id", TestTenant.plainClientId), TokenEndpointTests.scope,
            ("client_secret", TestTenant.plainSecret), TokenEndpointTests.grant,
          ])))
      let token = try await client.execute(tokenRequest, timeout: .seconds(20))
      #expect(token.status == .ok)
    } catch {
      try? await client.shutdown()
      try? await server.shutdown()
      throw error
    }
    try await client.shutdown()
    try await server.shutdown()
  }
}
