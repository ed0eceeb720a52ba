import AnchorCore
import PlanExecutor

/// A refusal the in-memory tenant raises, as Graph would (403).
struct MemoryRefusal: GroupStepRefusal {
  var description: String
}

/// An in-memory tenant of cloud groups: snapshots as the plan took them, deleted items, Source of
/// Authority flags, users; it counts every write.
actor MemoryGroupTenant: GroupTenantPort {
  private(set) var groups: [String: GroupSnapshot]
  private(set) var deleted: Set<String> = []
  private(set) var cloudManaged: Set<String> = []
  private(set) var users: Set<String> = []
  private(set) var writes = 0
  private(set) var created = 0
  var refuseDelete: Set<String> = []

  init(_ groups: [GroupSnapshot], users: Set<String> = []) {
    self.groups = Dictionary(uniqueKeysWithValues: groups.map { ($0.group.id, $0) })
    self.users = users
  }

  func refusingDelete(_ id: String) { refuseDelete.insert(id) }
  func change(_ id: String, _ body: (inout GroupSnapshot) -> Void) { body(&groups[id]!) }
  func add(_ group: GroupSnapshot) { groups[group.group.id] = group }
  func remove(_ id: String) { groups[id] = nil }

  func groupExists(_ id: String) async throws -> Bool { groups[id] != nil }
  func snapshot(group id: String) async throws -> GroupSnapshot { groups[id]! }
  func deleteGroup(_ id: String) async throws {
    writes += 1
    if refuseDelete.contains(id) { throw MemoryRefusal(description: "HTTP 403: denied") }
    groups[id] = nil
    deleted.insert(id)
  }
  func deletedItemExists(_ id: String) async throws -> Bool { deleted.contains(id) }
  func purgeDeletedItem(_ id: String) async throws {
    writes += 1
    deleted.remove(id)
  }
  func isCloudManaged(group id: String) async throws -> Bool { cloudManaged.contains(id) }
  func setCloudManaged(_ value: Bool, group id: String) async throws {
    writes += 1
    if value { cloudManaged.insert(id) } else { cloudManaged.remove(id) }
  }

  func groups() async throws -> [CloudGroup] {
    groups.values.sorted { $0.group.id < $1.group.id }.map { snapshot in
      let g = snapshot.group
      return CloudGroup(
        id: g.id, displayName: g.displayName, mail: g.mail, mailEnabled: g.mailEnabled,
        securityEnabled: g.securityEnabled, groupTypes: g.groupTypes,
        proxyAddresses: g.proxyAddresses, onPremisesSyncEnabled: g.onPremisesSyncEnabled,
        onPremisesSecurityIdentifier: g.onPremisesSecurityIdentifier, mailNickname: g.mailNickname)
    }
  }
  func members(ofGroup id: String) async throws -> [SnapshotObject] { groups[id]?.members ?? [] }
  func parents(ofGroup id: String) async throws -> [SnapshotObject] { groups[id]?.parents ?? [] }
  func addMember(_ memberId: String, toGroup groupId: String) async throws {
    writes += 1
    groups[groupId]?.members.append(SnapshotObject(id: memberId, type: .group))
    groups[memberId]?.parents.append(SnapshotObject(id: groupId, type: .group))
  }
  func appRoleAssignments(ofGroup id: String) async throws -> [SnapshotAppRoleAssignment] {
    groups[id]?.appRoleAssignments ?? []
  }
  func assignAppRole(toGroup id: String, resourceId: String, appRoleId: String) async throws {
    writes += 1
    groups[id]?.appRoleAssignments.append(
      SnapshotAppRoleAssignment(id: "ra-\(writes)", appRoleId: appRoleId, resourceId: resourceId))
  }
  func assignedLicenses(ofGroup id: String) async throws -> [SnapshotLicense] {
    groups[id]?.assignedLicenses ?? []
  }
  func assignLicenses(toGroup id: String, add: [SnapshotLicense]) async throws {
    writes += 1
    groups[id]?.assignedLicenses += add
  }
  func objectExists(_ object: SnapshotObject) async throws -> Bool {
    switch object.type {
    case .user: users.contains(object.id)
    case .group: groups[object.id] != nil
    case .orgContact, .device, .servicePrincipal: true
    case .other: false
    }
  }
  func createGroup(_ properties: GroupProperties, memberIds: [String], ownerIds: [String])
    async throws -> CloudGroup
  {
    writes += 1
    created += 1
    var group = properties
    group.id = "new-\(created)"
    groups[group.id] = GroupSnapshot(
      takenAt: "-", group: group, members: memberIds.map { SnapshotObject(id: $0, type: .user) },
      owners: ownerIds.map { SnapshotObject(id: $0, type: .user) })
    return CloudGroup(
      id: group.id, displayName: group.displayName, mail: group.mail,
      mailEnabled: group.mailEnabled, securityEnabled: group.securityEnabled,
      groupTypes: group.groupTypes, mailNickname: group.mailNickname)
  }
}

/// An in-memory AD: each group's members, addresses and managedBy; `prepareGroup` adds only what a
/// group lacks.
actor MemoryGroupDirectory: GroupDirectoryPort {
  private(set) var members: [String: [String]] = [:]
  private(set) var addresses: [String: [String]] = [:]
  private(set) var managedBy: [String: String] = [:]
  private(set) var writes = 0

  func prepareGroup(
    distinguishedName: String, source: String, _ preparation: DirectoryPreparation,
    extraProxyAddresses: [String]
  ) async throws -> [String] {
    var added: [String] = []
    let newMembers = preparation.addMembers.filter {
      !(members[distinguishedName] ?? []).contains($0)
    }
    if !newMembers.isEmpty {
      members[distinguishedName, default: []] += newMembers
      added.append("\(newMembers.count) member(s)")
    }
    let newAddresses = (preparation.addProxyAddresses + extraProxyAddresses).filter {
      !(addresses[distinguishedName] ?? []).contains($0)
    }
    if !newAddresses.isEmpty {
      addresses[distinguishedName, default: []] += newAddresses
      added.append("proxyAddresses " + newAddresses.joined(separator: ", "))
    }
    if let owner = preparation.managedBy, managedBy[distinguishedName] == nil {
      managedBy[distinguishedName] = owner
      added.append("managedBy \(owner)")
    }
    if !added.isEmpty { writes += 1 }
    return added
  }
}
