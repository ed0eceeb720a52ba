import Foundation

extension GraphService {
  /// The identity platform's endpoints under `/{tenant}/…`: OpenID discovery (v2.0 and v1),
  /// JWKS, the token endpoint and the delegated sign-in endpoints; nil for any other path.
  func identityEndpoint(_ request: EmulatorHTTPRequest, _ segments: [Substring]) -> GraphReply? {
    guard segments.count >= 2, segments[0] != "v1.0", segments[0] != "beta" else { return nil }
    let tenant = FormDecoding.decodeSegment(segments[0])
    let rest = segments.dropFirst().map(String.init)
    switch rest {
    case ["v2.0", ".well-known", "openid-configuration"]:
      return discovery(tenant: tenant, version2: true)
    case [".well-known", "openid-configuration"]:
      return discovery(tenant: tenant, version2: false)
    case ["discovery", "v2.0", "keys"], ["discovery", "keys"]:
      return GraphReply(
        status: 200, headers: ["Content-Type": "application/json; charset=utf-8"],
        body: signer.jwks())
    case ["oauth2", "v2.0", "token"]:
      return tokenEndpoint(request, tenant: tenant, version2: true)
    case ["oauth2", "token"]:
      return tokenEndpoint(request, tenant: tenant, version2: false)
    case ["oauth2", "v2.0", "devicecode"]:
      return deviceCodeEndpoint(request, tenant: tenant)
    case ["oauth2", "v2.0", "authorize"]:
      return authorizeEndpoint(request, tenant: tenant)
    default:
      return nil
    }
  }

  /// The tenant id a path's `{tenant}` names (its id or one of its domains), or nil.
  func resolveTenant(_ tenant: String) -> String? {
    let wanted = tenant.lowercased()
    if wanted == state.tenantId || state.domains.contains(where: { $0.string("id") == wanted }) {
      return state.tenantId
    }
    return nil
  }

  /// The issuer of the emulator's tokens for this tenant, as its discovery document names it.
  var issuer: String { "\(baseURL)/\(state.tenantId)/v2.0" }

  private func discovery(tenant: String, version2: Bool) -> GraphReply {
    guard let tenantId = resolveTenant(tenant) else {
      return tokenError(
        TokenFailure(
          status: 400, error: "invalid_tenant", code: 90002,
          description:
            "Tenant '\(tenant)' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
        ))
    }
    let root = "\(baseURL)/\(tenantId)"
    let oauth = version2 ? "\(root)/oauth2/v2.0" : "\(root)/oauth2"
    let host = baseURL.split(separator: "/").last.map(String.init) ?? ""
    var document: JSONObject = [
      "token_endpoint": .string("\(oauth)/token"),
      "token_endpoint_auth_methods_supported": JSONCoding.strings([
        "client_secret_post", "private_key_jwt", "client_secret_basic",
      ]),
      "jwks_uri": .string(version2 ? "\(root)/discovery/v2.0/keys" : "\(root)/discovery/keys"),
      "response_modes_supported": JSONCoding.strings(["query", "fragment", "form_post"]),
      "subject_types_supported": JSONCoding.strings(["pairwise"]),
      "id_token_signing_alg_values_supported": JSONCoding.strings(["RS256"]),
      "response_types_supported": JSONCoding.strings([
        "code", "id_token", "code id_token", "id_token token",
      ]),
      "scopes_supported": JSONCoding.strings(["openid", "profile", "email", "offline_access"]),
      "issuer": .string(version2 ? issuer : "\(baseURL)/\(tenantId)/"),
      "request_uri_parameter_supported": .bool(false),
      "authorization_endpoint": .string("\(oauth)/authorize"),
      "end_session_endpoint": .string("\(oauth)/logout"),
      "http_logout_supported": .bool(true), "frontchannel_logout_supported": .bool(true),
      "claims_supported": JSONCoding.strings([
        "sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username",
        "name", "tid", "ver", "at_hash", "c_hash", "email",
      ]),
      "tenant_region_scope": .string("EU"),
      "cloud_instance_name": .string(host),
      "cloud_graph_host_name": .string(host),
      "msgraph_host": .string(host),
    ]
    if version2 {
      document["device_authorization_endpoint"] = .string("\(oauth)/devicecode")
    }
    return GraphReply(
      status: 200, headers: ["Content-Type": "application/json; charset=utf-8"],
      body: .object(document))
  }
}
