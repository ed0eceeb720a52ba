import AnchorCore

/// A directory object as the executor reads it back for an anchor writeback.
public struct DirectoryObjectState: Hashable, Sendable {
  public var distinguishedName: String
  public var userPrincipalName: String?
  /// The raw mS-DS-ConsistencyGuid bytes; nil when the attribute is absent.
  public var consistencyGuid: [UInt8]?

  public init(distinguishedName: String, userPrincipalName: String?, consistencyGuid: [UInt8]?) {
    self.distinguishedName = distinguishedName
    self.userPrincipalName = userPrincipalName
    self.consistencyGuid = consistencyGuid
  }
}

/// One LDAP modify of one object's mS-DS-ConsistencyGuid: replace with 16 bytes, or delete.
public struct ConsistencyGuidChange: Hashable, Sendable {
  public var distinguishedName: String
  /// The bytes to write; nil removes the attribute.
  public var bytes: [UInt8]?

  public init(distinguishedName: String, bytes: [UInt8]?) {
    self.distinguishedName = distinguishedName
    self.bytes = bytes
  }
}

/// What the executor needs from a directory for `anchorWriteback` plans. The CLI's Wiring joins
/// LDAPClient to it (secure bind only); tests use an in-memory directory.
public protocol DirectoryPort: Sendable {
  /// Current state of each DN. DNs the directory doesn't know are absent.
  func readObjects(distinguishedNames: [String]) async throws -> [String: DirectoryObjectState]
  /// Applies the changes; one result per change, in order (a refused modify is a failure carrying
  /// the LDAP result code, `TenantPortError(ldapResultCode:name:message:)`; the adapter throws only
  /// when the directory is unreachable).
  func write(_ changes: [ConsistencyGuidChange]) async throws -> [Result<Void, TenantPortError>]
}

/// Runs anchor writeback plans through the executor's tenant machinery unchanged (positioning,
/// journal, compare-and-set, read-back, recovery, rollback): the object id is the twin's DN and
/// the "ImmutableID" the executor compares and writes is the anchor the twin's
/// mS-DS-ConsistencyGuid holds, base64 of its bytes (`PlanKind.anchorWriteback`).
public struct DirectoryAnchorPort: TenantPort {
  public let directory: any DirectoryPort

  public init(directory: any DirectoryPort) {
    self.directory = directory
  }

  public func readUsers(ids: [String]) async throws -> [String: CloudUserState] {
    var states: [String: CloudUserState] = [:]
    for (dn, object) in try await directory.readObjects(distinguishedNames: ids) {
      states[dn] = CloudUserState(
        id: dn, userPrincipalName: object.userPrincipalName ?? "",
        immutableId: object.consistencyGuid.map { SourceAnchor(binaryValue: $0).immutableId },
        onPremisesSyncEnabled: nil)
    }
    return states
  }

  public func write(_ changes: [UserChange]) async throws -> [WriteOutcome] {
    var results = [Result<Void, TenantPortError>?](repeating: nil, count: changes.count)
    var modifies: [ConsistencyGuidChange] = []
    var positions: [Int] = []
    for (index, change) in changes.enumerated() {
      if change.userPrincipalName != nil {
        results[index] = .failure(Self.refusal("an anchor writeback never changes a UPN"))
        continue
      }
      switch change.anchor {
      case .set(let text)?:
        guard let guid = SourceAnchor(immutableId: text).guid else {
          results[index] = .failure(
            Self.refusal(
              "'\(text)' is not base64 of 16 bytes: not written to mS-DS-ConsistencyGuid"))
          continue
        }
        modifies.append(ConsistencyGuidChange(distinguishedName: change.userId, bytes: guid.bytes))
      case .clear?:
        modifies.append(ConsistencyGuidChange(distinguishedName: change.userId, bytes: nil))
      case nil:
        results[index] = .failure(Self.refusal("the change writes nothing"))
        continue
      }
      positions.append(index)
    }
    if !modifies.isEmpty {
      let written = try await directory.write(modifies)
      guard written.count == modifies.count else {
        throw Self.refusal(
          "the directory port returned \(written.count) results for \(modifies.count) changes")
      }
      for (offset, index) in positions.enumerated() { results[index] = written[offset] }
    }
    return results.map { WriteOutcome($0!) }
  }

  static func refusal(_ message: String) -> TenantPortError {
    TenantPortError(refusal: message)
  }
}
