/// Reads and writes for group migration: parent groups, app role assignments, group-based
/// licences and Group Source of Authority (graph-facts §4).
extension GraphClient {
  /// The groups this group is a member of (`memberOf`; may also list directory roles and
  /// administrative units — check `odataType`).
  public func parentGroups(ofGroup id: String) throws -> GraphPages<GraphDirectoryObject> {
    pages(try GraphRequests.parentGroups(of: id))
  }

  public func appRoleAssignments(ofGroup id: String) throws -> GraphPages<GraphAppRoleAssignment> {
    pages(try GraphRequests.appRoleAssignments(of: id))
  }

  /// `true` once the group's source of authority is the cloud (SOA converted); `false` while AD
  /// sync owns it. A tenant without Group SOA answers `400 BadRequest` ("Resource not found for
  /// the segment 'onPremisesSyncBehavior'"), thrown as a `GraphError`.
  public func isCloudManaged(group id: String) async throws -> Bool {
    let request = try GraphRequests.syncBehavior(ofGroup: id)
    let body = try await send(request).decode(SyncBehaviorBody.self, operation: request.operation)
    guard let value = body.isCloudManaged else {
      throw GraphError(
        kind: .invalidResponse, message: "onPremisesSyncBehavior has no isCloudManaged",
        operation: request.operation)
    }
    return value
  }

  /// Gives the group to `resourceId`'s app role `appRoleId` (all zeros: default access).
  @discardableResult
  public func assignAppRole(toGroup groupID: String, resourceId: String, appRoleId: String)
    async throws -> GraphAppRoleAssignment
  {
    let request = try GraphRequests.assignAppRole(
      toGroup: groupID, resourceId: resourceId, appRoleId: appRoleId)
    return try await send(request).decode(
      GraphAppRoleAssignment.self, operation: request.operation)
  }

  public func removeAppRoleAssignment(_ assignmentID: String, fromGroup groupID: String)
    async throws
  {
    _ = try await send(
      try GraphRequests.removeAppRoleAssignment(assignmentID, fromGroup: groupID))
  }

  /// Adds (or re-plans) `add` and removes the SKUs in `remove`; returns the group Graph sends
  /// back (its default properties).
  @discardableResult
  public func assignLicenses(
    toGroup groupID: String, add: [GraphAssignedLicense], remove: [String]
  ) async throws -> GraphGroup {
    let request = try GraphRequests.assignLicenses(toGroup: groupID, add: add, remove: remove)
    return try await send(request).decode(GraphGroup.self, operation: request.operation)
  }

  /// `true` converts a synced group to cloud management (Group SOA); `false` returns it to AD
  /// sync, which completes with the next sync cycle.
  public func setCloudManaged(_ value: Bool, group id: String) async throws {
    _ = try await send(try GraphRequests.setSyncBehavior(ofGroup: id, isCloudManaged: value))
  }
}

/// `microsoft.graph.onPremisesSyncBehavior`.
struct SyncBehaviorBody: Decodable {
  var isCloudManaged: Bool?
}
