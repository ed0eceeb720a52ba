import Foundation

/// Group Source of Authority (graph-facts §4 "Group Source of Authority"):
/// `GET|PATCH /groups/{id}/onPremisesSyncBehavior`, on `/v1.0` and `/beta`. A tenant whose state
/// sets `capabilities.groupSourceOfAuthority: false` doesn't know the segment at all.
extension GraphService {
  /// `{"isCloudManaged": true}` once the group's source of authority moved to the cloud.
  func isCloudManaged(_ group: JSONObject) -> Bool {
    group["onPremisesSyncBehavior"]?.objectValue?.bool("isCloudManaged") ?? false
  }

  func routeSyncBehavior(_ call: GraphCall, index: Int) throws -> GraphReply {
    guard state.supportsGroupSourceOfAuthority else {
      throw GraphFailure.segmentNotFound("onPremisesSyncBehavior")
    }
    guard call.segments.count == 3 else { throw GraphFailure.segmentNotFound(call.segments[3]) }
    switch call.method {
    case "GET": return try getSyncBehavior(call, index: index)
    case "PATCH": return try patchSyncBehavior(call, index: index)
    default: throw Self.methodNotAllowed
    }
  }

  private func getSyncBehavior(_ call: GraphCall, index: Int) throws -> GraphReply {
    let group = state.groups[index]
    let groupId = group.string("id")!
    let known = ["id", "isCloudManaged"]
    var names = known
    if let raw = call.query["$select"], !raw.isEmpty {
      names = []
      for item in raw.split(separator: ",") {
        let wanted = item.trimmingCharacters(in: .whitespaces)
        guard let name = known.first(where: { $0.lowercased() == wanted.lowercased() }) else {
          throw GraphFailure(
            status: 400, code: "BadRequest",
            message:
              "Could not find a property named '\(wanted)' on type 'microsoft.graph.onPremisesSyncBehavior'."
          )
        }
        if !names.contains(name) { names.append(name) }
      }
    }
    var body: JSONObject = [
      "@odata.context": .string(
        "\(baseURL)/\(call.version)/$metadata#groups('\(groupId)')/onPremisesSyncBehavior/$entity")
    ]
    if names.contains("id") { body["id"] = .string(groupId) }
    if names.contains("isCloudManaged") { body["isCloudManaged"] = .bool(isCloudManaged(group)) }
    return .json(.object(body))
  }

  /// `true` converts a synced group: `onPremisesSyncEnabled` becomes null and Graph may write it
  /// (distribution lists and mail-enabled security groups stay mastered in Exchange). `false`
  /// hands a converted group back to sync. The docs say the rollback completes with the next
  /// sync cycle; the emulator has no sync cycle and applies it at once.
  private func patchSyncBehavior(_ call: GraphCall, index: Int) throws -> GraphReply {
    let body = try call.jsonObject(type: "microsoft.graph.onPremisesSyncBehavior")
    for name in body.keys.sorted() where name != "isCloudManaged" && name != "id" {
      throw GraphFailure(
        status: 400, code: "BadRequest",
        message: "Property '\(name)' does not exist as a declared property or extension property.")
    }
    if body["id"] != nil {
      throw GraphFailure.badRequest("Property 'id' is read-only and cannot be set.")
    }
    guard let wanted = body.bool("isCloudManaged") else {
      throw GraphFailure.invalidValue("isCloudManaged", "OnPremisesSyncBehavior")
    }
    let group = state.groups[index]
    let managed = isCloudManaged(group)
    // A group that never came from AD (or no longer syncs) has no source of authority to move.
    // The docs don't say what Graph answers; this refusal is the emulator's choice.
    guard managed || group.bool("onPremisesSyncEnabled") == true else {
      throw GraphFailure.badRequest(
        "The source of authority can only be changed for objects synchronized from on-premises Active Directory."
      )
    }
    guard wanted != managed else { return .noContent }
    var updated = group
    updated["onPremisesSyncBehavior"] = .object(["isCloudManaged": .bool(wanted)])
    updated["onPremisesSyncEnabled"] = wanted ? .null : .bool(true)
    state.groups[index] = updated
    bumpVersion(group.string("id")!)
    return .noContent
  }
}
