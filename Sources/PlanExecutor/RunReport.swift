import AnchorCore

/// What one run did, item by item (the CLI prints it and writes it as the JSON run report).
public struct RunReport: Hashable, Sendable, Codable {
  public var runId: String
  public var kind: RunKind
  public var status: RunStatus
  public var startedAt: String
  public var finishedAt: String
  public var planChecksum: String?
  public var rollbackOf: String?
  public var recoveryOf: String?
  /// Outcome name (`applied`, `unchanged`, `stale`, `failed`, `skipped`, `notFound`) to item count.
  public var counts: [String: Int]
  public var items: [ItemReport]

  public init(run: JournalRun, items: [JournalItem]) {
    runId = run.id
    kind = run.kind
    status = run.status
    startedAt = run.startedAt
    finishedAt = run.finishedAt ?? ""
    planChecksum = run.planChecksum
    rollbackOf = run.rollbackOf
    recoveryOf = run.recoveryOf
    counts = run.counts
    self.items = items.map {
      ItemReport(
        targetId: $0.targetId, userPrincipalName: $0.userPrincipalName, action: $0.action,
        outcome: $0.outcome, detail: $0.detail)
    }
  }

  /// Items that ended with this outcome.
  public func items(_ outcome: ItemOutcome) -> [ItemReport] {
    items.filter { $0.outcome == outcome }
  }

  /// How many items ended with this outcome.
  public func count(_ outcome: ItemOutcome) -> Int { counts[outcome.rawValue, default: 0] }
}

public struct ItemReport: Hashable, Sendable, Codable {
  /// The cloud user's id, or the AD twin's DN for an anchor writeback (`cloudId` in the JSON).
  public var targetId: String
  public var userPrincipalName: String
  public var action: PlanAction
  public var outcome: ItemOutcome
  /// Stale: expected and found values; failed: the port's code and message; skipped: why.
  public var detail: String?

  public init(
    targetId: String, userPrincipalName: String, action: PlanAction, outcome: ItemOutcome,
    detail: String?
  ) {
    self.targetId = targetId
    self.userPrincipalName = userPrincipalName
    self.action = action
    self.outcome = outcome
    self.detail = detail
  }

  enum CodingKeys: String, CodingKey {
    case targetId = "cloudId"
    case userPrincipalName, action, outcome, detail
  }
}
