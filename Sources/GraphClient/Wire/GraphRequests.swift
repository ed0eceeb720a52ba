/// Pure builders for every request this client makes (graph-facts §1, §2, §4, §7).
public enum GraphRequests {
  /// `$top` maximum for directory objects (1–999).
  public static let maxPageSize = 999

  static func selectQuery(_ fields: [String], top: Int? = maxPageSize, filter: String? = nil)
    -> String
  {
    var options: [(String, String)] = []
    if let filter { options.append(("$filter", filter)) }
    options.append(("$select", fields.joined(separator: ",")))
    if let top { options.append(("$top", String(min(max(top, 1), maxPageSize)))) }
    return OData.query(options)
  }

  public static func listUsers(select: [String] = GraphUser.selectFields, top: Int = maxPageSize)
    -> GraphRequest
  {
    GraphRequest(
      method: .get, path: "/users" + selectQuery(select, top: top), operation: "GET /users")
  }

  public static func user(_ id: String, select: [String] = GraphUser.selectFields)
    throws(GraphError) -> GraphRequest
  {
    GraphRequest(
      method: .get, path: "/users/\(try GraphObjectID.user(id))" + selectQuery(select, top: nil),
      operation: "GET /users/{id}")
  }

  /// The uniqueness check before writing an anchor: `$filter=onPremisesImmutableId eq '…'`.
  public static func usersWithImmutableID(
    _ value: String, select: [String] = GraphUser.selectFields
  ) -> GraphRequest {
    GraphRequest(
      method: .get,
      path: "/users" + selectQuery(select, top: nil, filter: OData.immutableIDEquals(value)),
      operation: "GET /users?$filter=onPremisesImmutableId")
  }

  public static func listGroups(select: [String] = GraphGroup.selectFields, top: Int = maxPageSize)
    -> GraphRequest
  {
    GraphRequest(
      method: .get, path: "/groups" + selectQuery(select, top: top), operation: "GET /groups")
  }

  public static func group(_ id: String, select: [String] = GraphGroup.selectFields)
    throws(GraphError) -> GraphRequest
  {
    let id = try GraphObjectID.directoryObject(id, what: "group id")
    return GraphRequest(
      method: .get, path: "/groups/\(id)" + selectQuery(select, top: nil),
      operation: "GET /groups/{id}")
  }

  public enum GroupRelation: String, Sendable { case members, owners }

  public static func groupRelation(_ relation: GroupRelation, of groupID: String)
    throws(GraphError) -> GraphRequest
  {
    let id = try GraphObjectID.directoryObject(groupID, what: "group id")
    return GraphRequest(
      method: .get,
      path: "/groups/\(id)/\(relation.rawValue)"
        + selectQuery(["id", "displayName", "userPrincipalName"], top: maxPageSize),
      operation: "GET /groups/{id}/\(relation.rawValue)")
  }

  public static func domains() -> GraphRequest {
    GraphRequest(
      method: .get,
      path: "/domains"
        + selectQuery(
          ["id", "authenticationType", "isDefault", "isInitial", "isRoot", "isVerified"], top: nil),
      operation: "GET /domains")
  }

  /// The tenant's directory synchronization settings (a delegated Global Administrator only).
  public static func onPremisesSynchronization() -> GraphRequest {
    GraphRequest(
      method: .get, path: "/directory/onPremisesSynchronization",
      operation: "read onPremisesSynchronization")
  }

  public static func organization() -> GraphRequest {
    GraphRequest(
      method: .get,
      path: "/organization"
        + selectQuery(
          ["id", "displayName", "onPremisesSyncEnabled", "onPremisesLastSyncDateTime"], top: nil),
      operation: "GET /organization")
  }

  public static func roleAssignments() -> GraphRequest {
    GraphRequest(
      method: .get,
      path: "/roleManagement/directory/roleAssignments"
        + selectQuery(["id", "principalId", "roleDefinitionId", "directoryScopeId"], top: nil),
      operation: "GET /roleManagement/directory/roleAssignments")
  }

  /// First request of a delta round (no `$top` allowed); later rounds start at the deltaLink.
  public static func usersDelta(select: [String] = GraphUser.selectFields) -> GraphRequest {
    GraphRequest(
      method: .get, path: "/users/delta" + selectQuery(select, top: nil),
      operation: "GET /users/delta")
  }

  public static func groupsDelta(select: [String] = GraphGroup.selectFields + ["members"])
    -> GraphRequest
  {
    GraphRequest(
      method: .get, path: "/groups/delta" + selectQuery(select, top: nil),
      operation: "GET /groups/delta")
  }

  /// A link Graph handed out (`@odata.nextLink` / `@odata.deltaLink`), followed verbatim.
  public static func link(_ url: String, operation: String) -> GraphRequest {
    GraphRequest(method: .get, path: url, operation: operation)
  }

  // MARK: Writes

  public static func patchUser(_ id: String, _ patch: UserPatch) throws(GraphError) -> GraphRequest
  {
    guard patch.immutableID != nil || patch.userPrincipalName != nil else {
      throw .invalidInput("user patch for", id, "nothing to change")
    }
    if let upn = patch.userPrincipalName { _ = try GraphObjectID.user(upn) }
    return GraphRequest(
      method: .patch, path: "/users/\(try GraphObjectID.user(id))", body: patch.body,
      headers: ["Content-Type": "application/json"], operation: "PATCH /users/{id}")
  }

  /// `POST /groups`, binding the group's first 20 owners and members; `apiBase` is the client's
  /// `{graphRoot}/v1.0`, used in the bind URLs.
  public static func createGroup(
    _ group: NewGroup, apiBase: String = "https://graph.microsoft.com/v1.0"
  ) throws(GraphError) -> GraphRequest {
    GraphRequest(
      method: .post, path: "/groups", body: try group.body(apiBase: apiBase),
      headers: ["Content-Type": "application/json"], operation: "POST /groups")
  }

  public static func patchGroup(_ id: String, _ patch: GroupPatch) throws(GraphError)
    -> GraphRequest
  {
    let id = try GraphObjectID.directoryObject(id, what: "group id")
    return GraphRequest(
      method: .patch, path: "/groups/\(id)", body: patch.body,
      headers: ["Content-Type": "application/json"], operation: "PATCH /groups/{id}")
  }

  public static func deleteGroup(_ id: String) throws(GraphError) -> GraphRequest {
    let id = try GraphObjectID.directoryObject(id, what: "group id")
    return GraphRequest(method: .delete, path: "/groups/\(id)", operation: "DELETE /groups/{id}")
  }

  /// `DELETE /directory/deletedItems/{id}`: purge a soft-deleted object (a Microsoft 365 group's
  /// addresses stay reserved until then).
  public static func purgeDeletedItem(_ id: String) throws(GraphError) -> GraphRequest {
    let id = try GraphObjectID.directoryObject(id, what: "deleted item id")
    return GraphRequest(
      method: .delete, path: "/directory/deletedItems/\(id)",
      operation: "DELETE /directory/deletedItems/{id}")
  }

  /// `GET /directory/deletedItems/{id}`.
  public static func deletedItem(_ id: String) throws(GraphError) -> GraphRequest {
    let id = try GraphObjectID.directoryObject(id, what: "deleted item id")
    return GraphRequest(
      method: .get, path: "/directory/deletedItems/\(id)",
      operation: "GET /directory/deletedItems/{id}")
  }

  /// `POST /groups/{id}/members/$ref {"@odata.id": "<graph>/v1.0/directoryObjects/{member}"}`.
  public static func addGroupRelation(
    _ relation: GroupRelation, groupID: String, memberID: String, apiBase: String
  ) throws(GraphError) -> GraphRequest {
    let group = try GraphObjectID.directoryObject(groupID, what: "group id")
    let member = try GraphObjectID.directoryObject(memberID, what: "member id")
    return GraphRequest(
      method: .post, path: "/groups/\(group)/\(relation.rawValue)/$ref",
      body: .object(["@odata.id": .string("\(apiBase)/directoryObjects/\(member)")]),
      headers: ["Content-Type": "application/json"],
      operation: "POST /groups/{id}/\(relation.rawValue)/$ref")
  }

  /// `DELETE /groups/{id}/members/{member}/$ref`.
  public static func removeGroupRelation(
    _ relation: GroupRelation, groupID: String, memberID: String
  )
    throws(GraphError) -> GraphRequest
  {
    let group = try GraphObjectID.directoryObject(groupID, what: "group id")
    let member = try GraphObjectID.directoryObject(memberID, what: "member id")
    return GraphRequest(
      method: .delete, path: "/groups/\(group)/\(relation.rawValue)/\(member)/$ref",
      operation: "DELETE /groups/{id}/\(relation.rawValue)/{id}/$ref")
  }
}
