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
      guard var object = objects[change.distinguishedName] else {
        results.append(
          .failure(
            TenantPortError(
              status: 32, code: "noSuchObject", message: change.distinguishedName, requestId: nil)))
        continue
      }
      if change.bytes == nil && object.consistencyGuid == nil {
        results.append(
          .failure(
            TenantPortError(
              status: 16, code: "noSuchAttribute", message: "mS-DS-ConsistencyGuid", requestId: nil)
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
