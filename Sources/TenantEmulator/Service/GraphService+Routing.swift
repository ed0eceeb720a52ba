import Foundation

/// What a page cursor renders its ids as.
enum ObjectKind: Sendable, Equatable {
  case user, group, directoryObject, roleAssignment, domain, deletedUser, deletedGroup
  /// An app role assignment held by the group with this id.
  case appRoleAssignment(group: String)
}

/// A listing in progress: a snapshot of matching ids, rendered page by page.
struct PageCursor: Sendable {
  let path: String
  let ids: [String]
  var offset: Int
  let pageSize: Int
  let kind: ObjectKind
  let select: [String]?
  let expand: Set<String>
  let keptQuery: String
}

extension GraphService {
  func route(_ call: GraphCall) throws -> GraphReply {
    let s = call.segments
    let method = call.method
    switch s.first {
    case "users":
      if s.count == 1 {
        guard method == "GET" else { throw Self.methodNotAllowed }
        return try listUsers(call)
      }
      if s.count == 2, s[1] == "delta" || s[1] == "delta()" {
        guard method == "GET" else { throw Self.methodNotAllowed }
        return try delta(call, kind: .user)
      }
      if s.count == 3, s[2] == "memberOf" {
        guard method == "GET" else { throw Self.methodNotAllowed }
        guard let index = userIndex(s[1]) else { throw GraphFailure.notFound(s[1]) }
        let id = state.users[index].string("id")!
        let select = try selection(call, GraphSchema.group)
        return try listing(
          call, path: "users/\(id)/memberOf", kind: .directoryObject,
          ids: {
            state.groups.filter { $0.strings("members").contains(id) }.compactMap {
              $0.string("id")
            }
          }, select: select, context: "directoryObjects")
      }
      guard s.count == 2 else { break }
      switch method {
      case "GET": return try getUser(call, key: s[1])
      case "PATCH": return try patchUser(call, key: s[1])
      case "DELETE": return try deleteUser(key: s[1])
      default: throw Self.methodNotAllowed
      }
    case "groups":
      return try routeGroups(call)
    case "domains":
      guard method == "GET" else { throw Self.methodNotAllowed }
      if s.count == 1 { return try listDomains(call) }
      if s.count == 2 { return try getDomain(call, id: s[1]) }
    case "organization":
      guard method == "GET" else { throw Self.methodNotAllowed }
      if s.count == 1 { return organizationCollection() }
      if s.count == 2 {
        guard s[1].lowercased() == state.tenantId else { throw GraphFailure.notFound(s[1]) }
        return .json(organizationObject())
      }
    case "roleManagement":
      if s.count == 3, s[1] == "directory", s[2] == "roleAssignments" {
        guard method == "GET" else { throw Self.methodNotAllowed }
        return try listRoleAssignments(call)
      }
    case "directory":
      if s.count >= 2, s[1] == "onPremisesSynchronization" {
        return try onPremisesSynchronization(call)
      }
      if s.count >= 3, s[1] == "deletedItems" { return try deletedItem(call) }
    default:
      break
    }
    throw GraphFailure(
      status: 400, code: "BadRequest",
      message: "Resource not found for the segment '\(s.last ?? "")'.")
  }

  // MARK: - Query options

  /// `$select` names resolved to Graph's spelling (Graph matches them case-insensitively).
  func selection(_ call: GraphCall, _ resource: GraphSchema.Resource, extra: [String] = [])
    throws -> [String]?
  {
    guard let raw = call.query["$select"], !raw.isEmpty else { return nil }
    var names: [String] = []
    for item in raw.split(separator: ",") {
      let wanted = item.trimmingCharacters(in: .whitespaces)
      guard
        let name = (Array(resource.kinds.keys) + extra).first(where: {
          $0.lowercased() == wanted.lowercased()
        })
      else {
        throw GraphFailure(
          status: 400, code: "BadRequest",
          message: "Could not find a property named '\(wanted)' on type '\(resource.typeName)'.")
      }
      if !names.contains(name) { names.append(name) }
    }
    return names
  }

  func filter(_ call: GraphCall, _ support: FilterSupport) throws -> ODataFilter? {
    guard let raw = call.query["$filter"], !raw.isEmpty else { return nil }
    let filter: ODataFilter
    do {
      filter = try ODataFilter(raw)
    } catch let error as ODataFilter.SyntaxError {
      throw GraphFailure.badRequest(error.message, code: "BadRequest")
    }
    try support.check(
      filter, advanced: call.advanced, counted: call.query["$count"]?.lowercased() == "true")
    return filter
  }

  func pageSize(_ call: GraphCall) throws -> Int {
    guard let raw = call.query["$top"] else {
      if let prefer = call.headers["prefer"], let range = prefer.range(of: "odata.maxpagesize=") {
        let digits = prefer[range.upperBound...].prefix { $0.isNumber }
        if let size = Int(digits), (1...999).contains(size) { return size }
      }
      return 100
    }
    guard let top = Int(raw), (1...999).contains(top) else {
      throw GraphFailure(
        status: 400, code: "Request_UnsupportedQuery",
        message: "Invalid page size specified: '\(raw)'. Must be between 1 and 999 inclusive.")
    }
    return top
  }

  func checkCount(_ call: GraphCall) throws -> Bool {
    guard let count = call.query["$count"] else { return false }
    guard count.lowercased() == "true" else { return false }
    guard call.advanced else { throw GraphFailure.badRequest("$count is not currently supported.") }
    return true
  }

  // MARK: - Paging

  /// First page of a listing, or the page a `$skiptoken` points at.
  func listing(
    _ call: GraphCall, path: String, kind: ObjectKind, ids: () throws -> [String],
    select: [String]?, expand: Set<String> = [], context: String
  ) throws -> GraphReply {
    var cursor: PageCursor
    var count: Int?
    if let token = call.query["$skiptoken"] {
      guard let saved = pageCursors[token], saved.path == path else {
        throw GraphFailure(
          status: 400, code: "Directory_ExpiredPageToken",
          message:
            "The specified page token value has expired and can no longer be included in your request."
        )
      }
      pageCursors[token] = nil
      cursor = saved
    } else {
      let matching = try ids()
      if try checkCount(call) { count = matching.count }
      let kept = call.queryPairs.filter { $0.0 != "$skiptoken" && $0.0 != "$count" }
        .map { "\($0.0)=\(FormDecoding.encodeComponent($0.1))" }.joined(separator: "&")
      cursor = PageCursor(
        path: path, ids: matching, offset: 0, pageSize: try pageSize(call), kind: kind,
        select: select, expand: expand, keptQuery: kept)
    }
    let end = min(cursor.offset + cursor.pageSize, cursor.ids.count)
    let values = cursor.ids[cursor.offset..<end].compactMap {
      render(id: $0, kind: cursor.kind, select: cursor.select, expand: cursor.expand)
    }
    var body: JSONObject = [
      "@odata.context": .string("\(baseURL)/v1.0/$metadata#\(context)"),
      "value": .array(values),
    ]
    if let count { body["@odata.count"] = .number(Double(count)) }
    if end < cursor.ids.count {
      cursor.offset = end
      let token = randomToken()
      pageCursors[token] = cursor
      let prefix = cursor.keptQuery.isEmpty ? "" : cursor.keptQuery + "&"
      body["@odata.nextLink"] = .string("\(baseURL)/v1.0/\(path)?\(prefix)$skiptoken=\(token)")
    }
    return .json(.object(body))
  }

  func render(id: String, kind: ObjectKind, select: [String]?, expand: Set<String>) -> JSONValue? {
    switch kind {
    case .user:
      return user(withId: id).map { renderUser($0, select: select) }
    case .group:
      return group(withId: id).map { renderGroup($0, select: select) }
    case .directoryObject:
      if let user = user(withId: id) {
        var object = renderUser(user, select: select).objectValue ?? [:]
        object["@odata.type"] = .string("#microsoft.graph.user")
        return .object(object)
      }
      if let group = group(withId: id) {
        var object = renderGroup(group, select: select).objectValue ?? [:]
        object["@odata.type"] = .string("#microsoft.graph.group")
        return .object(object)
      }
      return nil
    case .roleAssignment:
      return state.roleAssignments.first { $0.string("id") == id }.map {
        renderRoleAssignment($0, expand: expand)
      }
    case .domain:
      return state.domains.first { $0.string("id") == id }.map(renderDomain)
    case .deletedUser:
      return deletedUsers[id].map { user in
        var object = renderUser(user, select: select).objectValue ?? [:]
        if select == nil { object["deletedDateTime"] = user["deletedDateTime"] }
        return .object(object)
      }
    case .deletedGroup:
      return deletedGroups[id].map { group in
        var object = renderGroup(group, select: select).objectValue ?? [:]
        object["deletedDateTime"] = group["deletedDateTime"]
        return .object(object)
      }
    case .appRoleAssignment(let groupId):
      guard let group = group(withId: groupId) else { return nil }
      return appRoleAssignments(of: group).first { $0.string("id") == id }.map {
        renderAppRoleAssignment($0, of: group, select: select)
      }
    }
  }

  /// Graph's shape of a stored object: the selected (or default) properties; absent ones as
  /// `[]` for collections, the CSDL default for non-nullable scalars, null otherwise.
  func project(_ object: JSONObject, _ resource: GraphSchema.Resource, select: [String]?)
    -> JSONValue
  {
    var result: JSONObject = [:]
    let collections = GraphSchema.collections[resource.typeName] ?? []
    let defaults = GraphSchema.absentNonNullable[resource.typeName] ?? [:]
    for name in select ?? resource.defaultSelect {
      if let value = object[name], !(value.isNull && collections.contains(name)) {
        result[name] = value
      } else if collections.contains(name) || resource.kind(of: name) == .stringArray {
        result[name] = .array([])
      } else {
        result[name] = defaults[name] ?? .null
      }
    }
    return .object(result)
  }

  func renderUser(_ user: JSONObject, select: [String]?) -> JSONValue {
    project(user, GraphSchema.user, select: select)
  }

  func renderGroup(_ group: JSONObject, select: [String]?) -> JSONValue {
    project(group, GraphSchema.group, select: select?.filter { $0 != "members" && $0 != "owners" })
  }

  // MARK: - Lookups

  private func currentPositions() -> (users: [String: Int], groups: [String: Int]) {
    if let positions { return positions }
    var users: [String: Int] = [:]
    for (index, user) in state.users.enumerated() {
      if let id = user.string("id") { users[id] = index }
    }
    var groups: [String: Int] = [:]
    for (index, group) in state.groups.enumerated() {
      if let id = group.string("id") { groups[id] = index }
    }
    positions = (users, groups)
    return (users, groups)
  }

  /// By object id or userPrincipalName (both case-insensitive).
  func userIndex(_ key: String) -> Int? {
    let wanted = key.lowercased()
    if let index = currentPositions().users[wanted] { return index }
    guard wanted.contains("@") else { return nil }
    return state.users.firstIndex { $0.string("userPrincipalName")?.lowercased() == wanted }
  }

  func user(withId id: String) -> JSONObject? {
    currentPositions().users[id].map { state.users[$0] }
  }

  func groupIndex(_ id: String) -> Int? {
    currentPositions().groups[id.lowercased()]
  }

  func group(withId id: String) -> JSONObject? {
    currentPositions().groups[id].map { state.groups[$0] }
  }

  func domainType(ofUPN upn: String) -> String? {
    guard let domain = AnchorRules.domainPart(ofUPN: upn) else { return nil }
    return state.domains.first { $0.string("id") == domain }?.string("authenticationType")
  }

  /// Holds a directory role directly or through a group that holds one.
  func isRoleHolder(_ userId: String) -> Bool {
    state.roleAssignments.contains { assignment in
      guard let principal = assignment.string("principalId") else { return false }
      if principal == userId { return true }
      return group(withId: principal)?.strings("members").contains(userId) ?? false
    }
  }
}
