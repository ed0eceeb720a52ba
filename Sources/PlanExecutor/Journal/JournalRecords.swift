import AnchorCore

/// One run as the journal holds it: an apply, a rollback, or the recovery of an interrupted run.
public struct JournalRun: Hashable, Sendable, Codable {
  /// Sortable and unique: UTC start second plus a random suffix, `20261129T041502Z-3f9a1c`.
  public var id: String
  /// `apply`, `rollback` or `recovery` (see `RunKind`).
  public var kind: String
  /// `running`, `completed`, `interrupted` or `refused` (see `RunStatus`).
  public var status: String
  public var startedAt: String
  public var finishedAt: String?
  public var planKind: String
  public var planMode: String
  public var planChecksum: String?
  /// Where the plan came from (a file path), as the caller gave it.
  public var planSource: String?
  public var tenant: String
  /// For a rollback: the run it restores.
  public var rollbackOf: String?
  /// For a recovery: the interrupted run whose unfinished items it finished.
  public var recoveryOf: String?
  /// Outcome (`applied`, `stale`, ..., `pending`) to number of items.
  public var counts: [String: Int]

  public init(
    id: String, kind: String, status: String, startedAt: String, finishedAt: String? = nil,
    planKind: String, planMode: String, planChecksum: String? = nil, planSource: String? = nil,
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
}

public enum RunKind: String, Hashable, Sendable, Codable {
  case apply, rollback, recovery
}

public enum RunStatus: String, Hashable, Sendable, Codable {
  case running, completed, interrupted, refused
}

/// One plan item of a run, with every step it may write.
public struct JournalItem: Hashable, Sendable, Codable {
  /// Position in the run (for an apply, the item's index in the plan).
  public var seq: Int
  public var cloudId: String
  public var userPrincipalName: String
  /// The `PlanAction` raw value.
  public var action: String
  /// An `ItemOutcome` raw value, or `pending` while the item is not finished.
  public var outcome: String
  /// Stale: expected and found values; failed: the Graph code and message; skipped: why.
  public var detail: String?
  public var steps: [JournalStep]

  public init(
    seq: Int, cloudId: String, userPrincipalName: String, action: String, outcome: String,
    detail: String? = nil, steps: [JournalStep] = []
  ) {
    self.seq = seq
    self.cloudId = cloudId
    self.userPrincipalName = userPrincipalName
    self.action = action
    self.outcome = outcome
    self.detail = detail
    self.steps = steps
  }

  public static let pending = "pending"
}

/// One write of an item: the state it must find (`expect`) and the state it produces (`after`).
public struct JournalStep: Hashable, Sendable, Codable {
  public var index: Int
  /// The `PlanStepKind` raw value.
  public var kind: String
  public var expect: BeforeImage
  public var after: BeforeImage
  /// `planned` (not attempted yet), `intent` (durable before the write), `done` (the tenant
  /// accepted it), `failed`, or `verified` (read back and found). See `StepStatus`.
  public var status: String
  /// For failed steps: the tenant's error, or what the read-back found instead.
  public var error: String?
  /// When the status last changed (RFC 3339 UTC); nil while planned.
  public var at: String?
  /// Added by the executor after a step of a federated sequence failed: it takes the user back
  /// to the original state (off the temporary UPN). The item's outcome stays `failed`.
  public var reverts: Bool

  public init(
    index: Int, kind: String, expect: BeforeImage, after: BeforeImage, status: String,
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

  /// The tenant accepted this step (whether or not it was read back yet).
  public var wasWritten: Bool {
    status == StepStatus.done.rawValue || status == StepStatus.verified.rawValue
  }
}

public enum StepStatus: String, Hashable, Sendable, Codable {
  case planned, intent, done, failed, verified
}

/// How one item ended.
public enum ItemOutcome: String, Sendable, Codable, CaseIterable {
  /// Every step written and read back as expected.
  case applied
  /// Already in the final state: nothing written.
  case unchanged
  /// The tenant no longer holds the state the plan expects: skipped, both values in the detail.
  case stale
  /// The tenant refused a write, or accepted one that did not take.
  case failed
  /// Not a write (blocked, conflict, skip), or refused by rule; the detail says why.
  case skipped
  /// The cloud user no longer exists.
  case notFound
}
