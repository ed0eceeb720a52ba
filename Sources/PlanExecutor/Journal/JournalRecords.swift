import AnchorCore

/// One run as the journal holds it: an apply, a rollback, or the recovery of an interrupted run.
public struct JournalRun: Hashable, Sendable, Codable {
  /// Sortable and unique: UTC start second plus a random suffix, `20261129T041502Z-3f9a1c`.
  public var id: String
  public var kind: RunKind
  public var status: RunStatus
  public var startedAt: String
  public var finishedAt: String?
  public var planKind: PlanKind
  public var planMode: PlanMode
  public var planChecksum: String?
  /// Where the plan came from (a file path), as the caller gave it.
  public var planSource: String?
  public var tenant: String
  /// For a rollback: the run it restores.
  public var rollbackOf: String?
  /// For a recovery: the interrupted run whose unfinished items it finished.
  public var recoveryOf: String?
  /// Outcome name (`applied`, `stale`, ..., `pending`) to number of items, as the reports print it.
  public var counts: [String: Int]

  public init(
    id: String, kind: RunKind, status: RunStatus, startedAt: String, finishedAt: String? = nil,
    planKind: PlanKind, planMode: PlanMode, planChecksum: String? = nil, planSource: String? = nil,
    tenant: String, rollbackOf: String? = nil, recoveryOf: String? = nil,
    counts: [String: Int] = [:]
  ) {
    self.id = id
    self.kind = kind
    self.status = status
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    self.planKind = planKind
    self.planMode = planMode
    self.planChecksum = planChecksum
    self.planSource = planSource
    self.tenant = tenant
    self.rollbackOf = rollbackOf
    self.recoveryOf = recoveryOf
    self.counts = counts
  }

  /// How many items of the run have this outcome.
  public func count(_ outcome: ItemOutcome) -> Int { counts[outcome.rawValue, default: 0] }
}

public enum RunKind: String, Hashable, Sendable, Codable, CaseIterable {
  case apply, rollback, recovery
}

public enum RunStatus: String, Hashable, Sendable, Codable, CaseIterable {
  case running, completed, interrupted, refused
}

/// One plan item of a run, with every step it may write.
public struct JournalItem: Hashable, Sendable, Codable {
  /// Position in the run (for an apply, the item's index in the plan).
  public var seq: Int
  /// The object the port addresses: a cloud user's id, or for an anchor writeback the AD twin's
  /// DN. Stored in the `cloud_id` column and printed as `cloudId`.
  public var targetId: String
  public var userPrincipalName: String
  public var action: PlanAction
  /// `pending` while the item is not finished.
  public var outcome: ItemOutcome
  /// Stale: expected and found values; failed: the port's code and message; skipped: why.
  public var detail: String?
  public var steps: [JournalStep]

  public init(
    seq: Int, targetId: String, userPrincipalName: String, action: PlanAction,
    outcome: ItemOutcome, detail: String? = nil, steps: [JournalStep] = []
  ) {
    self.seq = seq
    self.targetId = targetId
    self.userPrincipalName = userPrincipalName
    self.action = action
    self.outcome = outcome
    self.detail = detail
    self.steps = steps
  }

  enum CodingKeys: String, CodingKey {
    case seq
    case targetId = "cloudId"
    case userPrincipalName, action, outcome, detail, steps
  }
}

/// One write of an item: the state it must find (`expect`) and the state it produces (`after`).
public struct JournalStep: Hashable, Sendable, Codable {
  public var index: Int
  public var kind: PlanStepKind
  public var expect: BeforeImage
  public var after: BeforeImage
  public var status: StepStatus
  /// For failed steps: the port's error, or what the read-back found instead.
  public var error: String?
  /// When the status last changed (RFC 3339 UTC); nil while planned.
  public var at: String?
  /// Added by the executor after a step of a federated sequence failed: it takes the user back
  /// to the original state (off the temporary UPN). The item's outcome stays `failed`.
  public var reverts: Bool

  public init(
    index: Int, kind: PlanStepKind, expect: BeforeImage, after: BeforeImage, status: StepStatus,
    error: String? = nil, at: String? = nil, reverts: Bool = false
  ) {
    self.index = index
    self.kind = kind
    self.expect = expect
    self.after = after
    self.status = status
    self.error = error
    self.at = at
    self.reverts = reverts
  }

  /// The port accepted this step (whether or not it was read back yet).
  public var wasWritten: Bool { status == .done || status == .verified }
}

/// Where a step stands.
public enum StepStatus: String, Hashable, Sendable, Codable, CaseIterable {
  /// Not attempted yet.
  case planned
  /// Durable before the write.
  case intent
  /// The port accepted the write.
  case done
  case failed
  /// Read back and found.
  case verified
}

/// How one item ended, or `pending` while it has not.
public enum ItemOutcome: String, Hashable, Sendable, Codable, CaseIterable {
  /// Every step written and read back as expected.
  case applied
  /// Already in the final state: nothing written.
  case unchanged
  /// The target no longer holds the state the plan expects: skipped, both values in the detail.
  case stale
  /// The port refused a write, or accepted one that did not take.
  case failed
  /// Not a write (blocked, conflict, skip), or refused by rule; the detail says why.
  case skipped
  /// The target object no longer exists.
  case notFound
  /// Journaled but not finished yet.
  case pending
}
