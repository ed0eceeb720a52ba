import AnchorCore

/// What one round journals in one transaction.
struct RoundRecord: Sendable {
  var steps: [StepUpdate] = []
  var outcomes: [OutcomeUpdate] = []
  var added: [(seq: Int, step: JournalStep)] = []
}

extension PlanExecutor {
  /// A step failed with the user found in `state`. A federated sequence that already moved the UPN
  /// is not left there: steps that take the user back to the original state (the rollback's
  /// federated restore) are added and executed in the next rounds; the item ends `failed` either
  /// way. Anything else ends `failed` at once.
  func fail(
    _ item: inout WorkItem, at state: BeforeImage, _ text: String, into record: inout RoundRecord
  ) {
    let failing = item.steps[item.next!]
    record.steps.append(
      StepUpdate(seq: item.seq, index: failing.index, status: .failed, error: text))
    item.steps[failing.index].status = .failed
    item.steps[failing.index].error = text
    if let revert = Self.revertSteps(item, from: state) {
      item.steps += revert
      record.added += revert.map { (item.seq, $0) }
      item.next = revert[0].index
      return
    }
    record.outcomes.append(
      OutcomeUpdate(
        seq: item.seq, outcome: .failed,
        detail: Self.failureDetail(item, failing, text, state: state)))
    item.next = nil
  }

  /// The outcome of an item whose last step is in place: `applied`, or `failed` when that last
  /// step ended a revert.
  static func finished(_ item: WorkItem) -> OutcomeUpdate {
    guard item.steps.contains(where: \.reverts),
      let failed = item.steps.first(where: {
        !$0.reverts && $0.status == .failed
      })
    else { return OutcomeUpdate(seq: item.seq, outcome: .applied) }
    let planned = item.steps.filter { !$0.reverts }.count
    return OutcomeUpdate(
      seq: item.seq, outcome: .failed,
      detail:
        "step \(failed.index + 1) of \(planned) (\(failed.kind.rawValue)) failed: \(failed.error ?? "?"); reverted: the user is back to \(StepState.describe(item.steps[0].expect))"
    )
  }

  /// Steps back to the original state for a federated sequence that moved the UPN, or nil.
  static func revertSteps(_ item: WorkItem, from state: BeforeImage) -> [JournalStep]? {
    let original = item.steps[0].expect
    guard !item.steps.contains(where: \.reverts),
      item.steps.contains(where: { $0.wasWritten && StepState.movesUPN($0.kind) }),
      let anchor = original.immutableId, !StepState.matches(state, original),
      let temporary = temporaryUPN(item.steps)
    else { return nil }
    return federatedRestore(
      from: state, to: original, anchor: anchor, temporary: temporary,
      firstIndex: item.steps.count, reverts: true)
  }

  /// The temporary UPN a federated sequence moved the user to.
  static func temporaryUPN(_ steps: [JournalStep]) -> String? {
    steps.first { $0.kind == .setUserPrincipalName }?.after.userPrincipalName
  }

  /// The federated sequence back to `original`: to the temporary UPN (unless there), the anchor
  /// there (unless equal), then into the federated domain together with the anchor (one PATCH).
  static func federatedRestore(
    from current: BeforeImage, to original: BeforeImage, anchor: SourceAnchor, temporary: String,
    firstIndex: Int, reverts: Bool
  ) -> [JournalStep] {
    var steps: [JournalStep] = []
    func add(_ kind: PlanStepKind, _ expect: BeforeImage, _ after: BeforeImage) {
      steps.append(
        JournalStep(
          index: firstIndex + steps.count, kind: kind, expect: expect, after: after,
          status: .planned, reverts: reverts))
    }
    var state = current
    if !StepState.sameUPN(state.userPrincipalName, temporary) {
      var moved = state
      moved.userPrincipalName = temporary
      add(.setUserPrincipalName, state, moved)
      state = moved
    }
    if state.immutableId?.immutableId != anchor.immutableId {
      var set = state
      set.immutableId = anchor
      add(.setImmutableId, state, set)
      state = set
    }
    var back = state
    back.userPrincipalName = original.userPrincipalName
    add(.setUserPrincipalNameAndImmutableId, state, back)
    return steps
  }

  /// The failure text: which step of a sequence failed and where that leaves the user.
  static func failureDetail(
    _ item: WorkItem, _ failing: JournalStep, _ text: String, state: BeforeImage
  ) -> String {
    let planned = item.steps.filter { !$0.reverts }.count
    guard planned > 1 || failing.reverts else { return text }
    var detail: String
    if failing.reverts, let first = item.steps.first(where: { !$0.reverts && $0.error != nil }) {
      detail =
        "step \(first.index + 1) of \(planned) (\(first.kind.rawValue)) failed: \(first.error ?? "?"); reverting it failed too (\(failing.kind.rawValue)): \(text)"
    } else {
      detail = "step \(failing.index + 1) of \(planned) (\(failing.kind.rawValue)) failed: \(text)"
    }
    if !StepState.matches(state, item.steps[0].expect) {
      detail +=
        "; the user is left as \(StepState.describe(state)): `anchorbridge rollback` restores the original"
    }
    return detail
  }
}
