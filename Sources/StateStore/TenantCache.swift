import Foundation
import GraphClient

/// What `run` keeps between runs to read the tenant incrementally: the deltaLink to continue from
/// and the small context (domains, role holders) that delta doesn't cover, in one small file; the
/// users as of that deltaLink in another, read and rewritten only when something changed, so a run
/// with nothing to do never decodes the users. Private files (0600); they hold no secrets.
public struct TenantCache: Sendable {
  public var cursor: Cursor
  public var users: [GraphUser]

  public struct Cursor: Codable, Sendable {
    static let formatVersion = 1
    var formatVersion = Cursor.formatVersion
    public var tenantId: String
    public var deltaLink: String
    public var domains: [CachedDomain]
    public var roleHolders: [String]
    /// How many users the users file holds: a file of another size is not this cursor's.
    public var userCount: Int
    /// The Graph root, tenant and application the deltaLink was read with; a cursor without it
    /// fits no configuration.
    public var scope: CursorScope?

    /// True when the tenant's id, domains and role holders are still the ones this cursor saw.
    public func sameContext(tenantId: String, domains: [CachedDomain], roleHolders: Set<String>)
      -> Bool
    {
      domains.sorted { $0.name < $1.name } == self.domains.sorted { $0.name < $1.name }
        && roleHolders.sorted() == self.roleHolders && tenantId == self.tenantId
    }
  }

  public struct CachedDomain: Codable, Hashable, Sendable {
    public var name: String
    public var federated: Bool
    public var isInitial: Bool

    public init(name: String, federated: Bool, isInitial: Bool) {
      self.name = name
      self.federated = federated
      self.isInitial = isInitial
    }
  }

  /// The stored cursor when it was read with the configured Graph root, tenant and application;
  /// a cursor of another configuration (its deltaLink points elsewhere or belongs to another
  /// app) is dropped with a `warn`ing, and the next run reads everything.
  public static func loadCursor(
    path: String, fitting scope: CursorScope, warn: (String) -> Void
  ) -> Cursor? {
    guard let data = FileManager.default.contents(atPath: path),
      let cursor = try? JSONDecoder().decode(Cursor.self, from: data),
      cursor.formatVersion == Cursor.formatVersion
    else { return nil }  // missing or unreadable: the next run reads everything
    guard let stored = cursor.scope else {
      warn(
        "the tenant cursor \(path) does not record the Graph host, tenant and app it was read "
          + "with: dropped, the tenant is read in full")
      return nil
    }
    if let difference = stored.difference(from: scope) {
      warn(
        "the tenant cursor \(path) was read with another \(difference): dropped, "
          + "the tenant is read in full")
      return nil
    }
    return cursor
  }

  public static func loadUsers(path: String, for cursor: Cursor) -> [GraphUser]? {
    guard let data = FileManager.default.contents(atPath: path),
      let users = try? JSONDecoder().decode([GraphUser].self, from: data),
      users.count == cursor.userCount
    else { return nil }
    return users
  }

  /// Users first, then the cursor: a crash between the two leaves the old cursor, whose delta
  /// round replays the same changes (applying them is idempotent).
  public func save(cursorPath: String, usersPath: String) throws {
    try PrivateFile.write(try JSONEncoder().encode(users), to: usersPath)
    try Self.save(cursor, path: cursorPath)
  }

  public static func save(_ cursor: Cursor, path: String) throws {
    try PrivateFile.write(try JSONEncoder().encode(cursor), to: path)
  }

  public init(
    tenantId: String, domains: [CachedDomain], roleHolders: Set<String>, deltaLink: String,
    users: [GraphUser], scope: CursorScope? = nil
  ) {
    cursor = Cursor(
      tenantId: tenantId, deltaLink: deltaLink, domains: domains.sorted { $0.name < $1.name },
      roleHolders: roleHolders.sorted(), userCount: users.count, scope: scope)
    self.users = users
  }

  public init(cursor: Cursor, users: [GraphUser]) {
    self.cursor = cursor
    self.users = users
  }

  /// Applies one delta round: `updated` are the changed users read again in full by id (delta
  /// may send only changed properties), `removed` the ids delta reported as `@removed`.
  public mutating func apply(updated: [GraphUser], removed: Set<String>) {
    var byId: [String: GraphUser] = [:]
    for user in updated { byId[user.id.lowercased()] = user }
    users = users.compactMap { user in
      let key = user.id.lowercased()
      if removed.contains(key) { return nil }
      return byId.removeValue(forKey: key) ?? user
    }
    users.append(contentsOf: byId.values.sorted { $0.id < $1.id })
    cursor.userCount = users.count
  }
}

/// Where a tenant cursor was read: a deltaLink is only valid against the Graph root, tenant and
/// application that obtained it.
public struct CursorScope: Codable, Hashable, Sendable {
  /// `scheme://host[:port]` of Graph (`GraphEndpoints.graphRoot`).
  public var graphRoot: String
  /// The configured tenant (a GUID or domain name).
  public var tenant: String
  /// The application (client) id.
  public var clientId: String

  public init(graphRoot: String, tenant: String, clientId: String) {
    self.graphRoot = graphRoot
    self.tenant = tenant
    self.clientId = clientId
  }

  /// What differs from `other`, for the warning (names only: the values are configuration).
  func difference(from other: CursorScope) -> String? {
    var parts: [String] = []
    if graphRoot.lowercased() != other.graphRoot.lowercased() { parts.append("Graph host") }
    if tenant.lowercased() != other.tenant.lowercased() { parts.append("tenant") }
    if clientId.lowercased() != other.clientId.lowercased() { parts.append("application") }
    return parts.isEmpty ? nil : parts.joined(separator: ", ")
  }
}
