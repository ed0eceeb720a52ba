import Foundation

/// What a group grants beyond its members: parent groups (`memberOf`), app role assignments and
/// group-based licences (graph-facts §4 "Capture before deleting/recreating a group"). All of it
/// is allowed on synced groups too: Entra masters these in the cloud.
extension GraphService {
  /// `GET /groups/{id}/memberOf`: the groups that hold this group as a member.
  func listParentGroups(_ call: GraphCall, index: Int) throws -> GraphReply {
    guard call.segments.count == 3 else { throw GraphFailure.segmentNotFound(call.segments[3]) }
    guard call.method == "GET" else { throw Self.methodNotAllowed }
    let id = state.groups[index].string("id")!
    let select = try selection(call, GraphSchema.group)
    return try listing(
      call, path: "groups/\(id)/memberOf", kind: .directoryObject,
      ids: {
        state.groups.filter { $0.strings("members").contains(id) }.compactMap { $0.string("id") }
      }, select: select, context: "directoryObjects")
  }

  // MARK: - App role assignments

  func appRoleAssignments(of group: JSONObject) -> [JSONObject] {
    group["appRoleAssignments"]?.arrayValue?.compactMap(\.objectValue) ?? []
  }

  func renderAppRoleAssignment(_ assignment: JSONObject, of group: JSONObject, select: [String]?)
    -> JSONValue
  {
    var filled = assignment
    filled["principalId"] = group["id"]
    filled["principalType"] = .string("Group")
    if filled["principalDisplayName"] == nil || filled["principalDisplayName"] == .null {
      filled["principalDisplayName"] = group["displayName"]
    }
    return project(filled, GraphSchema.appRoleAssignment, select: select)
  }

  func routeAppRoleAssignments(_ call: GraphCall, index: Int) throws -> GraphReply {
    let group = state.groups[index]
    let groupId = group.string("id")!
    switch (call.method, call.segments.count) {
    case ("GET", 3):
      let select = try selection(call, GraphSchema.appRoleAssignment)
      return try listing(
        call, path: "groups/\(groupId)/appRoleAssignments",
        kind: .appRoleAssignment(group: groupId),
        ids: { appRoleAssignments(of: group).compactMap { $0.string("id") } }, select: select,
        context: "groups('\(groupId)')/appRoleAssignments")
    case ("POST", 3):
      return try createAppRoleAssignment(call, index: index)
    case ("GET", 4):
      let select = try selection(call, GraphSchema.appRoleAssignment)
      guard
        let assignment = appRoleAssignments(of: group).first(where: {
          $0.string("id") == call.segments[3]
        })
      else { throw GraphFailure.notFound(call.segments[3]) }
      guard case .object(var body) = renderAppRoleAssignment(assignment, of: group, select: select)
      else { return .json(.null) }
      body["@odata.context"] = .string(
        "\(baseURL)/v1.0/$metadata#groups('\(groupId)')/appRoleAssignments/$entity")
      return .json(.object(body))
    case ("DELETE", 4):
      let assignments = appRoleAssignments(of: group)
      // Assignment ids are case-sensitive (base64url), unlike object ids.
      guard assignments.contains(where: { $0.string("id") == call.segments[3] }) else {
        throw GraphFailure.notFound(call.segments[3])
      }
      state.groups[index]["appRoleAssignments"] = .array(
        assignments.filter { $0.string("id") != call.segments[3] }.map { .object($0) })
      return .noContent
    default:
      throw Self.methodNotAllowed
    }
  }

  /// `POST /groups/{id}/appRoleAssignments {"principalId", "resourceId", "appRoleId"}` → 201.
  private func createAppRoleAssignment(_ call: GraphCall, index: Int) throws -> GraphReply {
    let body = try call.jsonObject(type: "microsoft.graph.appRoleAssignment")
    let group = state.groups[index]
    let groupId = group.string("id")!
    let settable: Set<String> = ["principalId", "resourceId", "appRoleId"]
    for name in body.keys.sorted() where !settable.contains(name) {
      guard GraphSchema.appRoleAssignment.kind(of: name) != nil else {
        throw GraphFailure(
          status: 400, code: "BadRequest",
          message: "Property '\(name)' does not exist as a declared property or extension property."
        )
      }
      throw GraphFailure.badRequest("Property '\(name)' is read-only and cannot be set.")
    }
    // The docs say only that principalId is the group's id; what Graph answers for another id
    // is not documented — the emulator reports it as an invalid principalId.
    guard body.string("principalId")?.lowercased() == groupId else {
      throw GraphFailure.invalidValue("principalId", "AppRoleAssignment")
    }
    var guids: [String: String] = [:]
    for name in ["resourceId", "appRoleId"] {
      guard let value = body.string(name), UUID(uuidString: value) != nil else {
        throw GraphFailure.invalidValue(name, "AppRoleAssignment")
      }
      guids[name] = value.lowercased()
    }
    let existing = appRoleAssignments(of: group)
    if existing.contains(where: {
      $0.string("resourceId") == guids["resourceId"] && $0.string("appRoleId") == guids["appRoleId"]
    }) {
      throw GraphFailure.badRequest("Permission being assigned already exists on the object")
    }
    // The emulator has no service principals: a resource's name is known only from another
    // assignment to it in this tenant.
    let resourceName =
      state.groups.lazy.flatMap { self.appRoleAssignments(of: $0) }
      .first { $0.string("resourceId") == guids["resourceId"] }?["resourceDisplayName"] ?? .null
    let assignment: JSONObject = [
      "id": .string(Self.newAppRoleAssignmentId()),
      "appRoleId": .string(guids["appRoleId"]!), "resourceId": .string(guids["resourceId"]!),
      "resourceDisplayName": resourceName, "principalId": .string(groupId),
      "principalType": .string("Group"), "principalDisplayName": group["displayName"] ?? .null,
      "createdDateTime": .string(GraphClock.isoUTC(Date())), "deletedDateTime": .null,
    ]
    state.groups[index]["appRoleAssignments"] = .array(
      (existing + [assignment]).map { .object($0) })
    guard case .object(var reply) = renderAppRoleAssignment(assignment, of: group, select: nil)
    else { return .json(.null) }
    reply["@odata.context"] = .string(
      "\(baseURL)/v1.0/$metadata#groups('\(groupId)')/appRoleAssignments/$entity")
    return .json(.object(reply), status: 201)
  }

  /// Graph's assignment ids are 43-character base64url strings (32 bytes), not GUIDs.
  static func newAppRoleAssignmentId() -> String {
    var generator = SystemRandomNumberGenerator()
    let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    return Base64URL.encode(Data(bytes))
  }

  // MARK: - Group-based licensing

  /// `POST /groups/{id}/assignLicense {"addLicenses": [{skuId, disabledPlans}],
  /// "removeLicenses": [skuId]}` → 200 with the group.
  func assignLicense(_ call: GraphCall, index: Int) throws -> GraphReply {
    guard call.segments.count == 3 else { throw GraphFailure.segmentNotFound(call.segments[3]) }
    guard call.method == "POST" else { throw Self.methodNotAllowed }
    let body = try call.jsonObject(type: nil)
    for name in body.keys.sorted() where name != "addLicenses" && name != "removeLicenses" {
      throw GraphFailure(
        status: 400, code: "BadRequest",
        message:
          "The parameter '\(name)' in the request payload is not a valid parameter for the operation 'assignLicense'."
      )
    }
    let missing = ["addLicenses", "removeLicenses"].filter { body[$0] == nil }
    guard missing.isEmpty else {
      throw GraphFailure(
        status: 400, code: "BadRequest",
        message:
          "One or more parameters of the operation 'assignLicense' are missing from the request payload. The missing parameters are: \(missing.joined(separator: ", "))."
      )
    }
    let add = try Self.licenses(body["addLicenses"]!)
    guard let removeValues = body["removeLicenses"]!.stringArray,
      removeValues.allSatisfy({ UUID(uuidString: $0) != nil })
    else { throw GraphFailure.invalidValue("removeLicenses", "Group") }
    let remove = removeValues.map { $0.lowercased() }

    let group = state.groups[index]
    // Group-based licensing needs a security principal: security groups (mail-enabled or not)
    // and Microsoft 365 groups with securityEnabled. The docs don't quote Graph's refusal for
    // other groups; this message is the emulator's choice.
    guard group.bool("securityEnabled") == true else {
      throw GraphFailure.badRequest(
        "License assignment is only supported for security-enabled groups.")
    }
    if let both = add.first(where: { remove.contains($0.skuId) }) {
      throw GraphFailure.badRequest(
        "License \(both.skuId) is present in both addLicenses and removeLicenses.")
    }
    var current = (group["assignedLicenses"]?.arrayValue ?? []).compactMap(\.objectValue)
    for sku in remove {
      // As for users: removing a licence the object doesn't hold is refused (emulator's reading).
      guard current.contains(where: { $0.string("skuId")?.lowercased() == sku }) else {
        throw GraphFailure.badRequest("Group does not have a corresponding license.")
      }
      current.removeAll { $0.string("skuId")?.lowercased() == sku }
    }
    for license in add {
      let object: JSONObject = [
        "skuId": .string(license.skuId), "disabledPlans": JSONCoding.strings(license.disabledPlans),
      ]
      // Adding a SKU the group holds replaces its disabled plans, as Graph does for users.
      if let position = current.firstIndex(where: {
        $0.string("skuId")?.lowercased() == license.skuId
      }) {
        current[position] = object
      } else {
        current.append(object)
      }
    }
    state.groups[index]["assignedLicenses"] = .array(current.map { .object($0) })
    bumpVersion(group.string("id")!)
    guard case .object(var reply) = renderGroup(state.groups[index], select: nil) else {
      return .json(.null)
    }
    reply["@odata.context"] = .string("\(baseURL)/v1.0/$metadata#groups/$entity")
    return .json(.object(reply))
  }

  private static func licenses(_ value: JSONValue) throws -> [(
    skuId: String, disabledPlans: [String]
  )] {
    guard let items = value.arrayValue else {
      throw GraphFailure.invalidValue("addLicenses", "Group")
    }
    return try items.map { item in
      guard let object = item.objectValue, let sku = object.string("skuId"),
        UUID(uuidString: sku) != nil
      else { throw GraphFailure.invalidValue("skuId", "AssignedLicense") }
      let plansValue = object["disabledPlans"] ?? .array([])
      guard let plans = plansValue == .null ? [] : plansValue.stringArray,
        plans.allSatisfy({ UUID(uuidString: $0) != nil })
      else { throw GraphFailure.invalidValue("disabledPlans", "AssignedLicense") }
      return (sku.lowercased(), plans.map { $0.lowercased() })
    }
  }
}
