import Crypto
import Foundation

/// A device code handed out and not yet redeemed.
struct DeviceCodeGrant: Sendable {
  let clientId: String
  let userCode: String
  let scopes: [String]
  let expires: ContinuousClock.Instant
  var lastPoll: ContinuousClock.Instant?
  var polls = 0
  /// The user who approved it (object id), once approved.
  var approvedUser: String?
}

/// An authorization code from `/authorize`, redeemable once with its PKCE verifier.
struct AuthorizationCodeGrant: Sendable {
  let clientId: String
  let userId: String
  let scopes: [String]
  let redirectURI: String
  let challenge: String?
  let challengeMethod: String
  let expires: ContinuousClock.Instant
}

struct RefreshGrant: Sendable {
  let clientId: String
  let userId: String
  let scopes: [String]
}

extension GraphService {
  static let delegatedGrants: Set<String> = [
    "urn:ietf:params:oauth:grant-type:device_code", "authorization_code", "refresh_token",
  ]

  /// OpenID Connect scopes: they shape the answer, never the access token's `scp`.
  static let openIDScopes: Set<String> = ["openid", "profile", "offline_access", "email"]

  /// `POST /{tenant}/oauth2/v2.0/devicecode`: a device code for a registered client.
  func deviceCodeEndpoint(_ request: EmulatorHTTPRequest, tenant: String) -> GraphReply {
    let form = FormDecoding.dictionary(String(decoding: request.body, as: UTF8.self))
    guard resolveTenant(tenant) != nil else {
      return tokenError(
        TokenFailure(
          status: 400, error: "invalid_request", code: 90002,
          description: "Tenant '\(tenant)' not found."))
    }
    let clientId = form["client_id"]?.lowercased() ?? ""
    guard state.applications.contains(where: { $0.clientId == clientId }) else {
      return tokenError(
        TokenFailure(
          status: 400, error: "unauthorized_client", code: 700016,
          description:
            "Application with identifier '\(clientId)' was not found in the directory '\(state.tenantId)'."
        ))
    }
    let deviceCode = randomToken()
    let letters = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    var generator = SystemRandomNumberGenerator()
    let userCode = String((0..<9).map { _ in letters.randomElement(using: &generator)! })
    deviceCodes[deviceCode] = DeviceCodeGrant(
      clientId: clientId, userCode: userCode, scopes: Self.scopes(form["scope"]),
      expires: .now + options.deviceCodeLifetime)
    let interval = max(
      1,
      Int(
        (Double(options.deviceCodeInterval.components.seconds)
          + Double(options.deviceCodeInterval.components.attoseconds) * 1e-18).rounded(.up)))
    let verification = "\(baseURL)/devicelogin"
    return GraphReply(
      status: 200, headers: ["Content-Type": "application/json; charset=utf-8"],
      body: .object([
        "device_code": .string(deviceCode), "user_code": .string(userCode),
        "verification_uri": .string(verification),
        "expires_in": .number(Double(options.deviceCodeLifetime.components.seconds)),
        "interval": .number(Double(interval)),
        "message": .string(
          "To sign in, use a web browser to open the page \(verification) and enter the code \(userCode) to authenticate."
        ),
      ]))
  }

  /// `GET /{tenant}/oauth2/v2.0/authorize` (code flow with PKCE): with an auto-approved user,
  /// redirects to the loopback `redirect_uri` with `code` and `state`.
  func authorizeEndpoint(_ request: EmulatorHTTPRequest, tenant: String) -> GraphReply {
    let query = FormDecoding.dictionary(request.rawQuery)
    func failure(_ error: String, _ code: Int, _ description: String) -> GraphReply {
      tokenError(TokenFailure(status: 400, error: error, code: code, description: description))
    }
    guard resolveTenant(tenant) != nil else {
      return failure("invalid_request", 90002, "Tenant '\(tenant)' not found.")
    }
    let clientId = query["client_id"]?.lowercased() ?? ""
    guard state.applications.contains(where: { $0.clientId == clientId }) else {
      return failure(
        "unauthorized_client", 700016, "Application with identifier '\(clientId)' was not found.")
    }
    guard query["response_type"] == "code" else {
      return failure(
        "unsupported_response_type", 700054, "response_type 'code' is the only one served.")
    }
    guard let redirect = query["redirect_uri"], let components = URLComponents(string: redirect),
      components.scheme == "http",
      ["localhost", "127.0.0.1", "[::1]", "::1"].contains(components.host ?? "")
    else {
      return failure(
        "invalid_request", 50011,
        "The redirect URI '\(query["redirect_uri"] ?? "")' specified in the request does not match the redirect URIs configured for the application: only loopback http URIs are registered."
      )
    }
    if query["code_challenge"] == nil {
      return failure(
        "invalid_request", 9_002_325,
        "Proof Key for Code Exchange is required for cross-origin authorization code redemption.")
    }
    guard let userKey = options.autoApproveUser, let index = userIndex(userKey),
      let userId = state.users[index].string("id")
    else {
      return failure(
        "interaction_required", 50058,
        "A silent sign-in request was sent but no user is signed in: start the emulator with an auto-approved user."
      )
    }
    let code = randomToken()
    authorizationCodes[code] = AuthorizationCodeGrant(
      clientId: clientId, userId: userId, scopes: Self.scopes(query["scope"]),
      redirectURI: redirect, challenge: query["code_challenge"],
      challengeMethod: query["code_challenge_method"] ?? "plain", expires: .now + .seconds(600))
    var location = components
    var items = location.queryItems ?? []
    items.append(URLQueryItem(name: "code", value: code))
    if let state = query["state"] { items.append(URLQueryItem(name: "state", value: state)) }
    location.queryItems = items
    return GraphReply(status: 302, headers: ["Location": location.string ?? redirect])
  }

  /// The delegated grants of the token endpoint.
  func delegatedToken(_ form: [String: String], clientId: String, tenant: String) throws
    -> GraphReply
  {
    func invalidGrant(_ code: Int, _ description: String) -> TokenFailure {
      TokenFailure(status: 400, error: "invalid_grant", code: code, description: description)
    }
    switch form["grant_type"] {
    case "urn:ietf:params:oauth:grant-type:device_code":
      let key = form["device_code"] ?? form["code"] ?? ""
      guard var grant = deviceCodes[key], grant.clientId == clientId else {
        throw invalidGrant(
          70000, "The provided value for the input parameter 'device_code' is not valid.")
      }
      let now = ContinuousClock.now
      guard grant.expires > now else {
        deviceCodes[key] = nil
        throw TokenFailure(
          status: 400, error: "expired_token", code: 70020,
          description:
            "The provided value for the input parameter 'device_code' is not valid. This device code has expired."
        )
      }
      if state.capabilities.bool("conditionalAccessBlocksDeviceCode") == true {
        deviceCodes[key] = nil
        throw invalidGrant(
          53003,
          "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance."
        )
      }
      if let last = grant.lastPoll, now - last < options.deviceCodeInterval {
        grant.lastPoll = now
        deviceCodes[key] = grant
        throw TokenFailure(
          status: 400, error: "slow_down", code: 70016,
          description: "The client is polling too fast. Wait for the interval before polling again."
        )
      }
      grant.lastPoll = now
      grant.polls += 1
      if grant.approvedUser == nil, let userKey = options.autoApproveUser,
        grant.polls > options.deviceCodeApprovalPolls, let index = userIndex(userKey)
      {
        grant.approvedUser = state.users[index].string("id")
      }
      guard let userId = grant.approvedUser else {
        deviceCodes[key] = grant
        throw TokenFailure(
          status: 400, error: "authorization_pending", code: 70016,
          description: "OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
      }
      deviceCodes[key] = nil
      return delegatedTokenReply(clientId: clientId, userId: userId, scopes: grant.scopes)
    case "authorization_code":
      let code = form["code"] ?? ""
      guard let grant = authorizationCodes.removeValue(forKey: code), grant.clientId == clientId,
        grant.expires > .now
      else {
        throw invalidGrant(
          70008, "The provided authorization code or refresh token has expired or is invalid.")
      }
      guard form["redirect_uri"] == grant.redirectURI else {
        throw invalidGrant(
          50011,
          "The reply URL specified in the request does not match the reply URL of the authorization request."
        )
      }
      if let challenge = grant.challenge {
        let verifier = form["code_verifier"] ?? ""
        let computed =
          grant.challengeMethod == "S256"
          ? Base64URL.encode(Data(SHA256.hash(data: Data(verifier.utf8)))) : verifier
        guard computed == challenge else {
          throw invalidGrant(
            501_481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request."
          )
        }
      }
      return delegatedTokenReply(clientId: clientId, userId: grant.userId, scopes: grant.scopes)
    default:
      let value = form["refresh_token"] ?? ""
      guard let grant = refreshTokens.removeValue(forKey: value), grant.clientId == clientId,
        userIndex(grant.userId) != nil
      else {
        throw invalidGrant(
          70008, "The provided authorization code or refresh token has expired or is invalid.")
      }
      let requested = Self.scopes(form["scope"])
      return delegatedTokenReply(
        clientId: clientId, userId: grant.userId,
        scopes: requested.isEmpty ? grant.scopes : requested)
    }
  }

  /// Graph scopes named in a request (`https://graph.microsoft.com/X` or `X`), OpenID scopes
  /// kept as they are; `.default` stands for the application's granted permissions.
  static func scopes(_ text: String?) -> [String] {
    (text ?? "").split(separator: " ").map { item in
      var scope = String(item)
      for prefix in ["https://graph.microsoft.com/", "https://graph.microsoft.com//"]
      where scope.hasPrefix(prefix) {
        scope = String(scope.dropFirst(prefix.count))
      }
      return scope
    }
  }

  private func delegatedTokenReply(clientId: String, userId: String, scopes: [String])
    -> GraphReply
  {
    let app = state.applications.first { $0.clientId == clientId }
    var graphScopes = scopes.filter { !Self.openIDScopes.contains($0) }
    if graphScopes.isEmpty || graphScopes.contains(".default") {
      graphScopes = app?.grantedRoles ?? []
    }
    let claims = AccessTokenClaims(
      tenantId: state.tenantId, clientId: clientId, roles: [], scopes: graphScopes,
      userId: userId, expires: Date() + Double(options.tokenLifetime.components.seconds) + 1,
      tokenId: randomToken())
    let refresh = randomToken()
    refreshTokens[refresh] = RefreshGrant(clientId: clientId, userId: userId, scopes: scopes)
    let user = user(withId: userId)
    let clientInfo: JSONValue = .object([
      "uid": .string(userId), "utid": .string(state.tenantId),
    ])
    let idToken = signer.idToken(
      audience: clientId, issuer: issuer, tenantId: state.tenantId, userId: userId,
      username: user?.string("userPrincipalName") ?? "", name: user?.string("displayName"))
    let body = accessTokenBody(
      claims,
      extra: [
        "scope": .string(
          graphScopes.map { "https://graph.microsoft.com/\($0)" }.joined(
            separator: " ")),
        "refresh_token": .string(refresh), "id_token": .string(idToken),
        "client_info": .string(Base64URL.encode(JSONCoding.encode(clientInfo))),
      ])
    return GraphReply(
      status: 200, headers: ["Content-Type": "application/json; charset=utf-8"], body: body)
  }

  /// `POST /_emulator/approve {"userCode", "user"}`: the user signs in and approves a device
  /// code, as they would on the verification page.
  func approveDeviceCode(_ body: Data) -> Bool {
    guard let object = (try? JSONCoding.decode(body))?.objectValue,
      let userCode = object.string("userCode"), let userKey = object.string("user"),
      let index = userIndex(userKey), let userId = state.users[index].string("id"),
      let key = deviceCodes.first(where: { $0.value.userCode == userCode })?.key
    else { return false }
    deviceCodes[key]?.approvedUser = userId
    return true
  }
}
