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
  public func users(changedAfter usn: Int64? = nil) -> AsyncThrowingMapSequence<
    ConcatenatedPages, [ReadUser]
  > {
    var attributes = Self.userAttributes
    for extra in source.anchor.extraAttributes
    where !attributes.contains(where: { $0.lowercased() == extra.lowercased() }) {
      attributes.append(extra)
    }
    let filter = Self.filter(source.users.filter, changedAfter: usn)
    let requests = bases(source.users).map {
      LDAPSearchRequest(
        base: $0, filter: filter, attributes: attributes, pageSize: source.pageSize)
    }
    let config = self.source
    return ConcatenatedPages(connection: connection, requests: requests).map { page in
      try page.map { try Self.decodeUser($0, source: config) }
    }
  }

  static func filter(_ base: String, changedAfter usn: Int64?) -> String {
    guard let usn else { return base }
    return "(&\(base)(uSNChanged>=\(usn + 1)))"
  }

  func bases(_ scope: DirectorySource.Scope) -> [String] {
    scope.bases.isEmpty ? [defaultNamingContext] : scope.bases
  }

  static func decodeUser(_ entry: LDAPEntry, source: DirectorySource) throws(ActiveDirectoryError)
    -> ReadUser
  {
    guard let raw = entry.bytes("objectGUID"), let guid = ObjectGUID(bytes: raw) else {
      throw .malformed(
        source: source.name, dn: entry.dn, attribute: "objectGUID",
        reason: "is missing or not 16 bytes")
    }
    let consistency = entry.bytes("mS-DS-ConsistencyGuid")
    var custom: DirectoryValue?
    if case .attribute(let name) = source.anchor, let value = entry.bytes(name) {
      custom =
        binaryAttributes.contains(name.lowercased()) ? .binary(value) : Self.textOrBinary(value)
    }
    let resolved = source.anchor.resolve(
      objectGUID: guid, consistencyGuid: consistency, attributeValue: custom, subject: entry.dn)
    let control = entry.string("userAccountControl").flatMap { Int64($0) } ?? 0
    let user = DirectoryUser(
      source: source.name, distinguishedName: entry.dn, objectGUID: guid, anchor: resolved.anchor,
      anchorSource: resolved.source, consistencyGuid: consistency,
      userPrincipalName: entry.string("userPrincipalName"),
      samAccountName: entry.string("sAMAccountName"), mail: entry.string("mail"),
      proxyAddresses: entry.strings("proxyAddresses"), displayName: entry.string("displayName"),
      enabled: control & 0x2 == 0,
      objectSid: entry.bytes("objectSid").flatMap(SecurityIdentifier.string),
      usnChanged: entry.string("uSNChanged").flatMap { Int64($0) },
      whenChanged: entry.string("whenChanged"))
    return ReadUser(user: user, diagnostics: resolved.diagnostics)
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

/// The pages of several searches (one per base DN), one after the other.
public struct ConcatenatedPages: AsyncSequence, Sendable {
  public typealias Element = [LDAPEntry]
  let connection: LDAPConnection
  let requests: [LDAPSearchRequest]

  public struct AsyncIterator: AsyncIteratorProtocol {
    var remaining: ArraySlice<LDAPSearchRequest>
    let connection: LDAPConnection
    var current: LDAPSearchPages.AsyncIterator?

    public mutating func next() async throws -> [LDAPEntry]? {
      while true {
        if var iterator = current {
          let page = try await iterator.next()
          current = iterator
          if let page { return page }
          current = nil
        }
        guard let request = remaining.popFirst() else { return nil }
        current = connection.search(request).pages().makeAsyncIterator()
      }
    }
  }

  public func makeAsyncIterator() -> AsyncIterator {
    AsyncIterator(remaining: requests[...], connection: connection, current: nil)
  }
}
