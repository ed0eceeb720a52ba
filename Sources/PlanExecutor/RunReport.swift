/// What one run did, item by item (the CLI prints it and writes it as the JSON run report).
public struct RunReport: Hashable, Sendable, Codable {
  public var runId: String
  /// `apply`, `rollback` or `recovery`.
  public var kind: String
  /// `completed`, `refused`, `interrupted` or `running`.
  public var status: String
  public var startedAt: String
  public var finishedAt: String
  public var planChecksum: String?
  public var rollbackOf: String?
  public var recoveryOf: String?
  /// Outcome (`applied`, `unchanged`, `stale`, `failed`, `skipped`, `notFound`) to item count.
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
        cloudId: $0.cloudId, userPrincipalName: $0.userPrincipalName, action: $0.action,
        outcome: $0.outcome, detail: $0.detail)
    }
  }

  /// Items that ended with this outcome.
  public func items(_ outcome: ItemOutcome) -> [ItemReport] {
    items.filter { $0.outcome == outcome.rawValue }
  }
}

public struct ItemReport: Hashable, Sendable, Codable {
  public var cloudId: String
  public var userPrincipalName: String
  /// The `PlanAction` raw value.
  public var action: String
  /// The `ItemOutcome` raw value.
  public var outcome: String
  /// Stale: expected and found values; failed: the Graph code and message; skipped: why.
  public var detail: String?

  public init(
    cloudId: String, userPrincipalName: String, action: String, outcome: String, detail: String?
  ) {
    self.cloudId = cloudId
    self.userPrincipalName = userPrincipalName
    self.action = action
    self.outcome = outcome
    self.detail = detail
  }
}
