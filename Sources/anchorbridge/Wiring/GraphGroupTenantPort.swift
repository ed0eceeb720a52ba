import AnchorCore
import GraphClient
import PlanExecutor

/// A Graph refusal of one group step: journaled `failed`, the other groups go on.
extension GraphError: GroupStepRefusal {}

/// The group executor's tenant: GraphClient's group calls, snapshots read as `groups plan` reads
/// them (parents named by the tenant's groups read once before the run).
struct GraphGroupTenantPort: GroupTenantPort {
  let client: GraphClient
  let known: [String: GraphGroup]

  func groupExists(_ id: String) async throws -> Bool { try await client.groupExists(id) }

  /// Reads one cloud group completely: its properties, members, owners, parents, app role
  /// assignments and licences. `known` gives parents' kinds and sync state.
  func snapshot(group id: String) async throws -> GroupSnapshot {
    let group = try await client.group(id, select: GraphGroup.snapshotFields)
    func object(_ item: GraphDirectoryObject) -> SnapshotObject {
      let type = SnapshotObject.type(odataType: item.odataType)
      let parent = type == .group ? known[item.id.lowercased()] : nil
      return SnapshotObject(
        id: item.id, type: type, displayName: item.displayName,
        userPrincipalName: item.userPrincipalName,
        groupKind: parent.map { GroupOperations.cloudGroup($0).kind },
        synced: parent.map { $0.onPremisesSyncEnabled == true })
    }
    let members = try await client.members(ofGroup: id).collect().map(object)
    let owners = try await client.owners(ofGroup: id).collect().map(object)
    let parents = try await client.parentGroups(ofGroup: id).collect().map(object)
    let roles = try await client.appRoleAssignments(ofGroup: id).collect().map {
      SnapshotAppRoleAssignment(
        id: $0.id, appRoleId: $0.appRoleId, resourceId: $0.resourceId,
        resourceDisplayName: $0.resourceDisplayName)
    }
    return GroupSnapshot(
      takenAt: Clock.now(),
      group: GroupProperties(
        id: group.id, displayName: group.displayName ?? "", description: group.description,
        mail: group.mail, mailNickname: group.mailNickname,
        proxyAddresses: group.proxyAddresses ?? [], groupTypes: group.groupTypes ?? [],
        mailEnabled: group.mailEnabled ?? false, securityEnabled: group.securityEnabled ?? false,
        visibility: group.visibility, isAssignableToRole: group.isAssignableToRole,
        membershipRule: group.membershipRule, classification: group.classification,
        preferredLanguage: group.preferredLanguage,
        resourceProvisioningOptions: group.resourceProvisioningOptions ?? [],
        onPremisesSyncEnabled: group.onPremisesSyncEnabled,
        onPremisesSecurityIdentifier: group.onPremisesSecurityIdentifier),
      members: members, owners: owners, parents: parents, appRoleAssignments: roles,
      assignedLicenses: (group.assignedLicenses ?? []).map {
        SnapshotLicense(skuId: $0.skuId, disabledPlans: $0.disabledPlans)
      })
  }

  func deleteGroup(_ id: String) async throws { try await client.deleteGroup(id) }

  func deletedItemExists(_ id: String) async throws -> Bool {
    try await client.deletedItemExists(id)
  }

  func purgeDeletedItem(_ id: String) async throws { try await client.purgeDeletedItem(id) }

  func isCloudManaged(group id: String) async throws -> Bool {
    try await client.isCloudManaged(group: id)
  }

  func setCloudManaged(_ value: Bool, group id: String) async throws {
    try await client.setCloudManaged(value, group: id)
  }

  func groups() async throws -> [CloudGroup] {
    try await client.groups().collect().map(GroupOperations.cloudGroup)
  }

  func members(ofGroup id: String) async throws -> [SnapshotObject] {
    try await client.members(ofGroup: id).collect().map(Self.object)
  }

  func parents(ofGroup id: String) async throws -> [SnapshotObject] {
    try await client.parentGroups(ofGroup: id).collect().map(Self.object)
  }

  func addMember(_ memberId: String, toGroup groupId: String) async throws {
    try await client.addMember(memberId, toGroup: groupId)
  }

  func appRoleAssignments(ofGroup id: String) async throws -> [SnapshotAppRoleAssignment] {
    try await client.appRoleAssignments(ofGroup: id).collect().map {
      SnapshotAppRoleAssignment(
        id: $0.id, appRoleId: $0.appRoleId, resourceId: $0.resourceId,
        resourceDisplayName: $0.resourceDisplayName)
    }
  }

  func assignAppRole(toGroup id: String, resourceId: String, appRoleId: String) async throws {
    _ = try await client.assignAppRole(toGroup: id, resourceId: resourceId, appRoleId: appRoleId)
  }

  func assignedLicenses(ofGroup id: String) async throws -> [SnapshotLicense] {
    (try await client.group(id, select: GraphGroup.snapshotFields).assignedLicenses ?? []).map {
      SnapshotLicense(skuId: $0.skuId, disabledPlans: $0.disabledPlans)
    }
  }

  func assignLicenses(toGroup id: String, add: [SnapshotLicense]) async throws {
    try await client.assignLicenses(
      toGroup: id,
      add: add.map { GraphAssignedLicense(skuId: $0.skuId, disabledPlans: $0.disabledPlans) },
      remove: [])
  }

  /// Users and groups are looked up; contacts, devices and service principals are bound as they
  /// are (Graph refuses the create if one is gone, and names it in the error).
  func objectExists(_ object: SnapshotObject) async throws -> Bool {
    do {
      switch object.type {
      case .user: _ = try await client.user(object.id)
      case .group: return try await client.groupExists(object.id)
      case .orgContact, .device, .servicePrincipal: return true
      case .other: return false
      }
      return true
    } catch let error as GraphError where error.status == 404 {
      return false
    }
  }

  func createGroup(_ properties: GroupProperties, memberIds: [String], ownerIds: [String])
    async throws -> CloudGroup
  {
    let kind: NewGroup.Kind =
      properties.kind == .microsoft365
      ? .microsoft365(securityEnabled: properties.securityEnabled) : .security
    let created = try await client.createGroup(
      NewGroup(
        kind: kind, displayName: properties.displayName,
        mailNickname: properties.mailNickname ?? GroupExecutor.nickname(properties.displayName),
        description: properties.description, visibility: properties.visibility,
        memberIDs: memberIds, ownerIDs: ownerIds))
    return GroupOperations.cloudGroup(created)
  }

  private static func object(_ item: GraphDirectoryObject) -> SnapshotObject {
    SnapshotObject(
      id: item.id, type: SnapshotObject.type(odataType: item.odataType),
      displayName: item.displayName, userPrincipalName: item.userPrincipalName)
  }
}
