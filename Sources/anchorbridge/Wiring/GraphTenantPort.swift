import Foundation
import GraphClient
import PlanExecutor

/// Joins GraphClient to the executor's `TenantPort`: reads as `$batch` GETs of 20, writes as
/// `$batch` PATCHes through the client's write limiter, retries and throttling.
struct GraphTenantPort: TenantPort {
  let client: GraphClient
  var concurrency = 4

  func readUsers(ids: [String]) async throws -> [String: CloudUserState] {
    try await fetchUsers(ids: ids).mapValues { user in
      CloudUserState(
        id: user.id, userPrincipalName: user.userPrincipalName ?? "",
        immutableId: user.onPremisesImmutableId,
        onPremisesSyncEnabled: user.onPremisesSyncEnabled)
    }
  }

  /// Full user objects by id (ids the tenant doesn't know are absent).
  func fetchUsers(ids: [String]) async throws -> [String: GraphUser] {
    var chunks: [[String]] = []
    var index = 0
    while index < ids.count {
      chunks.append(Array(ids[index..<min(index + BatchWire.maxItems, ids.count)]))
      index += BatchWire.maxItems
    }
    var states: [String: GraphUser] = [:]
    try await withThrowingTaskGroup(of: [String: GraphUser].self) { group in
      var next = 0
      func launch() {
        let chunk = chunks[next]
        next += 1
        group.addTask { try await readChunk(chunk) }
      }
      while next < chunks.count, next < max(1, concurrency) { launch() }
      while let found = try await group.next() {
        states.merge(found) { first, _ in first }
        if next < chunks.count { launch() }
      }
    }
    return states
  }

  private func readChunk(_ ids: [String]) async throws -> [String: GraphUser] {
    var items: [BatchItem] = []
    for (offset, id) in ids.enumerated() {
      items.append(BatchItem(id: String(offset + 1), request: try GraphRequests.user(id)))
    }
    let results = try await client.batch(items)
    var states: [String: GraphUser] = [:]
    for (offset, id) in ids.enumerated() {
      switch results[String(offset + 1)] {
      case .success(let response):
        guard let body = response.body else {
          throw GraphError(
            kind: .invalidResponse, status: response.status, message: "user read has no body",
            operation: "GET /users/{id}")
        }
        states[id] = try JSONDecoder().decode(
          GraphUser.self, from: try JSONEncoder().encode(body))
      case .failure(let error) where error.status == 404:
        continue  // absent: the executor reports the item as notFound
      case .failure(let error):
        throw error
      case nil:
        throw GraphError(
          kind: .invalidResponse, message: "no batch result for user \(id)",
          operation: "GET /users/{id}")
      }
    }
    return states
  }

  func write(_ changes: [UserChange]) async throws -> [Result<Void, TenantPortError>] {
    var results = [Result<Void, TenantPortError>?](repeating: nil, count: changes.count)
    var writes: [UserWrite] = []
    var positions: [Int] = []
    for (index, change) in changes.enumerated() {
      do {
        let anchor: ImmutableIDChange? =
          switch change.anchor {
          case .set(let value)?: .set(try ImmutableID(value))
          case .clear?: .clear
          case nil: nil
          }
        writes.append(
          UserWrite(
            userID: change.userId,
            patch: UserPatch(immutableID: anchor, userPrincipalName: change.userPrincipalName)))
        positions.append(index)
      } catch {
        results[index] = .failure(Self.portError(error))
      }
    }
    let outcomes = try await client.patchUsers(writes, concurrency: concurrency)
    for (position, outcome) in zip(positions, outcomes) {
      results[position] = outcome.result.mapError(Self.portError)
    }
    return results.map {
      $0
        ?? .failure(
          TenantPortError(
            status: nil, code: nil, message: "no outcome recorded", requestId: nil))
    }
  }

  static func portError(_ error: GraphError) -> TenantPortError {
    TenantPortError(
      status: error.status, code: error.code, message: error.message, requestId: error.requestID)
  }
}
