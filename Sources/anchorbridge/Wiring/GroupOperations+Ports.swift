import ActiveDirectory
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

  func snapshot(group id: String) async throws -> GroupSnapshot {
    try await GroupOperations.snapshot(client: client, id: id, known: known)
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
}

/// The group executor's directory: the AD group writer.
struct WriterGroupDirectoryPort: GroupDirectoryPort {
  let writer: ActiveDirectoryWriter

  func prepareGroup(
    distinguishedName: String, source: String, _ preparation: DirectoryPreparation,
    extraProxyAddresses: [String]
  ) async throws -> [String] {
    try await writer.prepareGroup(
      dn: distinguishedName, source: source, preparation, extraProxyAddresses: extraProxyAddresses
    ).added
  }
}
