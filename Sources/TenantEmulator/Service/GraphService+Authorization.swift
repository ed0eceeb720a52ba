extension GraphService {
  /// Refuses a call whose token carries none of the permissions its endpoint demands
  /// (`PermissionTable`): 403 `Authorization_RequestDenied`, as Graph answers it.
  func authorize(_ call: GraphCall) throws {
    let granted = Set(call.token.isDelegated ? (call.token.scopes ?? []) : call.token.roles)
    if call.token.isDelegated && granted.contains("Directory.AccessAsUser.All") { return }
    let segments = call.segments
    var required = PermissionTable.required(method: call.method, segments: segments)
    if required == nil, segments.count >= 3, segments[0] == "directory",
      segments[1] == "deletedItems", !segments[2].hasPrefix("microsoft.graph.")
    {
      required = PermissionTable.deletedItem(
        method: call.method, isUser: deletedUsers[segments[2].lowercased()] != nil)
    }
    guard let required else { return }
    guard required.contains(where: granted.contains) else {
      throw GraphFailure.insufficientPrivileges
    }
  }
}
