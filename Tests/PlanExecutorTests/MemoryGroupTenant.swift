import AnchorCore
import PlanExecutor

/// A refusal the in-memory tenant raises, as Graph would (403).
struct MemoryRefusal: GroupStepRefusal {
  var description: String
}

/// An in-memory tenant of cloud groups: snapshots as the plan took them, deleted items, Source of
/// Authority flags; it counts every write.
actor MemoryGroupTenant: GroupTenantPort {
  private(set) var groups: [String: GroupSnapshot]
  private(set) var deleted: Set<String> = []
  private(set) var cloudManaged: Set<String> = []
  private(set) var writes = 0
  var refuseDelete: Set<String> = []

  init(_ groups: [GroupSnapshot]) {
    self.groups = Dictionary(uniqueKeysWithValues: groups.map { ($0.group.id, $0) })
  }

  func refusingDelete(_ id: String) { refuseDelete.insert(id) }
  func change(_ id: String, _ body: (inout GroupSnapshot) -> Void) { body(&groups[id]!) }

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
}
