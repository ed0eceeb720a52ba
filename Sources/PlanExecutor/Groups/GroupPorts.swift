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

  /// Every group of the tenant (verify finds synced twins in it, restore its earlier rebuilds).
  func groups() async throws -> [CloudGroup]
  /// Direct members, typed (verify counts nested groups).
  func members(ofGroup id: String) async throws -> [SnapshotObject]
  /// The groups this group is a member of.
  func parents(ofGroup id: String) async throws -> [SnapshotObject]
  func addMember(_ memberId: String, toGroup groupId: String) async throws
  func appRoleAssignments(ofGroup id: String) async throws -> [SnapshotAppRoleAssignment]
  func assignAppRole(toGroup id: String, resourceId: String, appRoleId: String) async throws
  /// The group's group-based licences.
  func assignedLicenses(ofGroup id: String) async throws -> [SnapshotLicense]
  func assignLicenses(toGroup id: String, add: [SnapshotLicense]) async throws
  /// Whether a snapshot's member or owner can still be bound to a new group.
  func objectExists(_ object: SnapshotObject) async throws -> Bool
  /// Creates a cloud-only security or Microsoft 365 group with the snapshot's properties
  /// (`mailNickname` set) and these members and owners; returns the new group.
  func createGroup(_ properties: GroupProperties, memberIds: [String], ownerIds: [String])
    async throws -> CloudGroup
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

/// A write the port accepted but the read-back does not show, printed as GraphClient prints its
/// `notApplied` error so the group commands' outcome text does not depend on the port.
public struct GroupReadBackError: GroupStepRefusal, Hashable {
  public var message: String
  public var description: String { "GraphError.notApplied: " + message }
}
