import AnchorCore

extension PlanExecutor {
  /// Finishes what a killed process left: for every run still `running`, the items it had started
  /// (a step past `planned`) are positioned by their current state and their remaining journaled
  /// steps are executed, so a federated user is never left on the temporary UPN. That work is a
  /// `recovery` run; the old run becomes `interrupted`, and the items it had not started yet are
  /// `skipped` (applying the plan again writes them, compare-and-set as always).
  public func recoverInterrupted() async throws -> [RunReport] {
    var reports: [RunReport] = []
    let running = try journaled { () throws(JournalError) in try journal.runningRuns() }
    for run in running where run.planKind == options.planKind {
      if let report = try await recover(run) { reports.append(report) }
    }
    return reports
  }

  private func recover(_ run: JournalRun) async throws -> RunReport? {
    let items = try journaled { () throws(JournalError) in try journal.items(ofRun: run.id) }
    let pending = items.filter { $0.outcome == .pending }
    let started = pending.filter { item in item.steps.contains { $0.status != .planned } }
    let recovery =
      started.isEmpty
      ? nil
      : JournalRun(
        id: try newRunId(), kind: .recovery, status: .running,
        startedAt: options.now(), planKind: run.planKind, planMode: run.planMode,
        planChecksum: run.planChecksum, planSource: run.planSource, tenant: run.tenant,
        rollbackOf: run.rollbackOf, recoveryOf: run.id)
    var outcomes: [OutcomeUpdate] = []
    for item in pending {
      let wasStarted = item.steps.contains { $0.status != .planned }
      let detail =
        wasStarted
        ? "interrupted mid-item; finished by recovery run \(recovery?.id ?? "")"
        : "interrupted before this item was written; apply the plan again to write it"
      outcomes.append(
        OutcomeUpdate(seq: item.seq, outcome: .skipped, detail: detail))
    }
    try await journaledCommit { [journal, options, outcomes, recovery] () throws(JournalError) in
      try journal.handOver(
        from: run.id, outcomes: outcomes, to: recovery, items: started, at: options.now())
    }
    guard let recovery else { return nil }
    try crash(.afterRunStart)
    try await execute(run: recovery.id, items: started.map(WorkItem.init))
    try await journaledCommit { [journal, options] () throws(JournalError) in
      try journal.finish(run: recovery.id, status: .completed, at: options.now())
    }
    return try report(recovery.id)
  }

  /// The items of a run as they finally stand: an item continued by a recovery run (same seq, its
  /// steps carrying the statuses so far) is replaced by the latest recovery's copy.
  func settledItems(ofRun id: String) throws(ExecutorError) -> [JournalItem] {
    try journaled { () throws(JournalError) in
      var items = try journal.items(ofRun: id)
      var position: [Int: Int] = [:]
      for (index, item) in items.enumerated() { position[item.seq] = index }
      var queue = [id]
      while let current = queue.popLast() {
        for recovery in try journal.recoveries(of: current) {
          for item in try journal.items(ofRun: recovery.id) {
            if let index = position[item.seq] { items[index] = item }
          }
          queue.append(recovery.id)
        }
      }
      return items
    }
  }
}
