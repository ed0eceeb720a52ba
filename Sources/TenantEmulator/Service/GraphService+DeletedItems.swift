import Foundation

extension GraphService {
  /// `/directory/deletedItems`: soft-deleted users and Microsoft 365 groups, listed through a
  /// type cast (`…/microsoft.graph.user`, `…/microsoft.graph.group`), read, restored with their
  /// id (`POST …/{id}/restore`) and purged (`DELETE …/{id}`, which frees their addresses).
  func deletedItem(_ call: GraphCall) throws -> GraphReply {
    let s = call.segments
    if s.count == 3, s[2].hasPrefix("microsoft.graph.") {
      guard call.method == "GET" else { throw Self.methodNotAllowed }
      return try listDeletedItems(call, cast: s[2])
    }
    let id = s[2].lowercased()
    if let user = deletedUsers[id] {
      return try deletedUser(call, id: id, user: user)
    }
    guard var group = deletedGroups[id] else { throw GraphFailure.notFound(s[2]) }
    switch (call.method, s.count) {
    case ("GET", 3):
      guard
        case .object(var body) = renderGroup(group, select: try selection(call, GraphSchema.group))
      else { return .json(.null) }
      body["@odata.context"] = .string("\(baseURL)/v1.0/$metadata#directoryObjects/$entity")
      body["@odata.type"] = .string("#microsoft.graph.group")
      body["deletedDateTime"] = group["deletedDateTime"]
      return .json(.object(body))
    case ("DELETE", 3):
      deletedGroups[id] = nil
      return .noContent
    case ("POST", 4) where s[3] == "restore":
      deletedGroups[id] = nil
      group["deletedDateTime"] = nil
      state.groups.append(group)
      bumpVersion(id)
      guard case .object(var body) = renderGroup(group, select: nil) else { return .json(.null) }
      body["@odata.context"] = .string("\(baseURL)/v1.0/$metadata#directoryObjects/$entity")
      body["@odata.type"] = .string("#microsoft.graph.group")
      return .json(.object(body))
    default:
      throw Self.methodNotAllowed
    }
  }

  private func deletedUser(_ call: GraphCall, id: String, user: JSONObject) throws -> GraphReply {
    let s = call.segments
    switch (call.method, s.count) {
    case ("GET", 3):
      let select = try selection(call, GraphSchema.user)
      guard case .object(var body) = renderUser(user, select: select) else { return .json(.null) }
      body["@odata.context"] = .string("\(baseURL)/v1.0/$metadata#directoryObjects/$entity")
      body["@odata.type"] = .string("#microsoft.graph.user")
      if select == nil { body["deletedDateTime"] = user["deletedDateTime"] }
      return .json(.object(body))
    case ("DELETE", 3):
      deletedUsers[id] = nil
      bumpVersion(id)
      tombstones.append(Tombstone(id: id, kind: .user, version: version, reason: "deleted"))
      return .noContent
    case ("POST", 4) where s[3] == "restore":
      let upn = user.string("userPrincipalName")?.lowercased()
      if let upn,
        state.users.contains(where: { $0.string("userPrincipalName")?.lowercased() == upn })
      {
        throw GraphFailure.badRequest(
          "Another object with the same value for property userPrincipalName already exists.")
      }
      if let anchor = user.string("onPremisesImmutableId"),
        state.users.contains(where: { $0.string("onPremisesImmutableId") == anchor })
      {
        throw GraphFailure.badRequest(
          "Another object with the same value for property onPremisesImmutableId already exists.")
      }
      var restored = user
      restored["deletedDateTime"] = nil
      deletedUsers[id] = nil
      state.users.append(restored)
      bumpVersion(id)
      guard case .object(var body) = renderUser(restored, select: nil) else { return .json(.null) }
      body["@odata.context"] = .string("\(baseURL)/v1.0/$metadata#directoryObjects/$entity")
      body["@odata.type"] = .string("#microsoft.graph.user")
      return .json(.object(body))
    default:
      throw Self.methodNotAllowed
    }
  }

  private func listDeletedItems(_ call: GraphCall, cast: String) throws -> GraphReply {
    switch cast {
    case "microsoft.graph.user":
      let select = try selection(call, GraphSchema.user)
      let filter = try self.filter(call, .users)
      return try listing(
        call, path: "directory/deletedItems/microsoft.graph.user", kind: .deletedUser,
        ids: {
          deletedUsers.values.filter { user in
            filter.map { FilterSupport.users.matches(user, $0) } ?? true
          }.sorted { ($0.string("deletedDateTime") ?? "") < ($1.string("deletedDateTime") ?? "") }
            .compactMap { $0.string("id") }
        }, select: select,
        context: ODataContext.collection(
          "directory/deletedItems/microsoft.graph.user", select: select))
    case "microsoft.graph.group":
      let select = try selection(call, GraphSchema.group)
      let filter = try self.filter(call, .groups)
      return try listing(
        call, path: "directory/deletedItems/microsoft.graph.group", kind: .deletedGroup,
        ids: {
          deletedGroups.values.filter { group in
            filter.map { FilterSupport.groups.matches(group, $0) } ?? true
          }.sorted { ($0.string("deletedDateTime") ?? "") < ($1.string("deletedDateTime") ?? "") }
            .compactMap { $0.string("id") }
        }, select: select,
        context: ODataContext.collection(
          "directory/deletedItems/microsoft.graph.group", select: select))
    default:
      throw GraphFailure.segmentNotFound(cast)
    }
  }
}

/// The `@odata.context` fragment Graph writes: the entity set, then `(prop,…)` for `$select`
/// and `(nav())` / `(nav(prop,…))` for `$expand`.
enum ODataContext {
  static func collection(_ set: String, select: [String]?, expand: [String] = []) -> String {
    var items = select ?? []
    items += expand.map { "\($0)()" }
    return items.isEmpty ? set : "\(set)(\(items.joined(separator: ",")))"
  }
}
