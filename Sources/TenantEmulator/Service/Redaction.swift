import Foundation

/// Keeps secrets out of the request log.
enum Redaction {
  static let secretFormFields: Set<String> = ["client_secret", "client_assertion"]

  static func redactedBody(_ request: EmulatorHTTPRequest) -> String? {
    guard !request.body.isEmpty else { return nil }
    let text = String(decoding: request.body, as: UTF8.self)
    if request.headers["content-type"]?.contains("x-www-form-urlencoded") == true
      || request.path.hasSuffix("/oauth2/v2.0/token")
    {
      return text.split(separator: "&").map { pair -> String in
        let key = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
        return secretFormFields.contains(key) ? "\(key)=<redacted>" : String(pair)
      }.joined(separator: "&")
    }
    return text
  }
}
