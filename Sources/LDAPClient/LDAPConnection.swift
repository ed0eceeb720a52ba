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
  public let configuration: LDAPConfiguration
  private let logger: Logger

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
    let handle = try LDAPHandle(uris: configuration.uris)
    session = handle
    let deadline =
      configuration.connectTimeout * configuration.uris.count + configuration.operationTimeout
    let watchdog = SocketWatchdog(watch: handle.watch, deadline: deadline)
    do throws(LDAPError) {
      try establish(handle)
      if watchdog.cancel() { throw timedOut(deadline) }
    } catch {
      if watchdog.cancel() { throw timedOut(deadline) }
      throw explained(error, handle)
    }
  }

  /// libldap reports every transport failure as -1 "Can't contact LDAP server". Say which one it
  /// was: nothing answered, or a server answered and the TLS handshake failed.
  private func explained(_ error: LDAPError, _ handle: LDAPHandle) -> LDAPError {
    guard error.resultCode == LDAPError.serverDown else { return error }
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

  private func establish(_ handle: LDAPHandle) throws(LDAPError) {
    try handle.configure(configuration)
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
  func page(_ request: LDAPSearchRequest, cookie: [UInt8]) throws(LDAPError) -> SearchPage {
    try handle.searchPage(
      base: request.base, scope: request.scope, filter: request.filter,
      attributes: request.attributes, pageSize: request.paged ? Int32(request.pageSize) : 0,
      cookie: cookie, controls: request.controls, timeout: configuration.operationTimeout)
  }

  /// A paged search whose entries arrive as an async sequence, one page in memory at a time.
  public nonisolated func search(_ request: LDAPSearchRequest) -> LDAPSearchResults {
    LDAPSearchResults(connection: self, request: request)
  }

  /// Reads one entry by DN (a base-scope search); nil when it does not exist.
  public func read(_ dn: String, attributes: [String], controls: [LDAPRequestControl] = [])
    throws(LDAPError) -> LDAPEntry?
  {
    // Unpaged: a base read inside a running paged search must not open another paged-results
    // state on the server (Samba keeps ~10 per connection and drops the oldest).
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
    try handle.modify(dn: dn, modifications)
  }
}

/// What to search for. Paging is always on (RFC 2696): AD caps unpaged searches at MaxPageSize.
public struct LDAPSearchRequest: Sendable {
  public var base: String
  public var scope: LDAPScope
  public var filter: String
  /// Explicit attribute names; never "all attributes".
  public var attributes: [String]
  /// Page size, 1...1000 (AD's MaxPageSize is 1000); default 500.
  public var pageSize: Int
  public var controls: [LDAPRequestControl]
  /// Base-scope reads of one entry go without the paged-results control.
  var paged = true

  public init(
    base: String, scope: LDAPScope = .subtree, filter: String, attributes: [String],
    pageSize: Int = 500, controls: [LDAPRequestControl] = []
  ) {
    self.base = base
    self.scope = scope
    self.filter = filter
    self.attributes = attributes.isEmpty ? ["1.1"] : attributes
    self.pageSize = min(max(pageSize, 1), 1000)
    self.controls = controls
  }
}

/// The entries of a paged search, one page in memory at a time (plus the one being fetched).
public struct LDAPSearchResults: AsyncSequence, Sendable {
  public typealias Element = LDAPEntry
  let connection: LDAPConnection
  let request: LDAPSearchRequest

  public struct AsyncIterator: AsyncIteratorProtocol {
    var pages: LDAPSearchPages.AsyncIterator
    var buffer: [LDAPEntry] = []
    var index = 0

    public mutating func next() async throws -> LDAPEntry? {
      while index >= buffer.count {
        guard let page = try await pages.next() else { return nil }
        buffer = page
        index = 0
      }
      defer { index += 1 }
      return buffer[index]
    }
  }

  public func makeAsyncIterator() -> AsyncIterator {
    AsyncIterator(pages: pages().makeAsyncIterator())
  }

  /// The pages themselves, for callers that process entries in batches.
  public func pages() -> LDAPSearchPages {
    LDAPSearchPages(connection: connection, request: request)
  }
}

/// The pages of a paged search, each an array of at most `pageSize` entries.
///
/// As soon as a page arrives, the request for the next one (it needs this page's cookie) goes out
/// on the connection's thread while the caller works on this page: the directory's time and the
/// caller's time overlap, and memory holds at most two pages.
public struct LDAPSearchPages: AsyncSequence, Sendable {
  public typealias Element = [LDAPEntry]
  let connection: LDAPConnection
  let request: LDAPSearchRequest

  public struct AsyncIterator: AsyncIteratorProtocol {
    let connection: LDAPConnection
    let request: LDAPSearchRequest
    var pending: Task<SearchPage, any Error>?
    var started = false
    var finished = false

    public mutating func next() async throws -> [LDAPEntry]? {
      if finished { return nil }
      let page: SearchPage
      if let pending {
        page = try await pending.value
      } else if !started {
        page = try await connection.page(request, cookie: [])
      } else {
        return nil
      }
      started = true
      pending = nil
      if page.cookie.isEmpty {
        finished = true
      } else {
        let connection = self.connection
        let request = self.request
        let cookie = page.cookie
        pending = Task { try await connection.page(request, cookie: cookie) }
      }
      return page.entries
    }
  }

  public func makeAsyncIterator() -> AsyncIterator {
    AsyncIterator(connection: connection, request: request)
  }
}
