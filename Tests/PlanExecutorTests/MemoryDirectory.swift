import AnchorCore
import PlanExecutor

/// An in-memory directory with AD's rules for mS-DS-ConsistencyGuid: single-valued, deleting an
/// absent value is `noSuchAttribute` (16), an unknown DN is `noSuchObject` (32). It can also
/// pretend to accept a write without storing it (a replica that lost it: the read-back must catch it).
actor MemoryDirectory: DirectoryPort {
  struct Object: Hashable {
    var userPrincipalName: String?
    var consistencyGuid: [UInt8]?
  }
  private(set) var objects: [String: Object]
  private(set) var writes: [ConsistencyGuidChange] = []
  /// DNs whose writes are acknowledged but dropped.
  var dropWrites: Set<String> = []

  init(_ objects: [String: Object]) { self.objects = objects }

  func dropping(_ dn: String) { dropWrites.insert(dn) }

  /// DNs whose writes are refused with `insufficientAccessRights` (50).
  var refuseWrites: Set<String> = []

  func refusing(_ dn: String) { refuseWrites.insert(dn) }

  func readObjects(distinguishedNames: [String]) async throws -> [String: DirectoryObjectState] {
    var out: [String: DirectoryObjectState] = [:]
    for dn in distinguishedNames {
      guard let object = objects[dn] else { continue }
      out[dn] = DirectoryObjectState(
        distinguishedName: dn, userPrincipalName: object.userPrincipalName,
        consistencyGuid: object.consistencyGuid)
    }
    return out
  }

  func write(_ changes: [ConsistencyGuidChange]) async throws -> [Result<Void, TenantPortError>] {
    var results: [Result<Void, TenantPortError>] = []
    for change in changes {
      writes.append(change)
      if refuseWrites.contains(change.distinguishedName) {
        results.append(
          .failure(
            TenantPortError(
              ldapResultCode: 50, name: "insufficientAccessRights",
              message: "00002098: SecErr: DSID-03150F94")))
        continue
      }
      guard var object = objects[change.distinguishedName] else {
        results.append(
          .failure(
            TenantPortError(
              ldapResultCode: 32, name: "noSuchObject", message: change.distinguishedName)))
        continue
      }
      if change.bytes == nil && object.consistencyGuid == nil {
        results.append(
          .failure(
            TenantPortError(
              ldapResultCode: 16, name: "noSuchAttribute", message: "mS-DS-ConsistencyGuid")
          ))
        continue
      }
      if !dropWrites.contains(change.distinguishedName) {
        object.consistencyGuid = change.bytes
        objects[change.distinguishedName] = object
      }
      results.append(.success(()))
    }
    return results
  }
}
