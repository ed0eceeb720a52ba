import Foundation
import _CryptoExtras

/// The signed JWT a certificate credential sends as `client_assertion` (graph-facts §8, [CERT]).
/// Pure: time and `jti` are parameters so tests can check every byte.
public enum ClientAssertion {
  /// Assertions live this long; Entra accepts any `exp`, the docs suggest 5–10 minutes.
  public static let lifetime: TimeInterval = 600

  struct Header: Codable, Equatable {
    var alg: String
    var typ: String
    var x5t: String?
    var x5tS256: String?

    enum CodingKeys: String, CodingKey {
      case alg, typ, x5t
      case x5tS256 = "x5t#S256"
    }
  }

  struct Claims: Codable, Equatable {
    var aud: String
    var iss: String
    var sub: String
    var jti: String
    var nbf: Int
    var iat: Int
    var exp: Int
  }

  /// `audience` is the token endpoint URL (`{authority}/{tenant}/oauth2/v2.0/token`).
  public static func make(
    certificate: ClientCertificate, clientID: String, audience: String, now: Date,
    jti: UUID = UUID()
  ) throws(GraphError) -> String {
    let header: Header =
      switch certificate.algorithm {
      case .rs256: Header(alg: "RS256", typ: "JWT", x5t: certificate.sha1Thumbprint)
      case .ps256: Header(alg: "PS256", typ: "JWT", x5tS256: certificate.sha256Thumbprint)
      }
    let issued = Int(now.timeIntervalSince1970)
    let claims = Claims(
      aud: audience, iss: clientID, sub: clientID, jti: jti.uuidString.lowercased(),
      nbf: issued, iat: issued, exp: issued + Int(lifetime))
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let signingInput: String
    do {
      signingInput =
        Base64URL.encode(try encoder.encode(header)) + "."
        + Base64URL.encode(try encoder.encode(claims))
    } catch {
      throw GraphError(kind: .authentication, message: "could not encode the client assertion")
    }
    let padding: _RSA.Signing.Padding =
      switch certificate.algorithm {
      case .rs256: .insecurePKCS1v1_5
      case .ps256: .PSS
      }
    do {
      let signature = try certificate.privateKey.signature(
        for: Data(signingInput.utf8), padding: padding)
      return signingInput + "." + Base64URL.encode(signature.rawRepresentation)
    } catch {
      throw GraphError(kind: .authentication, message: "signing the client assertion failed")
    }
  }
}
