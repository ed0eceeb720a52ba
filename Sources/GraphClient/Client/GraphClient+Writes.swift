extension GraphClient {
  public func patchUser(_ id: String, _ patch: UserPatch) async throws {
    _ = try await send(try GraphRequests.patchUser(id, patch))
  }

  public func setImmutableID(_ value: ImmutableID, forUser id: String) async throws {
    try await patchUser(id, UserPatch(immutableID: .set(value)))
  }

  /// Sends `{"onPremisesImmutableId":null}`.
  public func clearImmutableID(forUser id: String) async throws {
    try await patchUser(id, UserPatch(immutableID: .clear))
  }

  public func changeUserPrincipalName(ofUser id: String, to upn: String) async throws {
    try await patchUser(id, UserPatch(userPrincipalName: upn))
  }

  /// UPN and anchor in one PATCH: the only way into a federated domain (graph-facts §1).
  public func changeUserPrincipalName(
    ofUser id: String, to upn: String, immutableID: ImmutableIDChange
  ) async throws {
    try await patchUser(id, UserPatch(immutableID: immutableID, userPrincipalName: upn))
  }

  /// Reads the user back and checks the patch took: anchor compared case-sensitively, UPN
  /// case-insensitively. Throws `.notApplied` ("accepted but did not take") otherwise.
  @discardableResult
  public func verifyUser(_ id: String, applied patch: UserPatch) async throws -> GraphUser {
    let user = try await user(id)
    if let change = patch.immutableID, user.onPremisesImmutableId != change.expectedValue {
      throw GraphError(
        kind: .notApplied, code: "onPremisesImmutableId",
        message: "accepted but did not take: onPremisesImmutableId is "
          + "\(user.onPremisesImmutableId.map { "\"\($0)\"" } ?? "null"), expected "
          + "\(change.expectedValue.map { "\"\($0)\"" } ?? "null")",
        operation: "GET /users/{id}")
    }
    if let upn = patch.userPrincipalName,
      user.userPrincipalName?.lowercased() != upn.lowercased()
    {
      throw GraphError(
        kind: .notApplied, code: "userPrincipalName",
        message: "accepted but did not take: userPrincipalName is "
          + "\"\(user.userPrincipalName ?? "null")\", expected \"\(upn)\"",
        operation: "GET /users/{id}")
    }
    return user
  }

  /// PATCH, then read back and compare.
  @discardableResult
  public func patchUserVerified(_ id: String, _ patch: UserPatch) async throws -> GraphUser {
    try await patchUser(id, patch)
    return try await verifyUser(id, applied: patch)
  }

  // MARK: Groups

  /// Creates the group with its first 20 owners and members bound in the POST (owners first),
  /// then adds the rest one `$ref` at a time. Should one of those fail, the thrown `GraphError`
  /// says that the group exists (its id) and how many relationships it got.
  public func createGroup(_ group: NewGroup) async throws -> GraphGroup {
    let request = try GraphRequests.createGroup(group, apiBase: endpoints.apiBase)
    let later = try group.relationshipsAfterCreation()
    let created = try await send(request).decode(GraphGroup.self, operation: request.operation)
    for (done, next) in later.enumerated() {
      do {
        _ = try await send(
          try GraphRequests.addGroupRelation(
            next.relation, groupID: created.id, memberID: next.id, apiBase: endpoints.apiBase))
      } catch var error as GraphError {
        let total = try group.relationships().count
        error.message +=
          " (group \(created.id) was created with \(NewGroup.bindLimit + done) of \(total) owners and members)"
        throw error
      }
    }
    return created
  }

  public func updateGroup(_ id: String, _ patch: GroupPatch) async throws {
    _ = try await send(try GraphRequests.patchGroup(id, patch))
  }

  public func deleteGroup(_ id: String) async throws {
    _ = try await send(try GraphRequests.deleteGroup(id))
  }

  public func addMember(_ memberID: String, toGroup groupID: String) async throws {
    _ = try await send(
      try GraphRequests.addGroupRelation(
        .members, groupID: groupID, memberID: memberID, apiBase: endpoints.apiBase))
  }

  public func removeMember(_ memberID: String, fromGroup groupID: String) async throws {
    _ = try await send(
      try GraphRequests.removeGroupRelation(.members, groupID: groupID, memberID: memberID))
  }

  public func addOwner(_ ownerID: String, toGroup groupID: String) async throws {
    _ = try await send(
      try GraphRequests.addGroupRelation(
        .owners, groupID: groupID, memberID: ownerID, apiBase: endpoints.apiBase))
  }

  /// Purges a soft-deleted object from deleted items; one already purged (404) counts as done.
  public func purgeDeletedItem(_ id: String) async throws {
    do {
      _ = try await send(try GraphRequests.purgeDeletedItem(id))
    } catch let error as GraphError where error.status == 404 {
      return
    }
  }

  /// Whether a soft-deleted object is still in deleted items.
  public func deletedItemExists(_ id: String) async throws -> Bool {
    do {
      _ = try await send(try GraphRequests.deletedItem(id))
      return true
    } catch let error as GraphError where error.status == 404 {
      return false
    }
  }

  /// Reads the group back and checks it still exists (`false` after a delete took).
  public func groupExists(_ id: String) async throws -> Bool {
    do {
      _ = try await group(id)
      return true
    } catch let error as GraphError where error.status == 404 {
      return false
    }
  }
}
