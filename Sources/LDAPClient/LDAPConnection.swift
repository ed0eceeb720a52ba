import CLDAP
import Foundation
import Logging

/// Call once at process start, before any task runs: libldap reads host configuration files on
/// first use unless `LDAPNOINIT` is set, and setting environment variables later races with other
/// threads reading them.
public enum LDAPProcessSetup {
  public static func ignoreHostConfiguration() { LDAPHandle.disableSystemDefaults() }
}

/// One authenticated LDAP connection.
///
/// An actor whose executor is a dedicated thread: libldap's blocking calls never run on Swift's
/// cooperative pool, and the single `LDAP *` handle is only ever used from that one thread.
public actor LDAPConnection {
  private let executor: BlockingExecutor
  /// Created, used and released only on the connection's own thread.
  private var session: LDAPHandle?
  public nonisolated let configuration: LDAPConfiguration
  private let logger: Logger
  /// The size of the last packed page, so the next one is allocated once at about the right size.
  private var batchCapacity = (bytes: 0, values: 0, entries: 0)

  public nonisolated var unownedExecutor: UnownedSerialExecutor {
    executor.asUnownedSerialExecutor()
  }

  /// Connects (trying each URI in order), upgrades with StartTLS when configured, and binds.
  /// Everything is validated first: a simple bind over plain LDAP is refused before any packet.
  public static func connect(
    _ configuration: LDAPConfiguration, logger: Logger = Logger(label: "anchorbridge.ldap")
  ) async throws(LDAPError) -> LDAPConnection {
    try configuration.validate()
    let connection = LDAPConnection(
      configuration: configuration, executor: BlockingExecutor(name: "ldap"), logger: logger)
    try await connection.authenticate()
    return connection
  }

  private init(configuration: LDAPConfiguration, executor: BlockingExecutor, logger: Logger) {
    self.executor = executor
    self.configuration = configuration
    self.logger = logger
  }

  /// Runs on the connection's thread: the unbind (network I/O) never blocks the shared pool.
  isolated deinit {
    session = nil
    executor.shutdown()
  }

  private var handle: LDAPHandle {
    get throws(LDAPError) {
      guard let session else {
        throw LDAPError(
          kind: .invalidArgument, operation: "use", message: "the connection is closed")
      }
      return session
    }
  }

  /// Connects, starts TLS and binds under one deadline: every URI may take the connect timeout,
  /// then the handshake and bind get the operation timeout.
  private func authenticate() throws(LDAPError) {
    // ldap_initialize resolves the local host name and loads SASL plugins on first use: here, on
    // the connection's thread, not the cooperative pool.
    let transport = LDAPTransportPlan(uris: configuration.uris)
    let handle = try LDAPHandle(uris: transport.uris)
    session = handle
    let deadline =
      configuration.connectTimeout * configuration.uris.count + configuration.operationTimeout
    let watchdog = SocketWatchdog(watch: handle.watch, deadline: deadline)
    let started = ContinuousClock.now
    defer { noteIfSlow("connect", since: started) }
    do throws(LDAPError) {
      try establish(handle, transport)
      if watchdog.cancel() { throw timedOut(deadline) }
    } catch {
      if watchdog.cancel() { throw timedOut(deadline) }
      throw explained(error, handle)
    }
  }

  /// libldap reports every transport failure as -1 "Can't contact LDAP server". Say which one it
  /// was: nothing answered, or a server answered and the TLS handshake failed.
  private func explained(_ error: LDAPError, _ handle: LDAPHandle) -> LDAPError {
    // libldap's own codes only: a server that refuses StartTLS answers with a result code, which
    // already says what happened.
    let handshake = [LDAPHandle.handshakeOperation, "StartTLS"].contains(error.operation)
    guard
      error.resultCode == LDAPError.serverDown
        || (error.resultCode == LDAPError.connectError && handshake)
    else { return error }
    var explained = error
    let uris = configuration.uris.joined(separator: " ")
    if !handle.hasConnected {
      explained.message =
        "could not connect to \(uris) (refused, unreachable, or no answer within "
        + "\(configuration.connectTimeout))"
    } else if configuration.isEncrypted || configuration.startTLS {
      explained.message =
        "connected to \(uris), but the TLS handshake failed: the server certificate is not "
        + "signed by \(configuration.caFile.map { "the CA in '\($0)'" } ?? "a trusted CA"), "
        + "does not name the host in the URI, or the server does not speak TLS there"
    } else {
      explained.message = "connected to \(uris), but the server closed the connection"
    }
    return explained
  }

  private func timedOut(_ deadline: Duration) -> LDAPError {
    LDAPError(
      kind: .result, resultCode: LDAPError.timeout, operation: "connect",
      message:
        "no answer from \(configuration.uris.joined(separator: " ")) within \(deadline) "
        + "(TLS handshake or bind never completed)")
  }

  private func establish(_ handle: LDAPHandle, _ transport: LDAPTransportPlan) throws(LDAPError) {
    try handle.configure(configuration)
    try handle.connect()
    try handle.clearNetworkTimeout()
    if transport.tlsAfterConnect { try handle.installTLS() }
    if configuration.startTLS { try handle.startTLS() }
    switch configuration.bind {
    case .simple(let dn, let password):
      try handle.simpleBind(dn: dn, password: password)
    case .gssapi(let keytab, let ccache, let principal, let krb5Config):
      try KerberosEnvironment.prepare(
        keytab: keytab, ccache: ccache, principal: principal, krb5Config: krb5Config)
      try handle.gssapiBind(encryptedTransport: configuration.isEncrypted)
    case .anonymous:
      break
    }
    logger.debug(
      "LDAP connected", metadata: ["uris": "\(configuration.uris.joined(separator: " "))"])
  }

  /// The SASL security strength factor of the session (0 for simple binds; 56+ when sealed).
  public func securityStrength() -> Int { session?.saslSSF() ?? 0 }

  /// Fetches one page of a paged search. Callers normally use `search(...)` instead.
  func page(_ request: LDAPSearchRequest, cookie: [UInt8]) throws(LDAPError)
    -> SearchPage<[LDAPEntry]>
  {
    let handle = try self.handle
    var entries: [LDAPEntry] = []
    let result = try bounded("search") { () throws(LDAPError) in
      try handle.searchPage(
        base: request.base, scope: request.scope, filter: request.filter,
        attributes: request.attributes, pageSize: request.paged ? Int32(request.pageSize) : 0,
        cookie: cookie, controls: request.controls, timeout: configuration.operationTimeout
      ) { chain throws(LDAPError) in entries += try handle.entries(of: chain) }
    }
    var page = SearchPage(entries: entries, cookie: result.cookie, count: result.count)
    if request.paged { page.keys = EntryKey.keys(of: page.entries) }
    return page
  }

  /// Fetches one page packed as an `LDAPEntryBatch`. Callers normally use `batches(...)` instead.
  func batchPage(_ request: LDAPSearchRequest, cookie: [UInt8]) throws(LDAPError)
    -> SearchPage<LDAPEntryBatch>
  {
    let handle = try self.handle
    var builder = LDAPEntryBatchBuilder(attributes: request.attributes, capacity: batchCapacity)
    let result = try bounded("search") { () throws(LDAPError) in
      try handle.searchPage(
        base: request.base, scope: request.scope, filter: request.filter,
        attributes: request.attributes, pageSize: request.paged ? Int32(request.pageSize) : 0,
        cookie: cookie, controls: request.controls, timeout: configuration.operationTimeout
      ) { chain throws(LDAPError) in try handle.batch(of: chain, into: &builder) }
    }
    batchCapacity = builder.capacity
    var page = SearchPage(entries: builder.build(), cookie: result.cookie, count: result.count)
    if request.paged { page.keys = EntryKey.keys(of: page.entries) }
    return page
  }

  /// Runs one operation under the operation timeout, enforced by a socket watchdog as well as by
  /// libldap (whose own wait a server that trickles its answer can stretch), logs it when slow, and
  /// names the server in a `.misbehaved` error.
  private func bounded<Result>(
    _ operation: String, _ body: () throws(LDAPError) -> Result
  ) throws(LDAPError) -> Result {
    let handle = try self.handle
    let deadline = configuration.operationTimeout
    let watchdog = SocketWatchdog(watch: handle.watch, deadline: deadline)
    let started = ContinuousClock.now
    defer { noteIfSlow(operation, since: started) }
    do throws(LDAPError) {
      let result = try body()
      if watchdog.cancel() { throw operationTimedOut(operation, deadline) }
      return result
    } catch {
      if watchdog.cancel() { throw operationTimedOut(operation, deadline) }
      guard error.kind == .misbehaved else { throw error }
      var named = error
      named.message = "\(server) \(error.message)"
      throw named
    }
  }

  /// The configured URIs, as errors and log lines name the server.
  private var server: String { configuration.uris.joined(separator: " ") }

  private func operationTimedOut(_ operation: String, _ deadline: Duration) -> LDAPError {
    LDAPError(
      kind: .result, resultCode: LDAPError.timeout, operation: operation,
      message: "\(server) did not complete the \(operation) within \(deadline)")
  }

  /// Logs a wait longer than `slowOperationThreshold`, so a stalling server shows in the log.
  private func noteIfSlow(_ operation: String, since started: ContinuousClock.Instant) {
    let elapsed = ContinuousClock.now - started
    guard elapsed > configuration.slowOperationThreshold else { return }
    logger.warning(
      "slow LDAP \(operation)",
      metadata: ["server": "\(server)", "operation": "\(operation)", "waited": "\(elapsed)"])
  }

  /// A paged search whose entries arrive as an async sequence, one page in memory at a time.
  public nonisolated func search(_ request: LDAPSearchRequest) -> LDAPSearchResults {
    LDAPSearchResults(connection: self, request: request)
  }

  /// A paged search whose pages arrive packed (`LDAPEntryBatch`, the request's attributes only):
  /// the fast form for bulk reads. Memory holds at most two pages.
  public nonisolated func batches(_ request: LDAPSearchRequest) -> LDAPEntryBatches {
    LDAPPagedSearch(connection: self, request: request) { connection, request, cookie in
      try connection.batchPage(request, cookie: cookie)
    }
  }

  /// Reads one entry by DN (a base-scope search); nil when it does not exist.
  public func read(_ dn: String, attributes: [String], controls: [LDAPRequestControl] = [])
    throws(LDAPError) -> LDAPEntry?
  {
    // Unpaged: a base read inside a running paged search must not open another paged-results
    // state on the server (Samba keeps a few per connection and drops the oldest).
    var request = LDAPSearchRequest(
      base: dn, scope: .base, filter: "(objectClass=*)", attributes: attributes, controls: controls)
    request.paged = false
    do {
      return try page(request, cookie: []).entries.first
    } catch  where error.resultCode == LDAPError.noSuchObject {
      return nil
    }
  }

  /// The rootDSE (readable without binding on AD).
  public func rootDSE(attributes: [String]) throws(LDAPError) -> LDAPEntry {
    guard let entry = try read("", attributes: attributes) else {
      throw LDAPError(
        kind: .result, operation: "read rootDSE", message: "the server returned no rootDSE")
    }
    return entry
  }

  /// Applies modifications to one entry (binary-safe values).
  public func modify(_ dn: String, _ modifications: [LDAPModification]) throws(LDAPError) {
    let handle = try self.handle
    try bounded("modify") { () throws(LDAPError) in try handle.modify(dn: dn, modifications) }
  }
}
