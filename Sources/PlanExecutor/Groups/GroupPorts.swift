import AnchorCore

/// An error a port raises for one group step that the tenant or directory refused: the step is
/// journaled `failed` with the error's text and the other groups go on. Any other error stops the
/// command.
public protocol GroupStepRefusal: Error, CustomStringConvertible {}

/// What the group executor needs from a tenant. The CLI joins GraphClient to it; tests use an
/// in-memory tenant.
public protocol GroupTenantPort: Sendable {
  func groupExists(_ id: String) async throws -> Bool
  /// The group read completely, as `groups plan` snapshots it (stale detection compares the two).
  func snapshot(group id: String) async throws -> GroupSnapshot
  func deleteGroup(_ id: String) async throws
  /// Whether a deleted group is still in the tenant's deleted items.
  func deletedItemExists(_ id: String) async throws -> Bool
  func purgeDeletedItem(_ id: String) async throws
  func isCloudManaged(group id: String) async throws -> Bool
  func setCloudManaged(_ value: Bool, group id: String) async throws
}

/// What the group executor needs from the directory: adding the cloud addresses, members and
/// owner to an AD group (only values it lacks).
public protocol GroupDirectoryPort: Sendable {
  /// Returns what was added (empty: nothing to change).
  func prepareGroup(
    distinguishedName: String, source: String, _ preparation: DirectoryPreparation,
    extraProxyAddresses: [String]
  ) async throws -> [String]
}

/// A write the port accepted but the read-back does not show. Printed as GraphClient prints its
/// `notApplied` error, the text the group commands have always shown for it.
public struct GroupReadBackError: GroupStepRefusal, Hashable {
  public var message: String
  public var description: String { "GraphError.notApplied: " + message }
}
