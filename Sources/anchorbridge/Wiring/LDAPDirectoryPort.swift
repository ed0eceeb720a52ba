import ActiveDirectory
import AnchorCore
import LDAPClient
import PlanExecutor

/// The executor's `DirectoryPort` over LDAPClient: reads and writes mS-DS-ConsistencyGuid of the
/// DNs an anchor writeback plan names, each on the connection of the source the plan says the DN
/// came from. Writes only over a protected session (LDAPS, StartTLS, or a sealed Kerberos bind):
/// the client already refuses a plaintext simple bind; an anonymous or unsealed session is refused
/// here before anything is written.
actor LDAPDirectoryPort: DirectoryPort {
  static let attribute = "mS-DS-ConsistencyGuid"
  let sources: [String: DirectorySource]
  /// DN (lowercased) → source name.
  let sourceOfDN: [String: String]
  private var connections: [String: LDAPConnection] = [:]

  init(sources: [DirectorySource], plan: Plan) {
    var byName: [String: DirectorySource] = [:]
    for source in sources { byName[source.name] = source }
    self.sources = byName
    var map: [String: String] = [:]
    for item in plan.items {
      if let directory = item.directory {
        map[directory.distinguishedName.lowercased()] = directory.source
      }
    }
    sourceOfDN = map
  }

  /// For a rollback, which has only the journal: every DN goes to the one configured source (or
  /// the DN's naming context decides, when there are several: the source whose bases contain it).
  init(sources: [DirectorySource], distinguishedNames: [String]) {
    var byName: [String: DirectorySource] = [:]
    for source in sources { byName[source.name] = source }
    self.sources = byName
    var map: [String: String] = [:]
    for dn in distinguishedNames {
      let lower = dn.lowercased()
      let owner =
        sources.count == 1
        ? sources.first
        : sources.first { source in
          source.users.bases.contains { lower.hasSuffix($0.lowercased()) }
        }
      if let owner { map[lower] = owner.name }
    }
    sourceOfDN = map
  }

  private func connection(for dn: String) async throws -> LDAPConnection {
    guard let name = sourceOfDN[dn.lowercased()], let source = sources[name] else {
      throw ActiveDirectoryError.ldap(
        source: "?",
        LDAPError(
          kind: .invalidArgument, operation: "modify",
          message: "no configured directory source for \(dn)"))
    }
    if let open = connections[name] { return open }
    let connection = try await Self.openProtected(source, purpose: "write mS-DS-ConsistencyGuid")
    connections[name] = connection
    return connection
  }

  /// A connection fit for writing: bound (not anonymous) and protected (LDAPS, StartTLS or a
  /// sealed Kerberos bind); otherwise refused before anything is written.
  static func openProtected(_ source: DirectorySource, purpose: String) async throws
    -> LDAPConnection
  {
    let name = source.name
    let connection: LDAPConnection
    do {
      connection = try await LDAPConnection.connect(source.connection)
    } catch {
      throw ActiveDirectoryError.ldap(source: name, error)
    }
    if case .anonymous = source.connection.bind {
      throw ActiveDirectoryError.ldap(
        source: name,
        LDAPError(
          kind: .refused, operation: "modify",
          message: "an anonymous bind can't \(purpose); configure a bind"))
    }
    let strength = await connection.securityStrength()
    guard source.connection.isEncrypted || strength > 0 else {
      throw ActiveDirectoryError.ldap(
        source: name,
        LDAPError(
          kind: .refused, operation: "modify",
          message:
            "writes need a protected session (ldaps://, StartTLS or a sealed Kerberos bind): nothing was written"
        ))
    }
    return connection
  }

  func readObjects(distinguishedNames: [String]) async throws -> [String: DirectoryObjectState] {
    var out: [String: DirectoryObjectState] = [:]
    for dn in distinguishedNames {
      let connection = try await connection(for: dn)
      let entry: LDAPEntry?
      do {
        entry = try await connection.read(dn, attributes: [Self.attribute, "userPrincipalName"])
      } catch {
        throw ActiveDirectoryError.ldap(source: sourceOfDN[dn.lowercased()] ?? "?", error)
      }
      guard let entry else { continue }
      out[dn] = DirectoryObjectState(
        distinguishedName: dn, userPrincipalName: entry.string("userPrincipalName"),
        consistencyGuid: entry.bytes(Self.attribute))
    }
    return out
  }

  func write(_ changes: [ConsistencyGuidChange]) async throws -> [Result<Void, TenantPortError>] {
    var results: [Result<Void, TenantPortError>] = []
    for change in changes {
      let connection = try await connection(for: change.distinguishedName)
      let modification =
        change.bytes.map { LDAPModification(.replace, Self.attribute, values: [$0]) }
        ?? LDAPModification(.delete, Self.attribute, values: [])
      do {
        try await connection.modify(change.distinguishedName, [modification])
        results.append(.success(()))
      } catch  where error.kind == .result && error.resultCode > 0 {
        // The server refused this one object (insufficient rights, constraint, ...): a per-item
        // failure with the LDAP result code; a lost connection (negative codes) stops the run.
        results.append(
          .failure(
            TenantPortError(
              ldapResultCode: Int(error.resultCode), name: LDAPError.name(of: error.resultCode),
              message: error.description)))
      } catch {
        throw ActiveDirectoryError.ldap(
          source: sourceOfDN[change.distinguishedName.lowercased()] ?? "?", error)
      }
    }
    return results
  }
}
