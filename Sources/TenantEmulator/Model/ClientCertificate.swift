import Crypto
import Foundation
import _CryptoExtras

/// A registered application certificate: the PEM as given, its thumbprints (as JWT `x5t` /
/// `x5t#S256` carry them) and its RSA public key.
struct ClientCertificate: Sendable {
  let pem: String
  let sha1Thumbprint: String  // base64url SHA-1 of the DER, as `x5t`
  let sha256Thumbprint: String  // base64url SHA-256 of the DER, as `x5t#S256`
  let publicKey: _RSA.Signing.PublicKey

  enum Problem: Error, CustomStringConvertible {
    case notPEM
    case notCertificate(String)
    case notRSA(String)
    var description: String {
      switch self {
      case .notPEM: return "no BEGIN CERTIFICATE block"
      case .notCertificate(let why): return "not an X.509 certificate (\(why))"
      case .notRSA(let why): return "the certificate's key is not a usable RSA key (\(why))"
      }
    }
  }

  init(pem: String) throws {
    guard
      let begin = pem.range(of: "-----BEGIN CERTIFICATE-----"),
      let end = pem.range(of: "-----END CERTIFICATE-----", range: begin.upperBound..<pem.endIndex)
    else { throw Problem.notPEM }
    let base64 = pem[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
    guard let der = Data(base64Encoded: String(base64)) else {
      throw Problem.notCertificate("bad base64")
    }
    let spki = try Self.subjectPublicKeyInfo(of: [UInt8](der))
    do {
      publicKey = try _RSA.Signing.PublicKey(derRepresentation: spki)
    } catch {
      throw Problem.notRSA("\(error)")
    }
    self.pem = pem
    sha1Thumbprint = Base64URL.encode(Data(Insecure.SHA1.hash(data: der)))
    sha256Thumbprint = Base64URL.encode(Data(SHA256.hash(data: der)))
  }

  /// Walks Certificate → tbsCertificate → the 7th field (subjectPublicKeyInfo), skipping the
  /// optional `[0] version`. Enough DER for X.509 v1/v3; everything else is left unparsed.
  private static func subjectPublicKeyInfo(of der: [UInt8]) throws -> [UInt8] {
    var reader = DERReader(bytes: der[...])
    let certificate = try reader.element(expectingTag: 0x30)
    var certReader = DERReader(bytes: certificate.contents)
    let tbs = try certReader.element(expectingTag: 0x30)
    var fields = DERReader(bytes: tbs.contents)
    var first = try fields.element(expectingTag: nil)
    if first.tag == 0xA0 { first = try fields.element(expectingTag: 0x02) }  // serialNumber
    _ = try fields.element(expectingTag: 0x30)  // signature algorithm
    _ = try fields.element(expectingTag: 0x30)  // issuer
    _ = try fields.element(expectingTag: 0x30)  // validity
    _ = try fields.element(expectingTag: 0x30)  // subject
    let spki = try fields.element(expectingTag: 0x30)
    return Array(spki.whole)
  }
}
