import AnchorCore
import LDAPClient

/// Every write anchorbridge makes to AD: mS-DS-ConsistencyGuid writeback and group preparation.
/// One connection per source, opened on first use and only when it is protected (see
/// `openProtected`); each DN goes to the source its route names.
public actor ActiveDirectoryWriter {
  public static let consistencyGuidAttribute = "mS-DS-ConsistencyGuid"

  let sources: [String: DirectorySource]
  /// DN (lowercased) → source name, for the ConsistencyGuid reads and writes.
  let routes: [String: String]
  private var connections: [String: LDAPConnection] = [:]

  /// `routes` maps DNs to source names (case-insensitively); group preparation names its source
  /// on each call and needs none.
  public init(sources: [DirectorySource], routes: [String: String] = [:]) {
    var byName: [String: DirectorySource] = [:]
    for source in sources { byName[source.name] = source }
    self.sources = byName
    var lowered: [String: String] = [:]
    for (dn, source) in routes { lowered[dn.lowercased()] = source }
    self.routes = lowered
  }

  /// Routes every DN an anchor writeback plan names to the source the plan says it came from.
  public init(sources: [DirectorySource], plan: Plan) {
    var routes: [String: String] = [:]
    for item in plan.items {
      if let directory = item.directory { routes[directory.distinguishedName] = directory.source }
    }
    self.init(sources: sources, routes: routes)
  }

  /// Routes DNs known only from a journal (a rollback): to the one configured source, or, with
  /// several, to the source whose user bases contain the DN.
  public init(sources: [DirectorySource], distinguishedNames: [String]) {
    var routes: [String: String] = [:]
    for dn in distinguishedNames {
      let lower = dn.lowercased()
      let owner =
        sources.count == 1
        ? sources.first
        : sources.first { source in
          source.users.bases.contains { lower.hasSuffix($0.lowercased()) }
        }
      if let owner { routes[dn] = owner.name }
    }
    self.init(sources: sources, routes: routes)
  }

  /// mS-DS-ConsistencyGuid and userPrincipalName of each DN; DNs AD doesn't know are absent.
  public func readConsistencyGuids(_ distinguishedNames: [String])
    async throws(ActiveDirectoryError) -> [String: ConsistencyGuidState]
  {
    var states: [String: ConsistencyGuidState] = [:]
    for dn in distinguishedNames {
      let (name, connection) = try await routedConnection(for: dn)
      let entry: LDAPEntry?
      do {
        entry = try await connection.read(
          dn, attributes: [Self.consistencyGuidAttribute, "userPrincipalName"])
      } catch {
        throw .ldap(source: name, error)
      }
      guard let entry else { continue }
      states[dn] = ConsistencyGuidState(
        distinguishedName: dn, userPrincipalName: entry.string("userPrincipalName"),
        bytes: entry.bytes(Self.consistencyGuidAttribute))
    }
    return states
  }

  /// Replaces mS-DS-ConsistencyGuid of `dn` with `bytes`, or deletes it when `bytes` is nil.
  /// AD's refusal of this one object is a `.refused` failure carrying its result code; a lost
  /// connection (a negative libldap code) or an unusable session throws.
  public func writeConsistencyGuid(dn: String, bytes: [UInt8]?) async throws(ActiveDirectoryError)
    -> Result<Void, ActiveDirectoryError>
  {
    let (name, connection) = try await routedConnection(for: dn)
    let modification =
      bytes.map { LDAPModification(.replace, Self.consistencyGuidAttribute, values: [$0]) }
      ?? LDAPModification(.delete, Self.consistencyGuidAttribute, values: [])
    do {
      try await connection.modify(dn, [modification])
      return .success(())
    } catch  where error.kind == .result && error.resultCode > 0 {
      return .failure(.refused(source: name, dn: dn, error))
    } catch {
      throw .ldap(source: name, error)
    }
  }

  private func routedConnection(for dn: String) async throws(ActiveDirectoryError) -> (
    String, LDAPConnection
  ) {
    guard let name = routes[dn.lowercased()], sources[name] != nil else {
      throw .ldap(
        source: "?",
        LDAPError(
          kind: .invalidArgument, operation: "modify",
          message: "no configured directory source for \(dn)"))
    }
    return (name, try await connection(name, purpose: "write mS-DS-ConsistencyGuid"))
  }

  /// The open connection to source `name`, opened protected for `purpose` on first use.
  func connection(_ name: String, purpose: String) async throws(ActiveDirectoryError)
    -> LDAPConnection
  {
    guard let source = sources[name] else { throw .unconfiguredSource(name) }
    if let open = connections[name] { return open }
    let connection = try await Self.openProtected(source, purpose: purpose)
    connections[name] = connection
    return connection
  }

  /// A connection fit for writing: bound (not anonymous) and protected (LDAPS, StartTLS or a
  /// sealed Kerberos bind), else refused before anything is written. LDAPClient already refuses
  /// a simple bind over plain text; an anonymous or unsealed session is refused here.
  public static func openProtected(_ source: DirectorySource, purpose: String)
    async throws(ActiveDirectoryError) -> LDAPConnection
  {
    let name = source.name
    let connection: LDAPConnection
    do {
      connection = try await LDAPConnection.connect(source.connection)
    } catch {
      throw .ldap(source: name, error)
    }
    if case .anonymous = source.connection.bind {
      throw .ldap(
        source: name,
        LDAPError(
          kind: .refused, operation: "modify",
          message: "an anonymous bind can't \(purpose); configure a bind"))
    }
    let strength = await connection.securityStrength()
    guard source.connection.isEncrypted || strength > 0 else {
      throw .ldap(
        source: name,
        LDAPError(
          kind: .refused, operation: "modify",
          message:
            "writes need a protected session (ldaps://, StartTLS or a sealed Kerberos bind): nothing was written"
        ))
    }
    return connection
  }
}

/// One object's mS-DS-ConsistencyGuid as AD holds it now.
public struct ConsistencyGuidState: Sendable, Hashable {
  public var distinguishedName: String
  public var userPrincipalName: String?
  /// The raw attribute bytes; nil when the attribute is absent.
  public var bytes: [UInt8]?

  public init(distinguishedName: String, userPrincipalName: String?, bytes: [UInt8]?) {
    self.distinguishedName = distinguishedName
    self.userPrincipalName = userPrincipalName
    self.bytes = bytes
  }
}
