import Foundation

/// A deleted user or group, remembered so delta rounds can report `@removed`.
struct Tombstone: Sendable {
  let id: String
  let kind: ObjectKind
  let version: UInt64
  /// "changed" (restorable from deleted items) or "deleted" (gone for good).
  let reason: String
}

/// A change of a group's `members`, for `members@delta`.
struct MemberEvent: Sendable {
  let version: UInt64
  let groupId: String
  let memberId: String
  let added: Bool
}

/// What a `$deltatoken` stands for: "everything changed after `version`".
struct DeltaCursor: Sendable {
  let kind: ObjectKind
  let version: UInt64
  let issued: ContinuousClock.Instant
  let select: [String]?
}

/// A delta round in progress: entries computed when the round started, served page by page.
struct DeltaPage: Sendable {
  let kind: ObjectKind
  let entries: [JSONValue]
  var offset: Int
  let pageSize: Int
  let version: UInt64
  let select: [String]?
}

extension GraphService {
  /// `GET /users/delta` and `GET /groups/delta`: a full round (paged with `$skiptoken`) ending in
  /// a `@odata.deltaLink`; a `$deltatoken` round returns what changed since, with `@removed`.
  func delta(_ call: GraphCall, kind: ObjectKind) throws -> GraphReply {
    let collection = kind == .user ? "users" : "groups"
    let path = "\(collection)/delta"
    if call.query["$filter"] != nil || call.query["$orderby"] != nil
      || call.query["$expand"] != nil
    {
      throw GraphFailure(
        status: 400, code: "Request_UnsupportedQuery",
        message: "Delta query for \(collection) supports only $select and $deltatoken/$skiptoken.")
    }
    var page: DeltaPage
    if let token = call.query["$skiptoken"] {
      guard let saved = deltaPages[token], saved.kind == kind else {
        throw syncStateNotFound(path: path)
      }
      deltaPages[token] = nil
      page = saved
    } else {
      let select =
        kind == .user
        ? try selection(call, GraphSchema.user)
        : try selection(call, GraphSchema.group, extra: ["members"])
      let size = try pageSize(call)
      let deltaToken = call.queryPairs.first { $0.0.lowercased() == "$deltatoken" }?.1
      var since: UInt64?
      if let deltaToken {
        if deltaToken == "latest" {
          page = DeltaPage(
            kind: kind, entries: [], offset: 0, pageSize: size, version: version, select: select)
          return deltaPageReply(&page, path: path, collection: collection)
        }
        guard let cursor = deltaTokens[deltaToken], cursor.kind == kind,
          ContinuousClock.now - cursor.issued < options.deltaTokenLifetime
        else { throw syncStateNotFound(path: path) }
        since = cursor.version
      }
      let effectiveSelect = since == nil ? select : (select ?? deltaTokens[deltaToken!]?.select)
      page = DeltaPage(
        kind: kind, entries: deltaEntries(kind: kind, since: since, select: effectiveSelect),
        offset: 0, pageSize: size, version: version, select: effectiveSelect)
    }
    return deltaPageReply(&page, path: path, collection: collection)
  }

  private func syncStateNotFound(path: String) -> GraphFailure {
    GraphFailure(
      status: 410, code: "syncStateNotFound",
      message:
        "The sync state for this delta token was not found or has expired. Start a full resync.",
      headers: ["Location": "\(baseURL)/v1.0/\(path)"])
  }

  private func deltaPageReply(_ page: inout DeltaPage, path: String, collection: String)
    -> GraphReply
  {
    let end = min(page.offset + page.pageSize, page.entries.count)
    var body: JSONObject = [
      "@odata.context": .string("\(baseURL)/v1.0/$metadata#\(collection)"),
      "value": .array(Array(page.entries[page.offset..<end])),
    ]
    if end < page.entries.count {
      page.offset = end
      let token = randomToken()
      deltaPages[token] = page
      body["@odata.nextLink"] = .string("\(baseURL)/v1.0/\(path)?$skiptoken=\(token)")
    } else {
      let token = randomToken()
      deltaTokens[token] = DeltaCursor(
        kind: page.kind, version: page.version, issued: .now, select: page.select)
      body["@odata.deltaLink"] = .string("\(baseURL)/v1.0/\(path)?$deltatoken=\(token)")
    }
    return .json(.object(body))
  }

  private func deltaEntries(kind: ObjectKind, since: UInt64?, select: [String]?) -> [JSONValue] {
    var entries: [JSONValue] = []
    let withMembers = kind == .group && (select?.contains("members") ?? false)
    let objects = kind == .user ? state.users : state.groups
    for object in objects {
      guard let id = object.string("id") else { continue }
      if let since, (versions[id] ?? 0) <= since { continue }
      var rendered =
        (kind == .user ? renderUser(object, select: select) : renderGroup(object, select: select))
        .objectValue ?? [:]
      rendered["id"] = .string(id)
      if withMembers {
        rendered["members@delta"] = .array(memberDelta(group: object, since: since))
      }
      entries.append(.object(rendered))
    }
    if let since {
      for tombstone in tombstones where tombstone.kind == kind && tombstone.version > since {
        entries.append(
          .object([
            "id": .string(tombstone.id),
            "@removed": .object(["reason": .string(tombstone.reason)]),
          ]))
      }
    }
    return entries
  }

  private func memberDelta(group: JSONObject, since: UInt64?) -> [JSONValue] {
    func reference(_ id: String) -> JSONObject {
      let type = user(withId: id) != nil ? "#microsoft.graph.user" : "#microsoft.graph.group"
      return ["@odata.type": .string(type), "id": .string(id)]
    }
    guard let since else { return group.strings("members").map { .object(reference($0)) } }
    let groupId = group.string("id")
    var last: [String: Bool] = [:]
    var order: [String] = []
    for event in memberEvents where event.groupId == groupId && event.version > since {
      if last[event.memberId] == nil { order.append(event.memberId) }
      last[event.memberId] = event.added
    }
    return order.map { id in
      var entry = reference(id)
      if last[id] == false { entry["@removed"] = .object(["reason": .string("deleted")]) }
      return .object(entry)
    }
  }
}
