import Crypto
import Foundation
import Testing
import _CryptoExtras

@testable import GraphClient

@Suite("Client assertion JWT")
struct ClientAssertionTests {
  static let clientID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
  static let audience =
    "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"

  struct Decoded {
    var header: [String: Any]
    var claims: [String: Any]
    var signingInput: Data
    var signature: [UInt8]
  }

  func decode(_ jwt: String) throws -> Decoded {
    let parts = jwt.split(separator: ".").map(String.init)
    try #require(parts.count == 3)
    let header = try #require(Base64URL.decode(parts[0]))
    let claims = try #require(Base64URL.decode(parts[1]))
    return Decoded(
      header: try #require(try JSONSerialization.jsonObject(with: Data(header)) as? [String: Any]),
      claims: try #require(try JSONSerialization.jsonObject(with: Data(claims)) as? [String: Any]),
      signingInput: Data((parts[0] + "." + parts[1]).utf8),
      signature: try #require(Base64URL.decode(parts[2])))
  }

  @Test(
    "header, claims and signature for both algorithms",
    arguments: TenantConfiguration.AssertionAlgorithm.allCases)
  func assertion(algorithm: TenantConfiguration.AssertionAlgorithm) throws {
    let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
    let der: [UInt8] = Array("pretend certificate DER".utf8)
    let certificate = ClientCertificate(certificateDER: der, privateKey: key, algorithm: algorithm)
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let jti = UUID(uuidString: "0D7A4F5E-1111-4222-8333-444455556666")!
    let jwt = try ClientAssertion.make(
      certificate: certificate, clientID: Self.clientID, audience: Self.audience, now: now, jti: jti
    )
    let decoded = try decode(jwt)

    #expect(decoded.header["typ"] as? String == "JWT")
    #expect(decoded.header["alg"] as? String == algorithm.rawValue)
    let sha1 = Base64URL.encode(Array(Insecure.SHA1.hash(data: der)))
    let sha256 = Base64URL.encode(Array(SHA256.hash(data: der)))
    switch algorithm {
    case .rs256:
      #expect(decoded.header["x5t"] as? String == sha1)
      #expect(decoded.header["x5t#S256"] == nil)
    case .ps256:
      #expect(decoded.header["x5t#S256"] as? String == sha256)
      #expect(decoded.header["x5t"] == nil)
    }
    #expect(decoded.claims["aud"] as? String == Self.audience)
    #expect(decoded.claims["iss"] as? String == Self.clientID)
    #expect(decoded.claims["sub"] as? String == Self.clientID)
    #expect(decoded.claims["jti"] as? String == "0d7a4f5e-1111-4222-8333-444455556666")
    #expect(decoded.claims["nbf"] as? Int == 1_800_000_000)
    #expect(decoded.claims["iat"] as? Int == 1_800_000_000)
    #expect(decoded.claims["exp"] as? Int == 1_800_000_600)

    let signature = _RSA.Signing.RSASignature(rawRepresentation: decoded.signature)
    let padding: _RSA.Signing.Padding = algorithm == .rs256 ? .insecurePKCS1v1_5 : .PSS
    let wrongPadding: _RSA.Signing.Padding = algorithm == .rs256 ? .PSS : .insecurePKCS1v1_5
    #expect(key.publicKey.isValidSignature(signature, for: decoded.signingInput, padding: padding))
    #expect(
      !key.publicKey.isValidSignature(signature, for: decoded.signingInput, padding: wrongPadding))
    #expect(
      !key.publicKey.isValidSignature(signature, for: Data("tampered".utf8), padding: padding))
  }

  @Test("thumbprints match the documented example shape (hex 84E05C1D… → hOBcHZi8…)")
  func thumbprintEncoding() {
    // graph-facts §8: SHA-1 thumbprint hex 84E05C1D98BCE3A5421D225B140B36E86A3D5534
    // is sent as x5t hOBcHZi846VCHSJbFAs26Go9VTQ.
    let hex = "84E05C1D98BCE3A5421D225B140B36E86A3D5534"
    var bytes: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
      let next = hex.index(index, offsetBy: 2)
      bytes.append(UInt8(hex[index..<next], radix: 16)!)
      index = next
    }
    #expect(Base64URL.encode(bytes) == "hOBcHZi846VCHSJbFAs26Go9VTQ")
  }

  @Test("PEM blocks yield their DER; junk yields nil")
  func pem() {
    let pem = "junk\n-----BEGIN CERTIFICATE-----\nAAEC\nAwQ=\n-----END CERTIFICATE-----\n"
    #expect(PEM.firstBlock(labelled: "CERTIFICATE", in: pem) == [0, 1, 2, 3, 4])
    #expect(PEM.firstBlock(labelled: "CERTIFICATE", in: "no pem here") == nil)
  }
}
