import AnchorCore

extension PlanExecutor {
  /// Restores every before-image a run changed, through the same compare-and-set machinery: each
  /// item that had at least one written step goes back to its first step's expectation, expecting
  /// the state its last written step produced. Rolling back twice writes nothing the second time.
  public func rollback(runId: String) async throws -> RunReport {
    _ = try await recoverInterrupted()
    guard let target = try journaled({ () throws(JournalError) in try journal.run(runId) }) else {
      throw ExecutorError.unknownRun(runId)
    }
    guard target.planKind == options.planKind else {
      throw ExecutorError.invalidPlan(
        "run \(runId) wrote a \(target.planKind.rawValue) plan; it can't be rolled back through a \(options.planKind.rawValue) port"
      )
    }
    let items = try rollbackItems(runId: runId)
    guard !items.isEmpty else { throw ExecutorError.nothingToRollBack(runId) }
    var run = JournalRun(
      id: try newRunId(), kind: .rollback, status: .running,
      startedAt: options.now(), planKind: target.planKind, planMode: target.planMode,
      tenant: target.tenant, rollbackOf: runId)
    let changes = items.filter { $0.outcome == .pending }.count
    if changes > options.maxChanges {
      try refuse(&run)
      throw ExecutorError.safetyThreshold(changes: changes, limit: options.maxChanges)
    }
    return try await perform(run, items: items)
  }

  /// What `rollback(runId:)` would journal, read from the journal alone (nothing is read from or
  /// written to the tenant): one item per user to restore, with its steps, or `skipped` with the
  /// reason. For a confirmation prompt; empty when the run changed nothing restorable.
  public func rollbackItems(runId: String) throws -> [JournalItem] {
    var items: [JournalItem] = []
    for item in try settledItems(ofRun: runId) {
      if let restore = Self.restoring(item, seq: items.count) { items.append(restore) }
    }
    return items
  }

  /// The rollback item for one item of the run: target = the first step's expectation (the
  /// original state), expected now = the after-state of the last written step. Nil when nothing
  /// was written or the item already ended in its original state (a reverted failure).
  static func restoring(_ item: JournalItem, seq: Int) -> JournalItem? {
    guard let original = item.steps.first?.expect,
      let current = item.steps.last(where: \.wasWritten)?.after,
      !StepState.matches(current, original)
    else { return nil }
    var restore = JournalItem(
      seq: seq, targetId: item.targetId, userPrincipalName: original.userPrincipalName,
      action: action(from: current.immutableId, to: original.immutableId), outcome: .pending)
    let movedUPN = item.steps.contains { $0.wasWritten && StepState.movesUPN($0.kind) }
    guard movedUPN else {
      var after = current
      after.immutableId = original.immutableId
      let kind: PlanStepKind = original.immutableId == nil ? .clearImmutableId : .setImmutableId
      restore.steps = [step(0, kind, expect: current, after: after)]
      return restore
    }
    guard let anchor = original.immutableId else {
      restore.outcome = .skipped
      restore.detail =
        "the original ImmutableID was null on \(original.userPrincipalName), a federated domain: Graph never lets a federated user be without one, so an exact restore is impossible; nothing was written (the user is \(StepState.describe(current)))"
      return restore
    }
    // The federated sequence again: to the same temporary UPN, restore the anchor there, and
    // back into the federated domain together with the restored anchor.
    restore.steps = federatedRestore(
      from: current, to: original, anchor: anchor,
      temporary: temporaryUPN(item.steps) ?? current.userPrincipalName, firstIndex: 0,
      reverts: false)
    return restore
  }

  private static func step(
    _ index: Int, _ kind: PlanStepKind, expect: BeforeImage, after: BeforeImage
  ) -> JournalStep {
    JournalStep(index: index, kind: kind, expect: expect, after: after, status: .planned)
  }

  /// The plan action a restore amounts to.
  private static func action(from current: SourceAnchor?, to original: SourceAnchor?)
    -> PlanAction
  {
    switch (current, original) {
    case (_, nil): .clear
    case (nil, _): .link
    default: .relink
    }
  }
}
