import Crypto
import Foundation
import _CryptoExtras

/// The claims of an access token the emulator issued and later accepts back.
struct AccessTokenClaims: Sendable, Equatable {
  var tenantId: String
  var clientId: String
  /// Application permissions (`roles`), for app-only tokens.
  var roles: [String]
  /// Delegated scopes (`scp`, space-separated on the wire) and the signed-in user's object id.
  var scopes: [String]?
  var userId: String?
  var expires: Date
  var tokenId: String

  var isDelegated: Bool { userId != nil }
}

/// Signs access tokens as RS256 JWTs and checks them; the public half is served as JWKS.
/// One key per process: a 2048-bit RSA key takes long enough to make that worth sharing.
struct AccessTokenSigner: Sendable {
  static let shared = AccessTokenSigner()

  let key: _RSA.Signing.PrivateKey
  let keyId: String
  /// Graph's resource: the `aud` of every access token the emulator issues.
  static let audience = "https://graph.microsoft.com"

  init() {
    // Generating a 2048-bit key only fails when BoringSSL cannot allocate.
    key = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    keyId = Base64URL.encode(Data(SHA256.hash(data: key.publicKey.derRepresentation)).prefix(20))
  }

  /// `{"keys": [ {kty, use, kid, x5t, n, e, alg} ]}` as served at `discovery/v2.0/keys`.
  func jwks() -> JSONValue {
    let primitives = try? key.publicKey.getKeyPrimitives()
    return .object([
      "keys": .array([
        .object([
          "kty": .string("RSA"), "use": .string("sig"), "alg": .string("RS256"),
          "kid": .string(keyId),
          "n": .string(Base64URL.encode(primitives?.modulus ?? Data())),
          "e": .string(Base64URL.encode(primitives?.publicExponent ?? Data())),
        ])
      ])
    ])
  }

  func issue(_ claims: AccessTokenClaims, issuer: String, now: Date = Date()) -> String {
    let header: JSONValue = .object([
      "typ": .string("JWT"), "alg": .string("RS256"), "kid": .string(keyId),
    ])
    var body: JSONObject = [
      "aud": .string(Self.audience), "iss": .string(issuer),
      "iat": .number(now.timeIntervalSince1970.rounded(.down)),
      "nbf": .number(now.timeIntervalSince1970.rounded(.down)),
      "exp": .number(claims.expires.timeIntervalSince1970.rounded(.down)),
      "tid": .string(claims.tenantId), "appid": .string(claims.clientId),
      "azp": .string(claims.clientId), "uti": .string(claims.tokenId), "ver": .string("2.0"),
      "idtyp": .string(claims.isDelegated ? "user" : "app"),
    ]
    if let userId = claims.userId {
      body["oid"] = .string(userId)
      body["sub"] = .string(userId)
      body["scp"] = .string((claims.scopes ?? []).joined(separator: " "))
    } else {
      body["sub"] = .string(claims.clientId)
      body["roles"] = JSONCoding.strings(claims.roles)
    }
    let signingInput =
      Base64URL.encode(JSONCoding.encode(header)) + "."
      + Base64URL.encode(JSONCoding.encode(.object(body)))
    let signature = try? key.signature(
      for: SHA256.hash(data: Data(signingInput.utf8)), padding: .insecurePKCS1v1_5)
    return signingInput + "." + Base64URL.encode(signature?.rawRepresentation ?? Data())
  }

  /// An OpenID Connect ID token for a delegated sign-in (`aud` = the client).
  func idToken(
    audience: String, issuer: String, tenantId: String, userId: String, username: String,
    name: String?, now: Date = Date()
  ) -> String {
    let header: JSONValue = .object([
      "typ": .string("JWT"), "alg": .string("RS256"), "kid": .string(keyId),
    ])
    let time = now.timeIntervalSince1970.rounded(.down)
    let body: JSONValue = .object([
      "aud": .string(audience), "iss": .string(issuer), "iat": .number(time),
      "nbf": .number(time), "exp": .number(time + 3600), "tid": .string(tenantId),
      "oid": .string(userId), "sub": .string(userId), "preferred_username": .string(username),
      "name": name.map { .string($0) } ?? .null, "ver": .string("2.0"),
    ])
    let signingInput =
      Base64URL.encode(JSONCoding.encode(header)) + "." + Base64URL.encode(JSONCoding.encode(body))
    let signature = try? key.signature(
      for: SHA256.hash(data: Data(signingInput.utf8)), padding: .insecurePKCS1v1_5)
    return signingInput + "." + Base64URL.encode(signature?.rawRepresentation ?? Data())
  }

  /// Why a bearer token is refused; the text is Graph's 401 message.
  enum Rejection: Error, Equatable {
    case malformed, badSignature, wrongAudience, expired
  }

  /// The claims of a token this signer issued, or why it is not acceptable.
  func verify(_ token: String, now: Date = Date()) throws(Rejection) -> AccessTokenClaims {
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, let payload = Base64URL.decode(parts[1]),
      let signature = Base64URL.decode(parts[2]),
      let claims = (try? JSONCoding.decode(payload))?.objectValue
    else { throw .malformed }
    let signed = Data("\(parts[0]).\(parts[1])".utf8)
    guard
      key.publicKey.isValidSignature(
        _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: signed),
        padding: .insecurePKCS1v1_5)
    else { throw .badSignature }
    guard claims.string("aud") == Self.audience else { throw .wrongAudience }
    guard case .number(let expiry) = claims["exp"] ?? .null,
      let tenantId = claims.string("tid"), let clientId = claims.string("appid"),
      let tokenId = claims.string("uti")
    else { throw .malformed }
    guard expiry > now.timeIntervalSince1970 else { throw .expired }
    let userId = claims.string("oid")
    return AccessTokenClaims(
      tenantId: tenantId, clientId: clientId, roles: claims.strings("roles"),
      scopes: userId == nil
        ? nil : claims.string("scp")?.split(separator: " ").map(String.init) ?? [],
      userId: userId, expires: Date(timeIntervalSince1970: expiry), tokenId: tokenId)
  }
}
