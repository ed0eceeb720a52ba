import Crypto
import Foundation
import _CryptoExtras

/// An OAuth error of the token endpoint (`{"error","error_description","error_codes",…}`).
struct TokenFailure: Error {
  let status: Int
  let error: String
  let code: Int
  let description: String
}

extension GraphService {
  /// `POST /{tenant}/oauth2/v2.0/token` (and the v1 `/oauth2/token`, which names the resource
  /// instead of a scope): client credentials with a secret or a signed client assertion, and
  /// the delegated grants (device code, authorization code, refresh token).
  func tokenEndpoint(_ request: EmulatorHTTPRequest, tenant: String, version2: Bool) -> GraphReply {
    do {
      return try issueToken(request, tenant: tenant, version2: version2)
    } catch let failure as TokenFailure {
      return tokenError(failure)
    } catch {
      return GraphReply(status: 500, body: .object(["error": .string("server_error")]))
    }
  }

  /// The identity platform's error body (`{"error","error_description","error_codes",…}`).
  func tokenError(_ failure: TokenFailure) -> GraphReply {
    let traceId = newId()
    let body: JSONObject = [
      "error": .string(failure.error),
      "error_description": .string(
        "AADSTS\(failure.code): \(failure.description) Trace ID: \(traceId) Correlation ID: \(newId()) Timestamp: \(GraphClock.isoSeconds(Date()))Z"
      ),
      "error_codes": .array([.number(Double(failure.code))]),
      "timestamp": .string(GraphClock.isoSeconds(Date()) + "Z"),
      "trace_id": .string(traceId),
      "correlation_id": .string(newId()),
      "error_uri": .string("\(baseURL)/error?code=\(failure.code)"),
    ]
    return GraphReply(
      status: failure.status, headers: ["Content-Type": "application/json; charset=utf-8"],
      body: .object(body))
  }

  private func issueToken(_ request: EmulatorHTTPRequest, tenant: String, version2: Bool) throws
    -> GraphReply
  {
    guard request.method.uppercased() == "POST" else {
      throw TokenFailure(
        status: 405, error: "invalid_request", code: 900561,
        description: "The endpoint only accepts POST requests.")
    }
    guard resolveTenant(tenant) != nil else {
      throw TokenFailure(
        status: 400, error: "invalid_request", code: 90002,
        description:
          "Tenant '\(tenant)' not found. Check to make sure you have the correct tenant ID.")
    }
    var form = FormDecoding.dictionary(String(decoding: request.body, as: UTF8.self))
    if !version2, form["scope"] == nil, let resource = form["resource"] {
      form["scope"] = resource.hasSuffix("/") ? resource + ".default" : resource + "/.default"
    }
    var clientId = form["client_id"]
    var secret = form["client_secret"]
    // HTTP Basic client authentication is accepted too.
    if let authorization = request.headers["authorization"],
      authorization.lowercased().hasPrefix("basic "),
      let decoded = Data(base64Encoded: String(authorization.dropFirst(6))),
      let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
    {
      clientId = FormDecoding.decode(String(text[..<colon]))
      secret = FormDecoding.decode(String(text[text.index(after: colon)...]))
    }
    if let grant = form["grant_type"], Self.delegatedGrants.contains(grant) {
      return try delegatedToken(form, clientId: clientId?.lowercased() ?? "", tenant: tenant)
    }
    guard form["grant_type"] == "client_credentials" else {
      throw TokenFailure(
        status: 400, error: "unsupported_grant_type", code: 70003,
        description: "The app requested an unsupported grant type '\(form["grant_type"] ?? "")'.")
    }
    guard let scope = form["scope"], !scope.isEmpty else {
      throw TokenFailure(
        status: 400, error: "invalid_request", code: 900144,
        description: "The request body must contain the following parameter: 'scope'.")
    }
    guard scope.hasSuffix("/.default"), !scope.contains(" ") else {
      throw TokenFailure(
        status: 400, error: "invalid_scope", code: 1_002_012,
        description:
          "The provided value for scope \(scope) is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
      )
    }
    guard let clientId = clientId?.lowercased(), !clientId.isEmpty else {
      throw TokenFailure(
        status: 400, error: "invalid_request", code: 900144,
        description: "The request body must contain the following parameter: 'client_id'.")
    }
    guard let app = state.applications.first(where: { $0.clientId == clientId }) else {
      throw TokenFailure(
        status: 400, error: "unauthorized_client", code: 700016,
        description:
          "Application with identifier '\(clientId)' was not found in the directory '\(state.tenantId)'."
      )
    }
    if let assertion = form["client_assertion"] {
      guard
        form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
      else {
        throw TokenFailure(
          status: 400, error: "invalid_request", code: 50027,
          description:
            "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer."
        )
      }
      try verifyAssertion(assertion, app: app, tenant: tenant)
    } else if let secret {
      guard let expected = app.clientSecretSHA256,
        RegisteredApplication.hash(secret: secret) == expected
      else {
        throw TokenFailure(
          status: 401, error: "invalid_client", code: 7_000_215,
          description:
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '\(clientId)'."
        )
      }
    } else {
      throw TokenFailure(
        status: 400, error: "invalid_client", code: 7_000_218,
        description:
          "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."
      )
    }
    let claims = AccessTokenClaims(
      tenantId: state.tenantId, clientId: app.clientId, roles: app.grantedRoles, scopes: nil,
      userId: nil, expires: Date() + Double(options.tokenLifetime.components.seconds) + 1,
      tokenId: randomToken())
    return GraphReply(
      status: 200, headers: ["Content-Type": "application/json; charset=utf-8"],
      body: accessTokenBody(claims))
  }

  /// Records an access token and answers it as the token endpoint does.
  func accessTokenBody(_ claims: AccessTokenClaims, extra: JSONObject = [:]) -> JSONValue {
    tokens[claims.tokenId] = IssuedToken(claims: claims, expires: .now + options.tokenLifetime)
    let lifetime = options.tokenLifetime.components.seconds
    var body: JSONObject = [
      "token_type": .string("Bearer"), "expires_in": .number(Double(lifetime)),
      "ext_expires_in": .number(Double(lifetime)),
      "access_token": .string(signer.issue(claims, issuer: issuer)),
    ]
    for (key, value) in extra { body[key] = value }
    return .object(body)
  }

  /// Checks a client assertion: RS256 + `x5t` (SHA-1) or PS256 + `x5t#S256` (SHA-256) naming the
  /// registered certificate, a valid signature, `aud` = this token endpoint, `iss` = `sub` =
  /// client id, `exp` in the future and `nbf` not in the future.
  private func verifyAssertion(_ jwt: String, app: RegisteredApplication, tenant: String) throws {
    func invalid(_ code: Int, _ description: String, status: Int = 401) -> TokenFailure {
      TokenFailure(status: status, error: "invalid_client", code: code, description: description)
    }
    let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3,
      let headerData = Base64URL.decode(parts[0]), let payloadData = Base64URL.decode(parts[1]),
      let signature = Base64URL.decode(parts[2]),
      let header = (try? JSONCoding.decode(headerData))?.objectValue,
      let claims = (try? JSONCoding.decode(payloadData))?.objectValue
    else {
      throw TokenFailure(
        status: 400, error: "invalid_request", code: 50027,
        description: "JWT token is invalid or malformed.")
    }
    guard let certificate = app.certificate else {
      throw invalid(
        700027, "Client assertion failed signature validation: no certificate is registered.")
    }
    let algorithm = header.string("alg")
    let padding: _RSA.Signing.Padding
    switch algorithm {
    case "RS256": padding = .insecurePKCS1v1_5
    case "PS256": padding = .PSS
    default:
      throw invalid(
        5_002_738,
        "Invalid JWT token. '\(algorithm ?? "none")' is not a supported signature algorithm.")
    }
    // MSAL sends padded base64url thumbprints; compare the bytes, not the text.
    let sha1 = header.string("x5t").map { Base64URL.decode($0) }
    let sha256 = header.string("x5t#S256").map { Base64URL.decode($0) }
    guard sha1 != nil || sha256 != nil else {
      throw invalid(700027, "Client assertion contains no x5t or x5t#S256 header.")
    }
    if algorithm == "PS256" && sha256 == nil {
      throw invalid(700027, "A PS256 client assertion must carry x5t#S256.")
    }
    let matches =
      (sha1.map { $0 != nil && $0 == Base64URL.decode(certificate.sha1Thumbprint) } ?? true)
      && (sha256.map { $0 != nil && $0 == Base64URL.decode(certificate.sha256Thumbprint) } ?? true)
    guard matches else {
      throw invalid(
        700027,
        "The certificate with identifier used to sign the client assertion is not registered on application."
      )
    }
    let signedPart = Data("\(parts[0]).\(parts[1])".utf8)
    let valid = certificate.publicKey.isValidSignature(
      _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: signedPart),
      padding: padding)
    guard valid else { throw invalid(700027, "Client assertion failed signature validation.") }
    let audiences = [tenant, state.tenantId].flatMap {
      ["\(baseURL)/\($0)/oauth2/v2.0/token", "\(baseURL)/\($0)/oauth2/token"]
    }
    guard let audience = claims.string("aud"), audiences.contains(audience) else {
      throw invalid(700_212, "The audience of the client assertion is not this token endpoint.")
    }
    guard claims.string("iss")?.lowercased() == app.clientId,
      claims.string("sub")?.lowercased() == app.clientId
    else {
      throw invalid(
        700021, "Client assertion application identifier doesn't match 'client_id' parameter.")
    }
    let now = Date().timeIntervalSince1970
    guard case .number(let expiry) = claims["exp"] ?? .null, expiry > now else {
      throw invalid(700024, "Client assertion is not within its valid time range (exp).")
    }
    if let notBefore = claims["nbf"] {
      guard case .number(let value) = notBefore, value <= now else {
        throw invalid(700024, "Client assertion is not within its valid time range (nbf).")
      }
    }
  }

  // MARK: - Control endpoints (no auth: loopback tooling)

  func emulatorControl(_ request: EmulatorHTTPRequest, _ segments: [Substring])
    -> EmulatorHTTPResponse
  {
    func json(_ status: Int, _ body: Data) -> EmulatorHTTPResponse {
      EmulatorHTTPResponse(
        status: status, headers: [("Content-Type", "application/json")], body: body)
    }
    let method = request.method.uppercased()
    switch (method, segments.dropFirst().first) {
    case ("GET", "state"):
      return json(200, stateJSON())
    case ("PUT", "state"):
      do {
        try replaceState(request.body)
        return EmulatorHTTPResponse(status: 204, headers: [], body: Data())
      } catch {
        let body: JSONValue = .object([
          "error": .object([
            "code": .string("InvalidState"), "message": .string("\(error)"),
          ])
        ])
        return json(400, JSONCoding.encode(body))
      }
    case ("POST", "approve"):
      guard approveDeviceCode(request.body) else {
        let body: JSONValue = .object([
          "error": .object([
            "code": .string("NotFound"),
            "message": .string("No pending device code with that userCode, or no such user."),
          ])
        ])
        return json(404, JSONCoding.encode(body))
      }
      return EmulatorHTTPResponse(status: 204, headers: [], body: Data())
    case ("GET", "requests"):
      let encoder = JSONEncoder()
      encoder.dateEncodingStrategy = .iso8601
      encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
      return json(200, (try? encoder.encode(log)) ?? Data("[]".utf8))
    default:
      let body: JSONValue = .object([
        "error": .object([
          "code": .string("NotFound"),
          "message": .string(
            "Use GET/PUT /_emulator/state, GET /_emulator/requests or POST /_emulator/approve."),
        ])
      ])
      return json(404, JSONCoding.encode(body))
    }
  }
}
