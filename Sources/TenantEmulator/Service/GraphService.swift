import Foundation

/// The tenant: state, issued tokens, paging and delta cursors, quota, fault generator and the
/// request log. Every HTTP request is judged here, one at a time.
actor GraphService {
  /// An access token handed out, by its `uti`: the JWT's `exp` has whole seconds, this instant
  /// is exact.
  struct IssuedToken {
    let claims: AccessTokenClaims
    let expires: ContinuousClock.Instant
  }

  /// One call into the Graph surface (a top-level request or a `$batch` item).
  struct GraphCall {
    var method: String
    var segments: [String]
    var query: [String: String]
    var queryPairs: [(String, String)]
    var headers: [String: String]
    var body: Data
    var app: RegisteredApplication
    /// The verified access token the call came with.
    var token: AccessTokenClaims
    /// `v1.0`, or `beta` for the few paths served there too.
    var version = "v1.0"

    var advanced: Bool { headers["consistencylevel"]?.lowercased() == "eventual" }

    var isWrite: Bool { ["POST", "PATCH", "PUT", "DELETE"].contains(method) }

    /// The request body as an object of `type` (e.g. `microsoft.graph.user`), its instance
    /// annotations (`@odata.type` naming that type, `@odata.id`, …) removed as Graph ignores
    /// them; an `@odata.type` naming another type is refused. `keepReference` keeps
    /// `@odata.id`, the content of a `$ref` body.
    func jsonObject(type: String?, keepReference: Bool = false) throws -> JSONObject {
      guard let value = try? JSONCoding.decode(body), let object = value.objectValue else {
        throw GraphFailure.malformedJSON
      }
      return try InstanceAnnotations.strip(object, type: type, keepReference: keepReference)
    }
  }

  let baseURL: String
  let options: EmulatorOptions
  let signer = AccessTokenSigner.shared
  var state: TenantState {
    didSet { positions = nil }
  }
  /// id → index into state.users / state.groups; rebuilt lazily after any change to the state.
  var positions: (users: [String: Int], groups: [String: Int])?
  var tokens: [String: IssuedToken] = [:]
  var pageCursors: [String: PageCursor] = [:]
  var deltaTokens: [String: DeltaCursor] = [:]
  var deltaPages: [String: DeltaPage] = [:]
  /// Change tracking for delta: object id → version of its last change.
  var versions: [String: UInt64] = [:]
  var tombstones: [Tombstone] = []
  /// Soft-deleted Microsoft 365 groups (`/directory/deletedItems`): restorable for 30 days, and
  /// their addresses stay taken until they are purged.
  var deletedGroups: [String: JSONObject] = [:]
  /// Soft-deleted users (`/directory/deletedItems`), restorable until purged.
  var deletedUsers: [String: JSONObject] = [:]
  /// Delegated sign-in in progress: device codes by `device_code`, authorization codes by code,
  /// refresh tokens by value.
  var deviceCodes: [String: DeviceCodeGrant] = [:]
  var authorizationCodes: [String: AuthorizationCodeGrant] = [:]
  var refreshTokens: [String: RefreshGrant] = [:]
  var memberEvents: [MemberEvent] = []
  var version: UInt64 = 0
  var quota: WriteQuota?
  var random: SeededRandom
  var log: [EmulatorRequestRecord] = []
  let epoch = ContinuousClock.now

  init(state: TenantState, options: EmulatorOptions, baseURL: String) {
    self.state = state
    self.options = options
    self.baseURL = baseURL
    self.random = SeededRandom(seed: options.seed)
    if let quota = options.writeQuota {
      self.quota = WriteQuota(limit: quota.count, window: quota.seconds)
    }
  }

  // MARK: - State

  func stateJSON() -> Data { state.encoded() }

  func replaceState(_ json: Data) throws {
    state = try TenantState.load(json)
    // A new tenant: every cursor and token referring to the old one is gone.
    pageCursors = [:]
    deltaTokens = [:]
    deltaPages = [:]
    versions = [:]
    tombstones = []
    deletedGroups = [:]
    deletedUsers = [:]
    memberEvents = []
  }

  func requestLog() -> [EmulatorRequestRecord] { log }

  func secondsSinceStart() -> Double {
    let elapsed = ContinuousClock.now - epoch
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
  }

  func newId() -> String { UUID().uuidString.lowercased() }

  func randomToken() -> String {
    var bytes = [UInt8]()
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<24 { bytes.append(UInt8.random(in: 0...255, using: &generator)) }
    return Base64URL.encode(Data(bytes))
  }

  func bumpVersion(_ id: String) {
    version += 1
    versions[id] = version
  }

  // MARK: - Entry point

  func handle(_ request: EmulatorHTTPRequest) -> EmulatorAction {
    let requestId = newId()
    let clientRequestId = request.headers["client-request-id"] ?? newId()
    let now = Date()
    let segments = request.path.split(separator: "/", omittingEmptySubsequences: true)

    if segments.first == "_emulator" {
      return .respond(emulatorControl(request, segments), delay: .zero)
    }
    if let reply = identityEndpoint(request, segments) {
      record(request, status: reply.status, fault: nil, now: now)
      return .respond(
        serialize(reply, requestId: requestId, clientRequestId: clientRequestId),
        delay: responseDelay())
    }
    let version = segments.first.map(String.init) ?? ""
    guard version == "v1.0" || (version == "beta" && Self.servedOnBeta(segments)) else {
      let failure = GraphFailure(
        status: 400, code: "BadRequest",
        message: "Invalid version: \(segments.first.map(String.init) ?? "")")
      let reply = failure.reply(requestId: requestId, clientRequestId: clientRequestId, date: now)
      return .respond(
        serialize(reply, requestId: requestId, clientRequestId: clientRequestId), delay: .zero)
    }

    // Injected faults are decided before anything is applied.
    var fault: EmulatorFault?
    if options.faultRate > 0, !options.faults.isEmpty,
      random.nextUnit() < options.faultRate
    {
      let kinds = options.faults.sorted()
      fault = kinds[Int(random.next() % UInt64(kinds.count))]
    }
    switch fault {
    case .serviceUnavailable:
      let failure = GraphFailure(
        status: 503, code: "serviceNotAvailable",
        message: "The service is temporarily unavailable. Please retry later.",
        headers: [
          "Retry-After": WriteQuota.retryAfterText(options.serviceUnavailableRetryAfter)
        ])
      record(request, status: 503, fault: fault?.rawValue, now: now)
      let reply = failure.reply(requestId: requestId, clientRequestId: clientRequestId, date: now)
      return .respond(
        serialize(reply, requestId: requestId, clientRequestId: clientRequestId),
        delay: responseDelay())
    case .connectionReset:
      record(request, status: nil, fault: fault?.rawValue, now: now)
      return .reset
    case .timeout:
      record(request, status: nil, fault: fault?.rawValue, now: now)
      return .hold(options.timeoutHold)
    case .responseLost, nil:
      break
    }

    let reply = graphRequest(
      request, version: version,
      segments: segments.dropFirst().map { FormDecoding.decodeSegment($0) },
      requestId: requestId, clientRequestId: clientRequestId, now: now)
    if fault == .responseLost {
      record(request, status: nil, fault: fault?.rawValue, now: now)
      return .reset
    }
    record(request, status: reply.status, fault: reply.status == 429 ? "throttled" : nil, now: now)
    return .respond(
      serialize(reply, requestId: requestId, clientRequestId: clientRequestId),
      delay: responseDelay())
  }

  private func responseDelay() -> Duration {
    var delay = options.latency
    if options.latencyJitter > .zero {
      delay += options.latencyJitter * random.nextUnit()
    }
    return delay
  }

  /// Authenticates, then runs one top-level Graph request (including `$batch`).
  private func graphRequest(
    _ request: EmulatorHTTPRequest, version: String, segments: [String], requestId: String,
    clientRequestId: String, now: Date
  ) -> GraphReply {
    do {
      let (app, token) = try authenticate(request.headers["authorization"])
      let pairs = FormDecoding.pairs(request.rawQuery)
      var call = GraphCall(
        method: request.method.uppercased(), segments: segments,
        query: FormDecoding.dictionary(request.rawQuery), queryPairs: pairs,
        headers: request.headers, body: request.body, app: app, token: token, version: version)
      if segments == ["$batch"] {
        guard call.method == "POST" else { throw Self.methodNotAllowed }
        return try batch(call, requestId: requestId, clientRequestId: clientRequestId, now: now)
      }
      call.segments = segments
      return try admitAndRoute(call)
    } catch let failure as GraphFailure {
      return failure.reply(requestId: requestId, clientRequestId: clientRequestId, date: now)
    } catch {
      return GraphFailure(status: 500, code: "generalException", message: "\(error)")
        .reply(requestId: requestId, clientRequestId: clientRequestId, date: now)
    }
  }

  /// Counts a write against the quota (refusing it when over), then routes it.
  func admitAndRoute(_ call: GraphCall) throws -> GraphReply {
    try authorize(call)
    var usageHeader: String?
    if call.isWrite, var quota {
      let decision = quota.admit(at: secondsSinceStart())
      self.quota = quota
      switch decision {
      case .throttled(let retryAfter):
        throw GraphFailure(
          status: 429, code: "TooManyRequests", message: "Please retry again later.",
          headers: [
            "Retry-After": WriteQuota.retryAfterText(retryAfter),
            "x-ms-throttle-scope":
              "Tenant_Application/Write/\(call.app.clientId)/\(state.tenantId)",
            "x-ms-throttle-information": "WriteLimitExceeded",
          ],
          innerError: [
            "code": .string("429"), "message": .string("Please retry after"),
            "status": .string("429"),
          ])
      case .admitted(let usage):
        if usage >= 0.8 { usageHeader = String(format: "%.1f", usage) }
      }
    }
    var reply = try route(call)
    if let usageHeader { reply.headers["x-ms-throttle-limit-percentage"] = usageHeader }
    return reply
  }

  /// `/beta` serves only what the Entra docs show there and v1.0 shares: Group Source of
  /// Authority (`groups/{id}/onPremisesSyncBehavior`, documented with /beta examples).
  static func servedOnBeta(_ segments: [Substring]) -> Bool {
    segments.count == 4 && segments[1] == "groups" && segments[3] == "onPremisesSyncBehavior"
  }

  static let methodNotAllowed = GraphFailure(
    status: 405, code: "Request_BadRequest",
    message: "Specified HTTP method is not allowed for the request uri.")

  func authenticate(_ header: String?) throws -> (RegisteredApplication, AccessTokenClaims) {
    func fail(_ message: String) -> GraphFailure {
      GraphFailure(
        status: 401, code: "InvalidAuthenticationToken", message: message,
        headers: ["WWW-Authenticate": "Bearer realm=\"\", authorization_uri=\"\(baseURL)\""])
    }
    guard let header, !header.isEmpty else { throw fail("Access token is empty.") }
    guard header.lowercased().hasPrefix("bearer ") else {
      throw fail("Access token validation failure. Invalid scheme.")
    }
    let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    let claims: AccessTokenClaims
    do {
      claims = try signer.verify(token, now: Date(timeIntervalSince1970: 0))
    } catch .malformed {
      throw fail("IDX14100: JWT is not well formed, there are no dots (.).")
    } catch .wrongAudience {
      throw fail("Access token validation failure. Invalid audience.")
    } catch {
      throw fail("Access token validation failure. Invalid signature or unknown token.")
    }
    guard let issued = tokens[claims.tokenId], issued.claims.clientId == claims.clientId else {
      throw fail("Access token validation failure. Invalid audience or unknown token.")
    }
    guard issued.expires > ContinuousClock.now else {
      throw fail("Lifetime validation failed, the token is expired.")
    }
    guard let app = state.applications.first(where: { $0.clientId == claims.clientId }) else {
      throw fail("Access token validation failure. The application no longer exists.")
    }
    return (app, issued.claims)
  }

  // MARK: - Serialization and logging

  func serialize(_ reply: GraphReply, requestId: String, clientRequestId: String)
    -> EmulatorHTTPResponse
  {
    var headers: [(String, String)] = [
      ("request-id", requestId), ("client-request-id", clientRequestId),
      ("Date", HTTPDate.string(from: Date())),
    ]
    var body = Data()
    if let json = reply.body {
      body = JSONCoding.encode(json)
      let contentType =
        reply.headers["Content-Type"]
        ?? "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
      headers.append(("Content-Type", contentType))
    }
    for (name, value) in reply.headers.sorted(by: { $0.key < $1.key }) where name != "Content-Type"
    {
      headers.append((name, value))
    }
    return EmulatorHTTPResponse(status: reply.status, headers: headers, body: body)
  }

  func record(_ request: EmulatorHTTPRequest, status: Int?, fault: String?, now: Date) {
    log.append(
      EmulatorRequestRecord(
        method: request.method, target: request.target, status: status, fault: fault, time: now,
        body: Redaction.redactedBody(request), batchItemId: nil))
  }
}
