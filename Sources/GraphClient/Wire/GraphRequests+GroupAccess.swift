/// Request builders for what a group grants besides membership — parent groups, app role
/// assignments, group-based licences — and for Group Source of Authority (graph-facts §4).
extension GraphRequests {
  /// `GET /groups/{id}/memberOf`: the groups (and directory roles, administrative units) that
  /// hold this group; `@odata.type` tells them apart.
  public static func parentGroups(of groupID: String) throws(GraphError) -> GraphRequest {
    let id = try GraphObjectID.directoryObject(groupID, what: "group id")
    return GraphRequest(
      method: .get, path: "/groups/\(id)/memberOf" + selectQuery(["id", "displayName"]),
      operation: "GET /groups/{id}/memberOf")
  }

  /// `GET /groups/{id}/appRoleAssignments` (all properties; paged by `@odata.nextLink`).
  public static func appRoleAssignments(of groupID: String) throws(GraphError) -> GraphRequest {
    let id = try GraphObjectID.directoryObject(groupID, what: "group id")
    return GraphRequest(
      method: .get, path: "/groups/\(id)/appRoleAssignments",
      operation: "GET /groups/{id}/appRoleAssignments")
  }

  /// `POST /groups/{id}/appRoleAssignments {"principalId": group, "resourceId", "appRoleId"}`.
  public static func assignAppRole(toGroup groupID: String, resourceId: String, appRoleId: String)
    throws(GraphError) -> GraphRequest
  {
    let id = try GraphObjectID.directoryObject(groupID, what: "group id")
    let resource = try GraphObjectID.directoryObject(resourceId, what: "resourceId")
    let role = try GraphObjectID.directoryObject(appRoleId, what: "appRoleId")
    return GraphRequest(
      method: .post, path: "/groups/\(id)/appRoleAssignments",
      body: .object([
        "principalId": .string(id), "resourceId": .string(resource), "appRoleId": .string(role),
      ]), headers: ["Content-Type": "application/json"],
      operation: "POST /groups/{id}/appRoleAssignments")
  }

  /// `DELETE /groups/{id}/appRoleAssignments/{assignmentId}`.
  public static func removeAppRoleAssignment(_ assignmentID: String, fromGroup groupID: String)
    throws(GraphError) -> GraphRequest
  {
    let id = try GraphObjectID.directoryObject(groupID, what: "group id")
    return GraphRequest(
      method: .delete,
      path: "/groups/\(id)/appRoleAssignments/\(try appRoleAssignmentID(assignmentID))",
      operation: "DELETE /groups/{id}/appRoleAssignments/{id}")
  }

  /// Assignment ids are base64url text (`A–Z a–z 0–9 - _`), case-sensitive, not GUIDs.
  static func appRoleAssignmentID(_ value: String) throws(GraphError) -> String {
    guard !value.isEmpty, value.utf8.count <= 128,
      value.unicodeScalars.allSatisfy({
        ($0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil))
          || $0 == "-" || $0 == "_"
      })
    else {
      throw .invalidInput(
        "app role assignment id", value, "expected base64url text (A–Z, a–z, 0–9, - and _)")
    }
    return value
  }

  /// `POST /groups/{id}/assignLicense {"addLicenses": [...], "removeLicenses": [...]}`.
  public static func assignLicenses(
    toGroup groupID: String, add: [GraphAssignedLicense], remove: [String]
  ) throws(GraphError) -> GraphRequest {
    let id = try GraphObjectID.directoryObject(groupID, what: "group id")
    guard !add.isEmpty || !remove.isEmpty else {
      throw .invalidInput("licence change for group", groupID, "nothing to add or remove")
    }
    var added: [JSONValue] = []
    for license in add {
      let sku = try GraphObjectID.directoryObject(license.skuId, what: "skuId")
      var plans: [JSONValue] = []
      for plan in license.disabledPlans {
        plans.append(.string(try GraphObjectID.directoryObject(plan, what: "disabled plan id")))
      }
      added.append(.object(["skuId": .string(sku), "disabledPlans": .array(plans)]))
    }
    var removed: [JSONValue] = []
    for sku in remove {
      removed.append(.string(try GraphObjectID.directoryObject(sku, what: "skuId to remove")))
    }
    return GraphRequest(
      method: .post, path: "/groups/\(id)/assignLicense",
      body: .object(["addLicenses": .array(added), "removeLicenses": .array(removed)]),
      headers: ["Content-Type": "application/json"], operation: "POST /groups/{id}/assignLicense")
  }

  /// `GET /groups/{id}/onPremisesSyncBehavior?$select=isCloudManaged`.
  public static func syncBehavior(ofGroup groupID: String) throws(GraphError) -> GraphRequest {
    let id = try GraphObjectID.directoryObject(groupID, what: "group id")
    return GraphRequest(
      method: .get,
      path: "/groups/\(id)/onPremisesSyncBehavior" + selectQuery(["isCloudManaged"], top: nil),
      operation: "GET /groups/{id}/onPremisesSyncBehavior")
  }

  /// `PATCH /groups/{id}/onPremisesSyncBehavior {"isCloudManaged": value}`: `true` moves the
  /// group's source of authority to the cloud, `false` hands it back to AD sync.
  public static func setSyncBehavior(ofGroup groupID: String, isCloudManaged: Bool)
    throws(GraphError) -> GraphRequest
  {
    let id = try GraphObjectID.directoryObject(groupID, what: "group id")
    return GraphRequest(
      method: .patch, path: "/groups/\(id)/onPremisesSyncBehavior",
      body: .object(["isCloudManaged": .bool(isCloudManaged)]),
      headers: ["Content-Type": "application/json"],
      operation: "PATCH /groups/{id}/onPremisesSyncBehavior")
  }
}
