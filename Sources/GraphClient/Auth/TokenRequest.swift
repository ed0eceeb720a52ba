import Foundation

/// The client-credentials token request (graph-facts §8): form-encoded, every value URL-encoded.
public enum TokenRequest {
  public static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

  /// The form body. For a certificate the assertion is signed at `now` for `endpoints.tokenURL`.
  /// The returned bytes contain the secret/assertion: hand them to the transport, nothing else.
  public static func body(
    clientID: String, endpoints: GraphEndpoints, credential: ClientCredential, now: Date = Date()
  ) throws(GraphError) -> Secret {
    var fields: [(String, String)] = [("client_id", clientID), ("scope", endpoints.scope)]
    switch credential {
    case .secret(let secret):
      secret.withValue { fields.append(("client_secret", $0)) }
    case .certificate(let certificate):
      let assertion = try ClientAssertion.make(
        certificate: certificate, clientID: clientID, audience: endpoints.tokenURL, now: now)
      fields.append(("client_assertion_type", assertionType))
      fields.append(("client_assertion", assertion))
    }
    fields.append(("grant_type", "client_credentials"))
    return Secret(
      fields.map { "\($0.0)=\(OData.encodeFormValue($0.1))" }.joined(separator: "&"))
  }
}
