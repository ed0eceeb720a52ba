import Foundation

/// Removes credentials from text built from what a server sent: by the values the request
/// carried (as sent, form-encoded, and decoded) and by key pattern (`client_secret=…`,
/// `client_assertion=…`, `access_token`, `Bearer …`), so an endpoint that echoes a request can't
/// put a secret into an error line.
public enum SecretScrubber {
  static let redacted = "<redacted>"
  /// Form keys whose values are credentials.
  static let secretKeys = ["client_secret", "client_assertion", "access_token", "refresh_token"]

  /// `text` without the secret values of the form-encoded `requestBody`, nor anything that looks
  /// like a credential by its key.
  public static func scrub(_ text: String, requestBody: Secret) -> String {
    var values: [String] = []
    requestBody.withValue { body in
      for pair in body.split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, secretKeys.contains(String(parts[0])) else { continue }
        let encoded = String(parts[1])
        values.append(encoded)
        if let decoded = encoded.replacingOccurrences(of: "+", with: " ").removingPercentEncoding {
          values.append(decoded)
        }
      }
    }
    return scrub(text, values: values)
  }

  /// `text` without `values` (longest first, values shorter than 4 characters ignored) nor
  /// anything that looks like a credential by its key.
  public static func scrub(_ text: String, values: [String]) -> String {
    var text = text
    for value in Set(values).filter({ $0.count >= 4 }).sorted(by: { $0.count > $1.count }) {
      text = text.replacingOccurrences(of: value, with: redacted)
    }
    for key in secretKeys {
      text = text.replacingOccurrences(
        of: "(\(key)\"?\\s*[=:]\\s*\"?)[^&\\s\"',;]+", with: "$1" + redacted,
        options: [.regularExpression, .caseInsensitive])
    }
    return text.replacingOccurrences(
      of: "(Bearer\\s+)[A-Za-z0-9._~+/=-]+", with: "$1" + redacted,
      options: [.regularExpression, .caseInsensitive])
  }
}
