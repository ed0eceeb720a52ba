extension GraphClient {
  public func pages<Item: Decodable & Sendable>(
    _ request: GraphRequest, of type: Item.Type = Item.self
  ) -> GraphPages<Item> {
    GraphPages(client: self, first: request)
  }

  /// All users, `$top=999`, the properties of `GraphUser.selectFields`.
  public func users() -> GraphPages<GraphUser> { pages(GraphRequests.listUsers()) }

  public func groups() -> GraphPages<GraphGroup> { pages(GraphRequests.listGroups()) }

  public func members(ofGroup id: String) throws -> GraphPages<GraphDirectoryObject> {
    pages(try GraphRequests.groupRelation(.members, of: id))
  }

  public func owners(ofGroup id: String) throws -> GraphPages<GraphDirectoryObject> {
    pages(try GraphRequests.groupRelation(.owners, of: id))
  }

  public func domains() async throws -> [GraphDomain] {
    try await pages(GraphRequests.domains()).collect()
  }

  public func organization() async throws -> [GraphOrganization] {
    try await pages(GraphRequests.organization()).collect()
  }

  public func roleAssignments() async throws -> [GraphRoleAssignment] {
    try await pages(GraphRequests.roleAssignments()).collect()
  }

  public func user(_ id: String) async throws -> GraphUser {
    let request = try GraphRequests.user(id)
    return try await send(request).decode(GraphUser.self, operation: request.operation)
  }

  /// One group; `select: GraphGroup.snapshotFields` reads everything needed to rebuild it.
  public func group(_ id: String, select: [String] = GraphGroup.selectFields) async throws
    -> GraphGroup
  {
    let request = try GraphRequests.group(id, select: select)
    return try await send(request).decode(GraphGroup.self, operation: request.operation)
  }

  /// Users already carrying `value` as their anchor (the uniqueness check before a write).
  /// The comparison is repeated here case-sensitively: the anchor is case-sensitive.
  public func users(withImmutableID value: String) async throws -> [GraphUser] {
    try await pages(GraphRequests.usersWithImmutableID(value)).collect()
      .filter { $0.onPremisesImmutableId == value }
  }
}

/// The result of one delta round.
public enum DeltaOutcome<Object: Decodable & Sendable>: Sendable {
  /// Changes since the previous deltaLink (or everything, on the first round) and the link to
  /// store for the next round.
  case changes([DeltaEntry<Object>], deltaLink: String)
  /// The stored deltaLink is no longer known (410 Gone / `syncStateNotFound`): read everything
  /// again, starting without a link.
  case fullResyncRequired(GraphError)
}

extension GraphClient {
  public func usersDelta(from deltaLink: String?) async throws -> DeltaOutcome<GraphUser> {
    try await delta(
      first: deltaLink.map { GraphRequests.link($0, operation: "GET /users/delta") }
        ?? GraphRequests.usersDelta())
  }

  public func groupsDelta(from deltaLink: String?) async throws -> DeltaOutcome<GraphGroup> {
    try await delta(
      first: deltaLink.map { GraphRequests.link($0, operation: "GET /groups/delta") }
        ?? GraphRequests.groupsDelta())
  }

  func delta<Object: Decodable & Sendable>(first: GraphRequest) async throws -> DeltaOutcome<Object>
  {
    var entries: [DeltaEntry<Object>] = []
    var request = first
    while true {
      let response: GraphResponse
      do {
        response = try await send(request)
      } catch let error as GraphError where error.requiresFullResync {
        logger.notice(
          "delta token expired; full resync required",
          metadata: ["operation": "\(request.operation)", "status": "\(error.status ?? 0)"])
        return .fullResyncRequired(error)
      }
      let page = try response.decode(
        GraphPage<DeltaEntry<Object>>.self, operation: request.operation)
      entries.append(contentsOf: page.value)
      if let deltaLink = page.deltaLink { return .changes(entries, deltaLink: deltaLink) }
      guard let next = page.nextLink else {
        throw GraphError(
          kind: .invalidResponse, status: response.status,
          message: "delta page has neither @odata.nextLink nor @odata.deltaLink",
          requestID: response.requestID, clientRequestID: response.clientRequestID,
          operation: request.operation)
      }
      request = GraphRequests.link(next, operation: request.operation)
    }
  }
}
