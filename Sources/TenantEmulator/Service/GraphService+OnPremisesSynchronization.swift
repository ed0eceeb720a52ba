extension GraphService {
  static let globalAdministrator = "62e90394-69f5-4237-9190-012177145e10"

  /// `GET /directory/onPremisesSynchronization[/{id}]` and `PATCH …/{id} {"features": {…}}`:
  /// delegated only (app-only tokens get 403, as the reference has no application permission),
  /// with `OnPremDirectorySynchronization.Read.All` / `.ReadWrite.All` and a signed-in Global
  /// Administrator.
  func onPremisesSynchronization(_ call: GraphCall) throws -> GraphReply {
    let s = call.segments
    guard call.token.isDelegated, let userId = call.token.userId else {
      throw GraphFailure.insufficientPrivileges
    }
    let scopes = Set(call.token.scopes ?? [])
    let writing = call.method == "PATCH"
    let needed =
      writing
      ? ["OnPremDirectorySynchronization.ReadWrite.All"]
      : ["OnPremDirectorySynchronization.Read.All", "OnPremDirectorySynchronization.ReadWrite.All"]
    guard needed.contains(where: scopes.contains) || scopes.contains("Directory.AccessAsUser.All"),
      holdsRole(Self.globalAdministrator, userId: userId)
    else { throw GraphFailure.insufficientPrivileges }
    let context = "\(baseURL)/v1.0/$metadata#directory/onPremisesSynchronization"
    switch (call.method, s.count) {
    case ("GET", 2):
      return .json(
        .object(["@odata.context": .string(context), "value": .array([synchronizationObject()])]))
    case ("GET", 3):
      guard s[2].lowercased() == state.tenantId else { throw GraphFailure.notFound(s[2]) }
      guard case .object(var body) = synchronizationObject() else { return .json(.null) }
      body["@odata.context"] = .string(context + "/$entity")
      return .json(.object(body))
    case ("PATCH", 3):
      guard s[2].lowercased() == state.tenantId else { throw GraphFailure.notFound(s[2]) }
      let body = try call.jsonObject(type: "microsoft.graph.onPremisesDirectorySynchronization")
      for key in body.keys.sorted() where key != "features" && key != "configuration" {
        throw GraphFailure(
          status: 400, code: "BadRequest",
          message: "Property '\(key)' does not exist as a declared property or extension property.")
      }
      let features = body["features"]?.objectValue ?? [:]
      for (name, value) in features.sorted(by: { $0.key < $1.key }) {
        guard GraphSchema.syncFeatures.contains(name), let flag = value.boolValue else {
          throw GraphFailure.invalidValue(name, "OnPremisesDirectorySynchronizationFeature")
        }
        if name == "softMatchOnUpnEnabled", !flag, state.features.bool(name) == true {
          throw GraphFailure.badRequest(
            "softMatchOnUpnEnabled cannot be disabled once it has been enabled.")
        }
      }
      for (name, value) in features { state.features[name] = value }
      return .noContent
    default:
      throw Self.methodNotAllowed
    }
  }

  private func synchronizationObject() -> JSONValue {
    var features: JSONObject = [:]
    for name in GraphSchema.syncFeatures.sorted() {
      features[name] = .bool(state.features.bool(name) ?? false)
    }
    return .object([
      "id": .string(state.tenantId),
      "configuration": .object([
        "accidentalDeletionPrevention": .object([
          "synchronizationPreventionType": .string("enabledForCount"),
          "alertThreshold": .number(500),
        ])
      ]),
      "features": .object(features),
    ])
  }

  /// Holds the role directly or through a group.
  func holdsRole(_ roleDefinitionId: String, userId: String) -> Bool {
    state.roleAssignments.contains { assignment in
      guard assignment.string("roleDefinitionId") == roleDefinitionId,
        let principal = assignment.string("principalId")
      else { return false }
      return principal == userId
        || (group(withId: principal)?.strings("members").contains(userId) ?? false)
    }
  }
}
