import ActiveDirectory
import AnchorCore
import PlanExecutor

/// The executor's `DirectoryPort` over `ActiveDirectoryWriter`: the mS-DS-ConsistencyGuid of the
/// DNs an anchor writeback plan names, each read and written on its source's protected session.
struct LDAPDirectoryPort: DirectoryPort {
  let writer: ActiveDirectoryWriter

  /// Each DN on the source the plan says it came from.
  init(sources: [DirectorySource], plan: Plan) {
    writer = ActiveDirectoryWriter(sources: sources, plan: plan)
  }

  /// For a rollback, which has only the journal's DNs (see `ActiveDirectoryWriter`'s routing).
  init(sources: [DirectorySource], distinguishedNames: [String]) {
    writer = ActiveDirectoryWriter(sources: sources, distinguishedNames: distinguishedNames)
  }

  func readObjects(distinguishedNames: [String]) async throws -> [String: DirectoryObjectState] {
    try await writer.readConsistencyGuids(distinguishedNames).mapValues { state in
      DirectoryObjectState(
        distinguishedName: state.distinguishedName, userPrincipalName: state.userPrincipalName,
        consistencyGuid: state.bytes)
    }
  }

  func write(_ changes: [ConsistencyGuidChange]) async throws -> [Result<Void, TenantPortError>] {
    var results: [Result<Void, TenantPortError>] = []
    for change in changes {
      let result = try await writer.writeConsistencyGuid(
        dn: change.distinguishedName, bytes: change.bytes)
      results.append(result.mapError(Self.portError))
    }
    return results
  }

  /// AD's refusal of one object as the executor journals it: the LDAP result code and its name.
  static func portError(_ error: ActiveDirectoryError) -> TenantPortError {
    guard let code = error.resultCode else { return TenantPortError(refusal: error.detail) }
    return TenantPortError(ldapResultCode: Int(code), name: error.resultName, message: error.detail)
  }
}
