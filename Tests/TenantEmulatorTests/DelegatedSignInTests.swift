import Crypto
import Foundation
import TenantEmulator
import Testing

/// Device code, authorization code with PKCE and refresh tokens, and the tenant's sync
/// settings that only a delegated Global Administrator may read and change.
@Suite("Delegated sign-in")
struct DelegatedSignInTests {
  static let scope =
    "https://graph.microsoft.com/OnPremDirectorySynchronization.ReadWrite.All offline_access openid profile"
  static let deviceGrant = "urn:ietf:params:oauth:grant-type:device_code"

  static func options(
    user: String? = "frank@contoso.com", interval: Duration = .milliseconds(1500)
  ) -> EmulatorOptions {
    var options = EmulatorOptions()
    options.autoApproveUser = user
    options.deviceCodeInterval = interval
    return options
  }

  func deviceCode(_ emulator: Emulator, interval: Int = 2) async throws -> String {
    let reply = try await RawHTTP.send(
      port: emulator.port, method: "POST",
      target: "/\(TestTenant.tenantId)/oauth2/v2.0/devicecode",
      headers: ["Content-Type": "application/x-www-form-urlencoded"],
      body: Emulator.form([("client_id", TestTenant.plainClientId), ("scope", Self.scope)]))
    #expect(reply.status == 200)
    #expect(reply.object["user_code"] is String && reply.object["interval"] as? Int == interval)
    return try #require(reply.object["device_code"] as? String)
  }

  func poll(_ emulator: Emulator, _ code: String) async throws -> HTTPReply {
    try await emulator.tokenRequest([
      ("client_id", TestTenant.plainClientId), ("grant_type", Self.deviceGrant),
      ("device_code", code),
    ])
  }

  @Test func deviceCodeIsPendingThenSlowDown() async throws {
    // An interval no loaded machine can outlast between two polls in a row.
    try await Emulator.run(options: Self.options(interval: .seconds(60))) { emulator in
      let code = try await deviceCode(emulator, interval: 60)
      let pending = try await poll(emulator, code)
      #expect(
        pending.status == 400 && pending.object["error"] as? String == "authorization_pending")
      let fast = try await poll(emulator, code)
      #expect(fast.object["error"] as? String == "slow_down")
    }
  }

  @Test func deviceCodeIsPendingThenGrantedToAGlobalAdministrator() async throws {
    // An interval any two polls outlast, so only the approval decides.
    try await Emulator.run(options: Self.options(interval: .milliseconds(1))) { emulator in
      let code = try await deviceCode(emulator, interval: 1)
      let pending = try await poll(emulator, code)
      #expect(
        pending.status == 400 && pending.object["error"] as? String == "authorization_pending")
      try await Task.sleep(for: .milliseconds(20))
      let granted = try await poll(emulator, code)
      #expect(granted.status == 200, "\(granted.text)")
      let token = try #require(granted.object["access_token"] as? String)
      #expect(granted.object["refresh_token"] is String && granted.object["id_token"] is String)
      let claims = RealClientTests.decodeSegment(token.split(separator: ".")[1])
      #expect(claims["oid"] as? String == "u-frank")
      #expect(claims["scp"] as? String == "OnPremDirectorySynchronization.ReadWrite.All")
      #expect(claims["roles"] == nil)

      let sync = try await emulator.call(
        "GET", "/v1.0/directory/onPremisesSynchronization", token: token)
      #expect(sync.status == 200, "\(sync.text)")
      let features = sync.values.first?["features"] as? [String: Any]
      #expect(features?["blockCloudObjectTakeoverThroughHardMatchEnabled"] as? Bool == true)
      #expect(features?["blockSoftMatchEnabled"] as? Bool == false)
      let path = "/v1.0/directory/onPremisesSynchronization/\(TestTenant.tenantId)"
      let patch = try await emulator.call(
        "PATCH", path, token: token, json: ["features": ["blockSoftMatchEnabled": true]])
      #expect(patch.status == 204)
      let after = try await emulator.call("GET", path, token: token)
      #expect(
        (after.object["features"] as? [String: Any])?["blockSoftMatchEnabled"] as? Bool == true)

      let appOnly = try await emulator.call(
        "GET", "/v1.0/directory/onPremisesSynchronization", token: try await emulator.token())
      #expect(appOnly.status == 403 && appOnly.errorCode == "Authorization_RequestDenied")
      let again = try await poll(emulator, code)
      #expect(again.status == 400 && again.object["error"] as? String == "invalid_grant")
    }
  }

  @Test func aUserWithoutTheRoleIsRefusedTheSyncSettings() async throws {
    var options = Self.options(user: "alice@contoso.com")
    options.deviceCodeApprovalPolls = 0
    try await Emulator.run(options: options) { emulator in
      let granted = try await poll(emulator, try await deviceCode(emulator))
      let token = try #require(granted.object["access_token"] as? String)
      let sync = try await emulator.call(
        "GET", "/v1.0/directory/onPremisesSynchronization", token: token)
      #expect(sync.status == 403 && sync.errorCode == "Authorization_RequestDenied")
    }
  }

  @Test func anUnredeemedDeviceCodeExpires() async throws {
    var options = Self.options(user: nil)
    options.deviceCodeLifetime = .milliseconds(150)
    try await Emulator.run(options: options) { emulator in
      let code = try await deviceCode(emulator)
      try await Task.sleep(for: .milliseconds(250))
      let expired = try await poll(emulator, code)
      #expect(expired.status == 400 && expired.object["error"] as? String == "expired_token")
    }
  }

  @Test func conditionalAccessCanBlockTheDeviceCodeFlow() async throws {
    var document = TestTenant.document()
    document["capabilities"] = ["conditionalAccessBlocksDeviceCode": true]
    try await Emulator.run(state: TestTenant.data(document), options: Self.options()) {
      emulator in
      let blocked = try await poll(emulator, try await deviceCode(emulator))
      #expect(blocked.status == 400 && blocked.object["error"] as? String == "invalid_grant")
      #expect((blocked.object["error_codes"] as? [Int])?.first == 53003)
      #expect((blocked.object["error_description"] as? String)?.hasPrefix("AADSTS53003") == true)
    }
  }

  @Test func authorizationCodeWithPKCERedirectsToTheLoopbackAndRefreshTokensRotate() async throws {
    try await Emulator.run(options: Self.options()) { emulator in
      let verifier = "a-verifier-long-enough-for-pkce-0123456789-abcdefghijklmnop"
      let challenge = TestCertificate.base64URL(Data(SHA256.hash(data: Data(verifier.utf8))))
      let redirect = "http://localhost:53123/"
      func authorize() async throws -> String {
        let query = [
          ("client_id", TestTenant.plainClientId), ("response_type", "code"),
          ("redirect_uri", redirect), ("scope", Self.scope), ("state", "xyz"),
          ("code_challenge", challenge), ("code_challenge_method", "S256"),
        ].map { "\($0.0)=\(q($0.1))" }.joined(separator: "&")
        let reply = try await emulator.call(
          "GET", "/\(TestTenant.tenantId)/oauth2/v2.0/authorize?\(query)", token: nil)
        #expect(reply.status == 302)
        let location = try #require(reply.headers["location"])
        #expect(location.hasPrefix(redirect))
        let items = URLComponents(string: location)?.queryItems ?? []
        #expect(items.first { $0.name == "state" }?.value == "xyz")
        return try #require(items.first { $0.name == "code" }?.value)
      }
      func redeem(_ code: String, _ verifier: String) async throws -> HTTPReply {
        try await emulator.tokenRequest([
          ("client_id", TestTenant.plainClientId), ("grant_type", "authorization_code"),
          ("code", code), ("redirect_uri", redirect), ("code_verifier", verifier),
          ("scope", Self.scope),
        ])
      }
      let wrong = try await redeem(try await authorize(), "not-the-verifier")
      #expect(wrong.status == 400 && wrong.object["error"] as? String == "invalid_grant")
      let granted = try await redeem(try await authorize(), verifier)
      #expect(granted.status == 200, "\(granted.text)")
      let refresh = try #require(granted.object["refresh_token"] as? String)
      let renewed = try await emulator.tokenRequest([
        ("client_id", TestTenant.plainClientId), ("grant_type", "refresh_token"),
        ("refresh_token", refresh), ("scope", Self.scope),
      ])
      #expect(renewed.status == 200)
      let token = try #require(renewed.object["access_token"] as? String)
      #expect(
        try await emulator.call("GET", "/v1.0/directory/onPremisesSynchronization", token: token)
          .status == 200)
      let reused = try await emulator.tokenRequest([
        ("client_id", TestTenant.plainClientId), ("grant_type", "refresh_token"),
        ("refresh_token", refresh),
      ])
      #expect(reused.status == 400 && reused.object["error"] as? String == "invalid_grant")
    }
  }
}
