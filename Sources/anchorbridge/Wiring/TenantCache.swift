import AnchorCore
import Foundation
import GraphClient

/// What `run` keeps between runs to read the tenant incrementally: the deltaLink to continue from
/// and the small context (domains, role holders) that delta doesn't cover, in one small file; the
/// users as of that deltaLink in another, read and rewritten only when something changed (so a run
/// with nothing to do never decodes 20,000 users). Private files (0600); they hold no secrets.
struct TenantCache {
  var cursor: Cursor
  var users: [GraphUser]

  struct Cursor: Codable {
    static let formatVersion = 1
    var formatVersion = Cursor.formatVersion
    var tenantId: String
    var deltaLink: String
    var domains: [CachedDomain]
    var roleHolders: [String]
    /// How many users the users file holds: a file of another size is not this cursor's.
    var userCount: Int
  }

  struct CachedDomain: Codable, Hashable {
    var name: String
    var federated: Bool
    var isInitial: Bool
  }

  static func loadCursor(path: String) -> Cursor? {
    guard let data = FileManager.default.contents(atPath: path),
      let cursor = try? JSONDecoder().decode(Cursor.self, from: data),
      cursor.formatVersion == Cursor.formatVersion
    else { return nil }  // missing or unreadable: the next run reads everything
    return cursor
  }

  static func loadUsers(path: String, for cursor: Cursor) -> [GraphUser]? {
    guard let data = FileManager.default.contents(atPath: path),
      let users = try? JSONDecoder().decode([GraphUser].self, from: data),
      users.count == cursor.userCount
    else { return nil }
    return users
  }

  /// Users first, then the cursor: a crash between the two leaves the old cursor, whose delta
  /// round replays the same changes (applying them is idempotent).
  func save(cursorPath: String, usersPath: String) throws {
    try PrivateFile.write(try JSONEncoder().encode(users), to: usersPath)
    try Self.save(cursor, path: cursorPath)
  }

  static func save(_ cursor: Cursor, path: String) throws {
    try PrivateFile.write(try JSONEncoder().encode(cursor), to: path)
  }

  init(context: TenantReading.Context, deltaLink: String, users: [GraphUser]) {
    cursor = Cursor(
      tenantId: context.tenantId, deltaLink: deltaLink,
      domains: Self.domains(context), roleHolders: context.roleHolders.sorted(),
      userCount: users.count)
    self.users = users
  }

  init(cursor: Cursor, users: [GraphUser]) {
    self.cursor = cursor
    self.users = users
  }

  static func domains(_ context: TenantReading.Context) -> [CachedDomain] {
    context.domains.map {
      CachedDomain(
        name: $0.name, federated: $0.authenticationType == .federated, isInitial: $0.isInitial)
    }.sorted { $0.name < $1.name }
  }

  /// Applies one delta round: `updated` are the changed users read again in full by id (delta
  /// may send only changed properties), `removed` the ids delta reported as `@removed`.
  mutating func apply(updated: [GraphUser], removed: Set<String>) {
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

  func snapshot() -> TenantSnapshot {
    let holders = Set(cursor.roleHolders)
    return TenantSnapshot(
      tenantId: cursor.tenantId,
      users: users.map { TenantReading.cloudUser($0, roleHolders: holders) },
      domains: cursor.domains.map {
        TenantDomain(
          name: $0.name, authenticationType: $0.federated ? .federated : .managed,
          isInitial: $0.isInitial)
      })
  }
}
