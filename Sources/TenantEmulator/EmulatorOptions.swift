/// A failure the emulator injects on purpose, so clients can rehearse retries.
public enum EmulatorFault: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
  /// 503 with a `Retry-After` header and Graph's error body; the request is not applied.
  case serviceUnavailable
  /// The connection is closed without a response; the request is not applied.
  case connectionReset
  /// No answer until the client gives up (held for `EmulatorOptions.timeoutHold`); not applied.
  case timeout
  /// The request IS applied, then the connection is closed without a response (idempotency tests).
  case responseLost

  public static func < (lhs: EmulatorFault, rhs: EmulatorFault) -> Bool {
    lhs.rawValue < rhs.rawValue
  }
}

/// Knobs of a running emulator. Every property has a default that behaves like a quiet tenant.
public struct EmulatorOptions: Sendable {
  /// Added to every response.
  public var latency: Duration
  /// Up to this much extra latency, chosen by the seeded generator per request.
  public var latencyJitter: Duration
  /// Writes (POST/PATCH/PUT/DELETE, each `$batch` item counted) allowed per sliding window;
  /// nil = unlimited. Graph's per app+tenant quota is (3000, 150).
  public var writeQuota: (count: Int, seconds: Double)?
  /// Share (0...1) of `/v1.0` requests that fail with one of `faults`.
  public var faultRate: Double
  /// The fault kinds drawn from when a request is chosen to fail.
  public var faults: Set<EmulatorFault>
  /// Seed of the generator behind fault and jitter decisions: same seed, same request order,
  /// same faults.
  public var seed: UInt64
  /// Lifetime of issued access tokens (`expires_in`); Entra's is 3599 s.
  public var tokenLifetime: Duration
  /// Lifetime of delta tokens; Graph keeps directory delta state for 7 days.
  public var deltaTokenLifetime: Duration
  /// `Retry-After` sent with injected 503 responses, in seconds.
  public var serviceUnavailableRetryAfter: Double
  /// How long a `.timeout` fault holds the request before closing the connection.
  public var timeoutHold: Duration
  /// Serve https with this certificate and key; nil serves plain http.
  public var tls: EmulatorTLS?
  /// For delegated sign-in tests: the user (object id or UPN) whose sign-in is approved at
  /// once (`/authorize` redirects, device codes are approved on their first poll after
  /// `deviceCodeApprovalPolls` pending answers). nil leaves approval to `/_emulator/approve`.
  public var autoApproveUser: String?
  /// `authorization_pending` answers before an auto-approved device code is granted.
  public var deviceCodeApprovalPolls: Int
  /// The polling interval a device code demands (`slow_down` when polled faster); Entra's is
  /// 5 s, and the `interval` field is this rounded up to whole seconds.
  public var deviceCodeInterval: Duration
  /// How long a device code can be redeemed (`expired_token` after); Entra's is 900 s.
  public var deviceCodeLifetime: Duration

  public init(
    latency: Duration = .zero,
    latencyJitter: Duration = .zero,
    writeQuota: (count: Int, seconds: Double)? = nil,
    faultRate: Double = 0,
    faults: Set<EmulatorFault> = [.serviceUnavailable],
    seed: UInt64 = 0,
    tokenLifetime: Duration = .seconds(3599),
    deltaTokenLifetime: Duration = .seconds(7 * 24 * 3600),
    serviceUnavailableRetryAfter: Double = 1,
    timeoutHold: Duration = .seconds(60),
    tls: EmulatorTLS? = nil,
    autoApproveUser: String? = nil,
    deviceCodeApprovalPolls: Int = 1,
    deviceCodeInterval: Duration = .seconds(5),
    deviceCodeLifetime: Duration = .seconds(900)
  ) {
    self.latency = latency
    self.latencyJitter = latencyJitter
    self.writeQuota = writeQuota
    self.faultRate = faultRate
    self.faults = faults
    self.seed = seed
    self.tokenLifetime = tokenLifetime
    self.deltaTokenLifetime = deltaTokenLifetime
    self.serviceUnavailableRetryAfter = serviceUnavailableRetryAfter
    self.timeoutHold = timeoutHold
    self.tls = tls
    self.autoApproveUser = autoApproveUser
    self.deviceCodeApprovalPolls = deviceCodeApprovalPolls
    self.deviceCodeInterval = deviceCodeInterval
    self.deviceCodeLifetime = deviceCodeLifetime
  }
}
