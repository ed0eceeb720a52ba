import AnchorCore

/// Applies a reviewed plan to the tenant through `TenantPort`, safely: compare-and-set against each
/// step's before-image, every write journaled durably before and after, read back and verified,
/// resumable after a crash, reversible, and bounded by `maxChanges`.
public struct PlanExecutor: Sendable {
  public let port: any TenantPort
  public let journal: Journal
  public let options: ExecutorOptions

  public init(port: any TenantPort, journal: Journal, options: ExecutorOptions) {
    self.port = port
    self.journal = journal
    self.options = options
  }

  /// Recovers interrupted runs first, refuses over-threshold and wrong-tenant plans before any
  /// write, then writes every link/relink/clear item whose cloud user still holds the plan's
  /// before-image. Other items are journaled (`skipped`, or `unchanged` for noop) and not written.
  /// `checksum` is the plan file's checksum (what `Plan.writeJSON` returned or `Plan.decodeSealed`
  /// verified); the journal keeps it with the run.
  public func apply(
    _ plan: Plan, checksum: String?, planSource: String?, expectedTenant: String?
  ) async throws -> RunReport {
    guard plan.kind == options.planKind else {
      throw ExecutorError.invalidPlan(
        "a \(plan.kind.rawValue) plan can't be applied through a \(options.planKind.rawValue) port")
    }
    _ = try await recoverInterrupted()
    let items = try Self.journalItems(plan)
    let changes = Self.changes(in: plan)
    var run = JournalRun(
      id: try newRunId(), kind: .apply, status: .running, startedAt: options.now(),
      planKind: plan.kind, planMode: plan.mode, planChecksum: checksum, planSource: planSource,
      tenant: plan.tenant)
    if let expectedTenant, expectedTenant.lowercased() != plan.tenant.lowercased() {
      try refuse(&run)
      throw ExecutorError.wrongTenant(plan: plan.tenant, expected: expectedTenant)
    }
    if changes > options.maxChanges {
      try refuse(&run)
      throw ExecutorError.safetyThreshold(changes: changes, limit: options.maxChanges)
    }
    return try await perform(run, items: items)
  }

  /// The writing items of a plan (link, relink, clear): what `maxChanges` is compared with.
  public static func changes(in plan: Plan) -> Int {
    plan.items.reduce(0) { count, item in
      switch item.action {
      case .link, .relink, .clear: count + 1
      case .noop, .blocked, .conflict, .skip: count
      }
    }
  }

  /// Journals the run with its items, executes the pending ones, closes the run, reports.
  func perform(_ run: JournalRun, items: [JournalItem]) async throws -> RunReport {
    try await journaledCommit { [journal] () throws(JournalError) in
      try journal.begin(run, items: items)
    }
    try crash(.afterRunStart)
    let work = items.filter { $0.outcome == .pending }.map(WorkItem.init)
    try await execute(run: run.id, items: work)
    try await journaledCommit { [journal, options] () throws(JournalError) in
      try journal.finish(run: run.id, status: .completed, at: options.now())
    }
    return try report(run.id)
  }

  /// Journals a run that wrote nothing, as `refused`.
  func refuse(_ run: inout JournalRun) throws {
    run.status = .refused
    run.finishedAt = options.now()
    try journaled { [run] () throws(JournalError) in try journal.begin(run, items: []) }
  }

  func report(_ id: String) throws -> RunReport {
    try journaled { () throws(JournalError) in
      guard let run = try journal.run(id) else {
        throw JournalError(.corrupt, path: journal.path, detail: "run \(id) disappeared")
      }
      return RunReport(run: run, items: try journal.items(ofRun: id))
    }
  }

  /// Sortable and unique: the start second from the clock, then 6 hex digits.
  func newRunId() throws -> String {
    let stamp = options.now().filter { $0.isNumber || $0 == "T" || $0 == "Z" }
    return try journaled { () throws(JournalError) in try journal.nextRunId(stamp: stamp) }
  }

  /// Every plan item as a journal item: writing items `pending` with their planned steps, noop
  /// `unchanged`, the rest `skipped` with the planner's explanation.
  static func journalItems(_ plan: Plan) throws(ExecutorError) -> [JournalItem] {
    var items: [JournalItem] = []
    items.reserveCapacity(plan.items.count)
    for (seq, item) in plan.items.enumerated() {
      let upn = item.cloud?.userPrincipalName ?? item.directory?.userPrincipalName ?? ""
      var journalItem = JournalItem(
        seq: seq, targetId: item.cloud?.id ?? "", userPrincipalName: upn, action: item.action,
        outcome: .skipped)
      switch item.action {
      case .link, .relink, .clear:
        // The object the port addresses: the cloud user, or the AD twin (by DN) for writeback.
        let target =
          plan.kind == .anchorWriteback ? item.directory?.distinguishedName : item.cloud?.id
        guard let target, !item.steps.isEmpty else {
          throw .invalidPlan(
            "item \(seq) (\(item.action.rawValue) \(upn)) has no \(plan.kind.targetNoun) or no steps"
          )
        }
        journalItem.targetId = target
        journalItem.outcome = .pending
        for (index, step) in item.steps.enumerated() {
          guard let after = StepState.after(step) else {
            throw .invalidPlan(
              "item \(seq) (\(upn)) step \(index + 1) \(step.kind.rawValue) lacks the value it writes"
            )
          }
          journalItem.steps.append(
            JournalStep(
              index: index, kind: step.kind, expect: step.expect, after: after, status: .planned))
        }
      case .noop:
        journalItem.outcome = .unchanged
        journalItem.detail = item.explanation
      case .blocked, .conflict, .skip:
        journalItem.detail =
          "\(item.action.rawValue) (\(item.reason.rawValue)): \(item.explanation)"
      }
      items.append(journalItem)
    }
    return items
  }
}

extension PlanKind {
  /// What the journal texts call an item's target.
  var targetNoun: String { self == .anchorWriteback ? "directory object" : "cloud user" }
}
