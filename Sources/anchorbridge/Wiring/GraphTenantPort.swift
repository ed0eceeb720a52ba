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
    try await client.users(ids: ids, concurrency: concurrency)
  }

  func write(_ changes: [UserChange]) async throws -> [WriteOutcome] {
    var results = [WriteOutcome?](repeating: nil, count: changes.count)
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
        results[index] = .refused(Self.portError(error))
      }
    }
    let outcomes = try await client.patchUsers(writes, concurrency: concurrency)
    for (position, outcome) in zip(positions, outcomes) {
      switch outcome.result {
      case .success: results[position] = .applied
      case .failure(let error) where error.leavesWriteOutcomeUnknown:
        results[position] = .unknown(Self.portError(error))
      case .failure(let error): results[position] = .refused(Self.portError(error))
      }
    }
    return results.map {
      $0
        ?? .unknown(
          TenantPortError(
            status: nil, code: nil, message: "no outcome recorded", requestId: nil))
    }
  }

  static func portError(_ error: GraphError) -> TenantPortError {
    TenantPortError(
      status: error.status, code: error.code, message: error.message, requestId: error.requestID)
  }
}
