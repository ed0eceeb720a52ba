import Foundation

extension GraphService {
  func listUsers(_ call: GraphCall) throws -> GraphReply {
    let select = try selection(call, GraphSchema.user)
    let filter = try self.filter(call, .users)
    return try listing(
      call, path: "users", kind: .user,
      ids: {
        state.users.filter { user in filter.map { FilterSupport.users.matches(user, $0) } ?? true }
          .compactMap { $0.string("id") }
      }, select: select, context: ODataContext.collection("users", select: select))
  }

  func getUser(_ call: GraphCall, key: String) throws -> GraphReply {
    let select = try selection(call, GraphSchema.user)
    guard let index = userIndex(key) else { throw GraphFailure.notFound(key) }
    guard case .object(var body) = renderUser(state.users[index], select: select) else {
      return .json(.null)
    }
    body["@odata.context"] = .string(
      "\(baseURL)/v1.0/$metadata#\(ODataContext.collection("users", select: select))/$entity")
    return .json(.object(body))
  }

  func deleteUser(key: String) throws -> GraphReply {
    guard let index = userIndex(key) else { throw GraphFailure.notFound(key) }
    let user = state.users[index]
    let id = user.string("id")!
    if user.bool("onPremisesSyncEnabled") == true { throw GraphFailure.syncedObject }
    state.users.remove(at: index)
    for groupIndex in state.groups.indices {
      for relation in ["members", "owners"] {
        let ids = state.groups[groupIndex].strings(relation)
        if ids.contains(id) {
          state.groups[groupIndex][relation] = JSONCoding.strings(ids.filter { $0 != id })
          recordMembership(
            group: state.groups[groupIndex].string("id")!, member: id, relation: relation,
            added: false)
        }
      }
    }
    state.roleAssignments.removeAll { $0.string("principalId") == id }
    bumpVersion(id)
    // Deleted users go to deleted items (restorable): delta reports reason "changed".
    var deleted = user
    deleted["deletedDateTime"] = .string(GraphClock.isoUTC(Date()))
    deletedUsers[id] = deleted
    tombstones.append(Tombstone(id: id, kind: .user, version: version, reason: "changed"))
    return .noContent
  }

  /// `PATCH /users/{id | userPrincipalName}` with Graph's traps: synced users, federated
  /// domains, `""`/`$`/`_` anchors, uniqueness, and sensitive properties of role holders.
  func patchUser(_ call: GraphCall, key: String) throws -> GraphReply {
    let patch = try call.jsonObject(type: "microsoft.graph.user")
    guard let index = userIndex(key) else { throw GraphFailure.notFound(key) }
    let current = state.users[index]
    let resource = GraphSchema.user
    for (name, value) in patch.sorted(by: { $0.key < $1.key }) {
      guard let kind = resource.kind(of: name) else {
        throw GraphFailure(
          status: 400, code: "BadRequest",
          message: "Property '\(name)' does not exist as a declared property or extension property."
        )
      }
      if resource.readOnly.contains(name) {
        throw GraphFailure.badRequest("Property '\(name)' is read-only and cannot be set.")
      }
      switch (kind, value) {
      case (_, .null), (.any, _), (.string, .string), (.boolean, .bool): break
      case (.stringArray, .array) where value.stringArray != nil: break
      default:
        throw GraphFailure(
          status: 400, code: "BadRequest",
          message: "Cannot convert the literal '\(value)' to the expected type of '\(name)'.")
      }
    }
    if patch.isEmpty { return .noContent }

    if current.bool("onPremisesSyncEnabled") == true,
      patch.keys.contains(where: { !GraphSchema.cloudMasteredUserProperties.contains($0) })
    {
      throw GraphFailure.syncedObject
    }
    let id = current.string("id")!
    if !call.app.privilegedRole, isRoleHolder(id),
      patch.keys.contains(where: { GraphSchema.sensitiveUserProperties.contains($0) })
    {
      throw GraphFailure.insufficientPrivileges
    }
    if let upnValue = patch["userPrincipalName"] {
      guard let upn = upnValue.stringValue else {
        throw GraphFailure.invalidValue("userPrincipalName", "User")
      }
      guard let domain = AnchorRules.domainPart(ofUPN: upn),
        let entry = state.domains.first(where: { $0.string("id") == domain }),
        entry.bool("isVerified") == true, !AnchorRules.localPart(ofUPN: upn).isEmpty
      else {
        throw GraphFailure.badRequest(
          "The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization."
        )
      }
      let clash = state.users.contains {
        $0.string("id") != id && $0.string("userPrincipalName")?.lowercased() == upn.lowercased()
      }
      if clash {
        throw GraphFailure.badRequest(
          "Another object with the same value for property userPrincipalName already exists.")
      }
    }
    if let anchorValue = patch["onPremisesImmutableId"], !anchorValue.isNull {
      guard let anchor = anchorValue.stringValue, AnchorRules.isValidImmutableId(anchor) else {
        throw GraphFailure.invalidValue("onPremisesImmutableId", "User")
      }
      let clash = state.users.contains {
        $0.string("id") != id && $0.string("onPremisesImmutableId") == anchor
      }
      if clash {
        throw GraphFailure.badRequest(
          "Another object with the same value for property onPremisesImmutableId already exists.")
      }
    }
    try checkFederatedAnchor(current: current, patch: patch)

    var updated = current
    for (name, value) in patch { updated[name] = value }
    state.users[index] = updated
    bumpVersion(id)
    return .noContent
  }

  /// A user whose UPN is in a Federated domain must keep an ImmutableID, and it cannot be
  /// changed in place: move the UPN to a managed domain first, then back together with an anchor.
  private func checkFederatedAnchor(current: JSONObject, patch: JSONObject) throws {
    let currentUPN = current.string("userPrincipalName") ?? ""
    let finalUPN = patch["userPrincipalName"]?.stringValue ?? currentUPN
    let currentAnchor = current.string("onPremisesImmutableId")
    let finalAnchor =
      patch.keys.contains("onPremisesImmutableId")
      ? patch["onPremisesImmutableId"]?.stringValue : currentAnchor
    let wasFederated = domainType(ofUPN: currentUPN) == "Federated"
    let willBeFederated = domainType(ofUPN: finalUPN) == "Federated"
    guard willBeFederated else { return }
    let problem =
      finalAnchor == nil || (wasFederated && finalAnchor != currentAnchor)
    if problem {
      throw GraphFailure.badRequest(
        "You must provide a required property: Parameter name: FederatedUser.SourceAnchor")
    }
  }
}
