import AnchorCore
import LDAPClient

/// A user as read, with what the anchor policy had to say about it.
public struct ReadUser: Sendable, Hashable {
  public var user: DirectoryUser
  public var diagnostics: [Diagnostic]
}

/// Reads users and groups from one AD source over one LDAP connection.
public struct ActiveDirectoryReader: Sendable {
  public let source: DirectorySource
  public let connection: LDAPConnection
  /// The domain's naming context (rootDSE `defaultNamingContext`): the base when none is configured.
  public let defaultNamingContext: String

  public init(source: DirectorySource, connection: LDAPConnection, defaultNamingContext: String) {
    self.source = source
    self.connection = connection
    self.defaultNamingContext = defaultNamingContext
  }

  /// Connects and binds as the source's configuration says, and reads the rootDSE.
  public static func connect(_ source: DirectorySource) async throws(ActiveDirectoryError)
    -> ActiveDirectoryReader
  {
    do {
      let connection = try await LDAPConnection.connect(source.connection)
      let root = try await connection.rootDSE(attributes: ["defaultNamingContext"])
      return ActiveDirectoryReader(
        source: source, connection: connection,
        defaultNamingContext: root.string("defaultNamingContext") ?? "")
    } catch {
      throw .ldap(source: source.name, error)
    }
  }

  static let userAttributes = [
    "objectGUID", "mS-DS-ConsistencyGuid", "userPrincipalName", "sAMAccountName", "mail",
    "proxyAddresses", "displayName", "userAccountControl", "objectSid", "whenChanged", "uSNChanged",
  ]

  /// Attributes whose values are binary; a custom anchor attribute among them is base64-encoded.
  static let binaryAttributes: Set<String> = [
    "objectguid", "objectsid", "ms-ds-consistencyguid", "msexchmailboxguid", "msexcharchiveguid",
  ]

  /// The users in scope, page by page (memory holds one page). With a watermark, only users whose
  /// uSNChanged is above it; the caller decides whether the watermark is still valid (see
  /// `incrementalBase(_:)`).
  public func users(changedAfter usn: Int64? = nil) -> some AsyncSequence<[ReadUser], any Error> {
    userPages(changedAfter: usn).map { page in
      var users: [ReadUser] = []
      users.reserveCapacity(page.count)
      for entry in page { users.append(try entry.read()) }
      return users
    }
  }

  /// The same users as `users(changedAfter:)`, each page left packed: the fast form for callers
  /// that read only some fields of many users.
  public func userPages(changedAfter usn: Int64? = nil) -> some AsyncSequence<
    UserPage, any Error
  > {
    userPages(in: USNRange(after: usn, through: nil))
  }

  /// The users whose uSNChanged lies in `range` (one slice of a parallel read), packed.
  public func userPages(in range: USNRange) -> some AsyncSequence<UserPage, any Error> {
    var attributes = Self.userAttributes
    for extra in source.anchor.extraAttributes
    where !attributes.contains(where: { $0.lowercased() == extra.lowercased() }) {
      attributes.append(extra)
    }
    let filter = Self.filter(source.users.filter, changedAfter: range.after, through: range.through)
    let requests = bases(source.users).map {
      LDAPSearchRequest(
        base: $0, filter: filter, attributes: attributes, pageSize: source.pageSize)
    }
    let layout = UserLayout(source: source, attributes: attributes)
    let connection = self.connection
    return ConcatenatedPages(source: source.name, requests: requests) {
      connection.batches($0)
    }.map { batch in
      UserPage(batch: batch, layout: layout)
    }
  }

  static func filter(_ base: String, changedAfter usn: Int64?, through last: Int64? = nil)
    -> String
  {
    var clauses = ""
    // Saturating: nothing lies above Int64.max, and a bound there must not trap.
    if let usn { clauses += "(uSNChanged>=\(usn == .max ? usn : usn + 1))" }
    if let last { clauses += "(uSNChanged<=\(last))" }
    return clauses.isEmpty ? base : "(&\(base)\(clauses))"
  }

  func bases(_ scope: DirectorySource.Scope) -> [String] {
    scope.bases.isEmpty ? [defaultNamingContext] : scope.bases
  }

  /// String attributes flow verbatim; bytes that are not UTF-8 text are treated as binary.
  static func textOrBinary(_ bytes: [UInt8]) -> DirectoryValue {
    if let text = String(validating: bytes, as: UTF8.self),
      !text.unicodeScalars.contains(where: { $0.value < 0x20 })
    {
      return .text(text)
    }
    return .binary(bytes)
  }
}

/// The pages of several searches (one per base DN), one after the other; a failure of the LDAP
/// layer arrives as `ActiveDirectoryError.ldap` naming the source.
public struct ConcatenatedPages<Page: Sendable>: AsyncSequence, Sendable {
  public typealias Element = Page
  let source: String
  let requests: [LDAPSearchRequest]
  let search: @Sendable (LDAPSearchRequest) -> LDAPPagedSearch<Page>

  public struct AsyncIterator: AsyncIteratorProtocol {
    let source: String
    var remaining: ArraySlice<LDAPSearchRequest>
    let search: @Sendable (LDAPSearchRequest) -> LDAPPagedSearch<Page>
    var current: LDAPPagedSearch<Page>.AsyncIterator?

    public mutating func next() async throws -> Page? {
      do {
        return try await advance()
      } catch {
        throw ActiveDirectoryError.translate(error, source: source)
      }
    }

    private mutating func advance() async throws -> Page? {
      while true {
        if var iterator = current {
          let page = try await iterator.next()
          current = iterator
          if let page { return page }
          current = nil
        }
        guard let request = remaining.popFirst() else { return nil }
        current = search(request).makeAsyncIterator()
      }
    }
  }

  public func makeAsyncIterator() -> AsyncIterator {
    AsyncIterator(source: source, remaining: requests[...], search: search, current: nil)
  }
}
