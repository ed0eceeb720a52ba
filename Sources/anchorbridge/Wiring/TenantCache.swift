import AnchorCore
import Foundation
import GraphClient

/// What `run` keeps between runs to read the tenant incrementally: the users as of the last
/// delta round, the deltaLink to continue from, and the small context (domains, role holders) that
/// delta doesn't cover. A private file in the state folder (0600); it holds no secrets.
struct TenantCache: Codable {
  static let formatVersion = 1
  var formatVersion = TenantCache.formatVersion
  var tenantId: String
  var deltaLink: String
  var domains: [CachedDomain]
  var roleHolders: [String]
  var users: [GraphUser]

  struct CachedDomain: Codable, Hashable {
    var name: String
    var federated: Bool
    var isInitial: Bool
  }

  static func load(path: String) -> TenantCache? {
    guard let data = FileManager.default.contents(atPath: path),
      let cache = try? JSONDecoder().decode(TenantCache.self, from: data),
      cache.formatVersion == formatVersion
    else { return nil }  // missing or unreadable: the next run reads everything
    return cache
  }

  func save(path: String) throws {
    try PrivateFile.write(try JSONEncoder().encode(self), to: path)
  }

  init(context: TenantReading.Context, deltaLink: String, users: [GraphUser]) {
    tenantId = context.tenantId
    self.deltaLink = deltaLink
    domains = context.domains.map {
      CachedDomain(
        name: $0.name, federated: $0.authenticationType == .federated, isInitial: $0.isInitial)
    }
    roleHolders = context.roleHolders.sorted()
    self.users = users
  }

  func sameContext(as context: TenantReading.Context) -> Bool {
    TenantCache(context: context, deltaLink: "", users: []).domains.sorted { $0.name < $1.name }
      == domains.sorted { $0.name < $1.name }
      && context.roleHolders.sorted() == roleHolders && context.tenantId == tenantId
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
  }

  func snapshot() -> TenantSnapshot {
    let holders = Set(roleHolders)
    return TenantSnapshot(
      tenantId: tenantId,
      users: users.map { TenantReading.cloudUser($0, roleHolders: holders) },
      domains: domains.map {
        TenantDomain(
          name: $0.name, authenticationType: $0.federated ? .federated : .managed,
          isInitial: $0.isInitial)
      })
  }
}

/// Writes files only the service account can read (journal folder, caches, reports, plans).
enum PrivateFile {
  static func write(_ data: Data, to path: String) throws {
    let temporary = path + ".tmp"
    guard
      FileManager.default.createFile(
        atPath: temporary, contents: nil, attributes: [.posixPermissions: 0o600]),
      let handle = FileHandle(forWritingAtPath: temporary)
    else {
      throw StateFolderError(path: temporary, problem: "can't be written")
    }
    do {
      try handle.write(contentsOf: data)
      try handle.synchronize()
      try handle.close()
    } catch {
      try? handle.close()
      throw StateFolderError(path: temporary, problem: "can't be written: \(error)")
    }
    guard rename(temporary, path) == 0 else {
      throw StateFolderError(path: path, problem: "can't be replaced (errno \(errno))")
    }
  }

  /// Creates the folder (0700) if needed.
  static func folder(_ path: String) throws {
    do {
      try FileManager.default.createDirectory(
        atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    } catch {
      throw StateFolderError(path: path, problem: "can't be created: \(error.localizedDescription)")
    }
  }
}

struct StateFolderError: Error, CustomStringConvertible {
  var path: String
  var problem: String
  var description: String { "state folder: \(path) \(problem)" }
}
