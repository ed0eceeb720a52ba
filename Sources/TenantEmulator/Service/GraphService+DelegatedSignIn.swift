import Foundation

extension GraphService {
  static let delegatedGrants: Set<String> = [
    "urn:ietf:params:oauth:grant-type:device_code", "authorization_code", "refresh_token",
  ]

  func deviceCodeEndpoint(_ request: EmulatorHTTPRequest, tenant: String) -> GraphReply {
    tokenError(
      TokenFailure(
        status: 400, error: "unsupported_grant_type", code: 70003,
        description: "The device code flow is not served."))
  }

  func authorizeEndpoint(_ request: EmulatorHTTPRequest, tenant: String) -> GraphReply {
    tokenError(
      TokenFailure(
        status: 400, error: "unsupported_response_type", code: 70003,
        description: "The authorization code flow is not served."))
  }

  func delegatedToken(_ form: [String: String], clientId: String, tenant: String) throws
    -> GraphReply
  {
    throw TokenFailure(
      status: 400, error: "unsupported_grant_type", code: 70003,
      description: "The app requested an unsupported grant type '\(form["grant_type"] ?? "")'.")
  }
}
