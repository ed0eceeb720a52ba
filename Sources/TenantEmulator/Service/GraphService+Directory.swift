import Foundation

extension GraphService {
  func renderDomain(_ domain: JSONObject) -> JSONValue {
    var defaults: JSONObject = [
      "availabilityStatus": .null, "isAdminManaged": .bool(true), "isRoot": .bool(true),
      "manufacturer": .null, "model": .null, "passwordNotificationWindowInDays": .number(14),
      "passwordValidityPeriodInDays": .number(2_147_483_647), "state": .null,
      "supportedServices": domain.bool("isVerified") == true
        ? JSONCoding.strings(["Email", "OfficeCommunicationsOnline"]) : .array([]),
    ]
    for (name, value) in domain { defaults[name] = value }
    return .object(defaults)
  }

  func listDomains(_ call: GraphCall) throws -> GraphReply {
    try listing(
      call, path: "domains", kind: .domain, ids: { state.domains.compactMap { $0.string("id") } },
      select: nil, context: "domains")
  }

  func getDomain(_ call: GraphCall, id: String) throws -> GraphReply {
    guard let domain = state.domains.first(where: { $0.string("id") == id.lowercased() }) else {
      throw GraphFailure.notFound(id)
    }
    guard case .object(var body) = renderDomain(domain) else { return .json(.null) }
    body["@odata.context"] = .string("\(baseURL)/v1.0/$metadata#domains/$entity")
    return .json(.object(body))
  }

  func organizationObject() -> JSONValue {
    let verified: [JSONValue] = state.domains.filter { $0.bool("isVerified") == true }.map {
      .object([
        "capabilities": .string("Email, OfficeCommunicationsOnline"),
        "isDefault": .bool($0.bool("isDefault") ?? false),
        "isInitial": .bool($0.bool("isInitial") ?? false),
        "name": .string($0.string("id") ?? ""),
        "type": .string($0.string("authenticationType") ?? "Managed"),
      ])
    }
    var organization: JSONObject = [
      "id": .string(state.tenantId), "displayName": .null, "onPremisesSyncEnabled": .null,
      "onPremisesLastSyncDateTime": .null, "tenantType": .string("AAD"),
      "verifiedDomains": .array(verified),
    ]
    for (name, value) in state.organization { organization[name] = value }
    return .object(organization)
  }

  func organizationCollection() -> GraphReply {
    .json(
      .object([
        "@odata.context": .string("\(baseURL)/v1.0/$metadata#organization"),
        "value": .array([organizationObject()]),
      ]))
  }

  func renderRoleAssignment(_ assignment: JSONObject, expand: Set<String>) -> JSONValue {
    var object: JSONObject = [
      "id": assignment["id"] ?? .null,
      "principalId": assignment["principalId"] ?? .null,
      "roleDefinitionId": assignment["roleDefinitionId"] ?? .null,
      "directoryScopeId": assignment["directoryScopeId"] ?? .string("/"),
      "appScopeId": .null, "condition": .null,
    ]
    if expand.contains("roleDefinition") {
      object["roleDefinition"] = RoleCatalogue.definition(
        id: assignment.string("roleDefinitionId") ?? "",
        fallbackName: assignment.string("roleName"))
    }
    if expand.contains("principal") {
      let principal = assignment.string("principalId") ?? ""
      object["principal"] =
        render(id: principal, kind: .directoryObject, select: nil, expand: [])
        ?? .null
    }
    return .object(object)
  }

  func listRoleAssignments(_ call: GraphCall) throws -> GraphReply {
    let filter = try self.filter(call, .roleAssignments)
    var expand: Set<String> = []
    if let raw = call.query["$expand"] {
      for item in raw.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
        guard item == "roleDefinition" || item == "principal" else {
          throw GraphFailure(
            status: 400, code: "BadRequest",
            message:
              "Could not find a property named '\(item)' on type 'microsoft.graph.unifiedRoleAssignment'."
          )
        }
        expand.insert(item)
      }
    }
    return try listing(
      call, path: "roleManagement/directory/roleAssignments", kind: .roleAssignment,
      ids: {
        state.roleAssignments.filter { item in
          filter.map { FilterSupport.roleAssignments.matches(item, $0) } ?? true
        }.compactMap { $0.string("id") }
      }, select: nil, expand: expand,
      context: ODataContext.collection(
        "roleManagement/directory/roleAssignments", select: nil, expand: expand.sorted()))
  }
}
