import Foundation

extension GraphService {
  static let mailEnabledWriteRefused = GraphFailure.badRequest(
    "The service does not currently support writes of mail-enabled groups. Please ensure that the mail-enablement property is unset and the security-enablement property is set."
  )
  static let mailEnabledMembershipRefused = GraphFailure.badRequest(
    "Cannot Update a mail-enabled security groups and or distribution list.")
  static let externalServiceObject = GraphFailure.badRequest(
    "Unable to update the specified properties for objects that have originated within an external service."
  )

  /// Distribution lists and mail-enabled security groups are Exchange objects: read-only here.
  func isExchangeManaged(_ group: JSONObject) -> Bool {
    group.bool("mailEnabled") == true && !group.strings("groupTypes").contains("Unified")
  }

  func routeGroups(_ call: GraphCall) throws -> GraphReply {
    let s = call.segments
    let method = call.method
    if s.count == 1 {
      switch method {
      case "GET": return try listGroups(call)
      case "POST": return try createGroup(call)
      default: throw Self.methodNotAllowed
      }
    }
    if s.count == 2, s[1] == "delta" || s[1] == "delta()" {
      guard method == "GET" else { throw Self.methodNotAllowed }
      return try delta(call, kind: .group)
    }
    guard let index = groupIndex(s[1]) else { throw GraphFailure.notFound(s[1]) }
    if s.count == 2 {
      switch method {
      case "GET":
        let select = try selection(call, GraphSchema.group)
        guard case .object(var body) = renderGroup(state.groups[index], select: select) else {
          return .json(.null)
        }
        body["@odata.context"] = .string(
          "\(baseURL)/v1.0/$metadata#\(ODataContext.collection("groups", select: select))/$entity")
        return .json(.object(body))
      case "PATCH": return try patchGroup(call, index: index)
      case "DELETE": return try deleteGroup(index: index)
      default: throw Self.methodNotAllowed
      }
    }
    let relation = s[2]
    switch relation {
    case "members", "owners": break
    case "memberOf": return try listParentGroups(call, index: index)
    case "appRoleAssignments": return try routeAppRoleAssignments(call, index: index)
    case "assignLicense": return try assignLicense(call, index: index)
    case "onPremisesSyncBehavior": return try routeSyncBehavior(call, index: index)
    default: throw GraphFailure.segmentNotFound(relation)
    }
    let groupId = state.groups[index].string("id")!
    switch (method, s.count) {
    case ("GET", 3):
      let select = try selection(
        call, GraphSchema.user, extra: Array(GraphSchema.group.kinds.keys))
      return try listing(
        call, path: "groups/\(groupId)/\(relation)", kind: .directoryObject,
        ids: { state.groups[index].strings(relation) }, select: select,
        context: "directoryObjects")
    case ("POST", 4) where s[3] == "$ref":
      return try addReference(call, index: index, relation: relation)
    case ("DELETE", 5) where s[4] == "$ref":
      return try removeReference(index: index, relation: relation, memberKey: s[3])
    default:
      throw Self.methodNotAllowed
    }
  }

  func listGroups(_ call: GraphCall) throws -> GraphReply {
    let select = try selection(call, GraphSchema.group)
    let filter = try self.filter(call, .groups)
    return try listing(
      call, path: "groups", kind: .group,
      ids: {
        state.groups.filter { group in
          filter.map { FilterSupport.groups.matches(group, $0) } ?? true
        }
        .compactMap { $0.string("id") }
      }, select: select, context: ODataContext.collection("groups", select: select))
  }

  private func checkGroupProperties(_ body: JSONObject, creating: Bool) throws {
    let resource = GraphSchema.group
    for (name, value) in body.sorted(by: { $0.key < $1.key }) {
      if creating, name == "members@odata.bind" || name == "owners@odata.bind" { continue }
      guard let kind = resource.kind(of: name) else {
        throw GraphFailure(
          status: 400, code: "BadRequest",
          message: "Property '\(name)' does not exist as a declared property or extension property."
        )
      }
      if resource.readOnly.contains(name) {
        throw GraphFailure.badRequest("Property '\(name)' is read-only and cannot be set.")
      }
      if creating, GraphSchema.groupPropertiesNotSettableAtCreation.contains(name) {
        throw GraphFailure.badRequest("Property '\(name)' cannot be set when creating a group.")
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
  }

  private static func isValidNickname(_ nickname: String) -> Bool {
    let forbidden = Set("@()\\[]\";:.<>, ")
    return !nickname.isEmpty && nickname.count <= 64
      && nickname.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 32 }
      && !nickname.contains(where: { forbidden.contains($0) })
  }

  /// `POST /groups`: security and Microsoft 365 groups only.
  func createGroup(_ call: GraphCall) throws -> GraphReply {
    let body = try call.jsonObject(type: "microsoft.graph.group")
    try checkGroupProperties(body, creating: true)
    guard let displayName = body.string("displayName"), !displayName.isEmpty else {
      throw GraphFailure.invalidValue("displayName", "Group")
    }
    guard let mailEnabled = body.bool("mailEnabled") else {
      throw GraphFailure.invalidValue("mailEnabled", "Group")
    }
    guard let nickname = body.string("mailNickname"), Self.isValidNickname(nickname) else {
      throw GraphFailure.invalidValue("mailNickname", "Group")
    }
    guard let securityEnabled = body.bool("securityEnabled") else {
      throw GraphFailure.invalidValue("securityEnabled", "Group")
    }
    let groupTypes = body.strings("groupTypes")
    let unified = groupTypes.contains("Unified")
    if mailEnabled && !unified { throw Self.mailEnabledWriteRefused }

    var relations: [String: [String]] = ["members": [], "owners": []]
    for relation in ["members", "owners"] {
      guard let bind = body["\(relation)@odata.bind"] else { continue }
      guard let urls = bind.stringArray else {
        throw GraphFailure.invalidValue("\(relation)@odata.bind", "Group")
      }
      for url in urls {
        let id = String(url.split(separator: "/").last ?? "").lowercased()
        guard user(withId: id) != nil || group(withId: id) != nil else {
          throw GraphFailure.notFound(id)
        }
        if !relations[relation]!.contains(id) { relations[relation]!.append(id) }
      }
    }
    guard relations.values.map(\.count).reduce(0, +) <= 20 else {
      throw GraphFailure.badRequest(
        "A maximum of 20 members and owners can be added when creating a group.")
    }

    var group: JSONObject = [:]
    for (name, value) in body where !name.hasSuffix("@odata.bind") { group[name] = value }
    let id = newId()
    group["id"] = .string(id)
    group["groupTypes"] = JSONCoding.strings(groupTypes)
    group["createdDateTime"] = .string(GraphClock.isoUTC(Date()))
    group["securityEnabled"] = .bool(securityEnabled)
    if unified {
      let domain =
        state.domains.first { $0.bool("isDefault") == true }
        ?? state.domains.first { $0.bool("isInitial") == true }
      let mail = "\(nickname)@\(domain?.string("id") ?? "")"
      let taken =
        state.groups.contains { $0.string("mail")?.lowercased() == mail.lowercased() }
        || state.users.contains { $0.string("mail")?.lowercased() == mail.lowercased() }
        || deletedGroups.values.contains { $0.string("mail")?.lowercased() == mail.lowercased() }
      if taken {
        throw GraphFailure.badRequest(
          "Another object with the same value for property proxyAddresses already exists.")
      }
      group["mail"] = .string(mail)
      group["proxyAddresses"] = JSONCoding.strings(["SMTP:\(mail)"])
      if group["visibility"] == nil { group["visibility"] = .string("Public") }
    }
    group["members"] = JSONCoding.strings(relations["members"]!)
    group["owners"] = JSONCoding.strings(relations["owners"]!)
    state.groups.append(group)
    bumpVersion(id)
    for member in relations["members"]! {
      recordMembership(group: id, member: member, relation: "members", added: true)
    }
    guard case .object(var reply) = renderGroup(group, select: nil) else { return .json(.null) }
    reply["@odata.context"] = .string("\(baseURL)/v1.0/$metadata#groups/$entity")
    return .json(.object(reply), status: 201)
  }

  private func checkGroupWritable(_ group: JSONObject) throws {
    if group.bool("onPremisesSyncEnabled") == true { throw GraphFailure.syncedObject }
  }

  func patchGroup(_ call: GraphCall, index: Int) throws -> GraphReply {
    let body = try call.jsonObject(type: "microsoft.graph.group")
    let group = state.groups[index]
    try checkGroupWritable(group)
    if isExchangeManaged(group) { throw Self.externalServiceObject }
    try checkGroupProperties(body, creating: false)
    if body.bool("mailEnabled") == true && !group.strings("groupTypes").contains("Unified") {
      throw Self.mailEnabledWriteRefused
    }
    if let nickname = body["mailNickname"],
      !(nickname.stringValue.map(Self.isValidNickname) ?? false)
    {
      throw GraphFailure.invalidValue("mailNickname", "Group")
    }
    var updated = group
    for (name, value) in body { updated[name] = value }
    state.groups[index] = updated
    bumpVersion(group.string("id")!)
    return .noContent
  }

  func deleteGroup(index: Int) throws -> GraphReply {
    let group = state.groups[index]
    try checkGroupWritable(group)
    if isExchangeManaged(group) { throw Self.mailEnabledMembershipRefused }
    let id = group.string("id")!
    state.groups.remove(at: index)
    for other in state.groups.indices {
      for relation in ["members", "owners"] where state.groups[other].strings(relation).contains(id)
      {
        state.groups[other][relation] = JSONCoding.strings(
          state.groups[other].strings(relation).filter { $0 != id })
        recordMembership(
          group: state.groups[other].string("id")!, member: id, relation: relation, added: false)
      }
    }
    state.roleAssignments.removeAll { $0.string("principalId") == id }
    bumpVersion(id)
    // Microsoft 365 groups are soft-deleted (restorable, "changed"); security groups are gone.
    let unified = group.strings("groupTypes").contains("Unified")
    if unified {
      var deleted = group
      deleted["deletedDateTime"] = .string(GraphClock.isoUTC(Date()))
      deletedGroups[id] = deleted
    }
    let reason = unified ? "changed" : "deleted"
    tombstones.append(Tombstone(id: id, kind: .group, version: version, reason: reason))
    return .noContent
  }

  private func addReference(_ call: GraphCall, index: Int, relation: String) throws -> GraphReply {
    let group = state.groups[index]
    try checkGroupWritable(group)
    if isExchangeManaged(group) { throw Self.mailEnabledMembershipRefused }
    let body = try call.jsonObject(type: "microsoft.graph.directoryObject", keepReference: true)
    guard let url = body.string("@odata.id"), let last = url.split(separator: "/").last else {
      throw GraphFailure.badRequest(
        "Invalid request: the body must carry '@odata.id' with the URL of a directory object.",
        code: "BadRequest")
    }
    let memberId = String(last).lowercased()
    guard user(withId: memberId) != nil || self.group(withId: memberId) != nil else {
      throw GraphFailure.notFound(memberId)
    }
    let current = group.strings(relation)
    if current.contains(memberId) {
      throw GraphFailure.badRequest(
        "One or more added object references already exist for the following modified properties: '\(relation)'."
      )
    }
    state.groups[index][relation] = JSONCoding.strings(current + [memberId])
    recordMembership(group: group.string("id")!, member: memberId, relation: relation, added: true)
    return .noContent
  }

  private func removeReference(index: Int, relation: String, memberKey: String) throws
    -> GraphReply
  {
    let group = state.groups[index]
    try checkGroupWritable(group)
    if isExchangeManaged(group) { throw Self.mailEnabledMembershipRefused }
    let memberId = memberKey.lowercased()
    let current = group.strings(relation)
    guard current.contains(memberId) else { throw GraphFailure.notFound(memberId) }
    state.groups[index][relation] = JSONCoding.strings(current.filter { $0 != memberId })
    recordMembership(group: group.string("id")!, member: memberId, relation: relation, added: false)
    return .noContent
  }

  func recordMembership(group: String, member: String, relation: String, added: Bool) {
    bumpVersion(group)
    if relation == "members" {
      memberEvents.append(
        MemberEvent(version: version, groupId: group, memberId: member, added: added))
    }
  }
}
