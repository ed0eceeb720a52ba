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

  /// Users by id as `$batch` GETs of 20, `concurrency` batches in flight; ids the tenant doesn't
  /// know (404) are absent. Any other failure of an item, or an item the answer leaves out, throws.
  public func users(ids: [String], concurrency: Int = 4) async throws -> [String: GraphUser] {
    let found = try await fanOut(Self.chunks(ids), concurrency: concurrency) { chunk in
      try await self.usersChunk(chunk)
    }
    var users: [String: GraphUser] = [:]
    for chunk in found { users.merge(chunk) { first, _ in first } }
    return users
  }

  private func usersChunk(_ ids: [String]) async throws -> [String: GraphUser] {
    var items: [BatchItem] = []
    for (offset, id) in ids.enumerated() {
      items.append(BatchItem(id: String(offset + 1), request: try GraphRequests.user(id)))
    }
    let results = try await batch(items, decoding: GraphUser.self)
    var users: [String: GraphUser] = [:]
    for (offset, id) in ids.enumerated() {
      switch results[String(offset + 1)] {
      case .success(let reply):
        guard let user = reply.body else {
          throw GraphError(
            kind: .invalidResponse, status: reply.status, message: "user read has no body",
            operation: "GET /users/{id}")
        }
        users[id] = user
      case .failure(let error) where error.status == 404:
        continue
      case .failure(let error):
        throw error
      case nil:
        throw GraphError(
          kind: .invalidResponse, message: "no batch result for user \(id)",
          operation: "GET /users/{id}")
      }
    }
    return users
  }

  /// The tenant's directory synchronization features, or nil when the token may not read them
  /// (403: the endpoint needs a delegated Global Administrator; an app-only token never can).
  /// Network, 5xx and decoding failures throw.
  public func onPremisesSynchronizationFeatures() async throws
    -> OnPremisesSynchronizationFeatures?
  {
    let request = GraphRequests.onPremisesSynchronization()
    let response: GraphResponse
    do {
      response = try await send(request)
    } catch let error as GraphError where error.status == 403 {
      return nil
    }
    return try response.decode(OnPremisesSynchronizationPage.self, operation: request.operation)
      .value?.first?.features ?? OnPremisesSynchronizationFeatures()
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
    var guardrail = PageGuard()
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
      try guardrail.check(
        items: page.value.count, nextLink: page.nextLink, host: endpoints.graphRoot,
        operation: request.operation)
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
