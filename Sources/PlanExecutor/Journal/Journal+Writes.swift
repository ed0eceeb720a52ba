import AnchorCore

/// A step's new status, recorded with others in one transaction.
struct StepUpdate: Sendable {
  var seq: Int
  var index: Int
  var status: StepStatus
  var error: String?
}

/// An item's final (or again pending) outcome.
struct OutcomeUpdate: Sendable {
  var seq: Int
  var outcome: ItemOutcome
  var detail: String?
}

extension Journal {
  /// Inserts the run, its items and their planned steps in one transaction: once this returns,
  /// everything the run may write is on disk.
  func begin(_ run: JournalRun, items: [JournalItem]) throws(JournalError) {
    try withConnection { (db) throws(JournalError) in
      try db.transaction { () throws(JournalError) in try Self.insert(db, run, items) }
    }
  }

  /// Closes an interrupted run (its items' outcomes, status `interrupted`) and starts the recovery
  /// run that continues it, in one transaction: a crash never leaves both open or neither.
  func handOver(
    from id: String, outcomes: [OutcomeUpdate], to recovery: JournalRun?, items: [JournalItem],
    at time: String
  ) throws(JournalError) {
    try withConnection { (db) throws(JournalError) in
      try db.transaction { () throws(JournalError) in
        try Self.update(db, run: id, steps: [], outcomes: outcomes, at: time)
        try db.query(
          "UPDATE runs SET status = ?, finished_at = ? WHERE id = ?",
          [SQLiteValue(RunStatus.interrupted), .text(time), .text(id)])
        if let recovery { try Self.insert(db, recovery, items) }
      }
    }
  }

  private static func insert(_ db: SQLiteConnection, _ run: JournalRun, _ items: [JournalItem])
    throws(JournalError)
  {
    try db.query(
      """
      INSERT INTO runs (id, kind, status, started_at, finished_at, plan_kind, plan_mode,
        plan_checksum, plan_source, tenant, rollback_of, recovery_of)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      """,
      [
        .text(run.id), SQLiteValue(run.kind), SQLiteValue(run.status), .text(run.startedAt),
        SQLiteValue(run.finishedAt), SQLiteValue(run.planKind), SQLiteValue(run.planMode),
        SQLiteValue(run.planChecksum), SQLiteValue(run.planSource), .text(run.tenant),
        SQLiteValue(run.rollbackOf), SQLiteValue(run.recoveryOf),
      ])
    for item in items {
      try db.query(
        """
        INSERT INTO items (run_id, seq, cloud_id, user_principal_name, action, outcome, detail)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """,
        [
          .text(run.id), SQLiteValue(item.seq), .text(item.targetId),
          .text(item.userPrincipalName), SQLiteValue(item.action), SQLiteValue(item.outcome),
          SQLiteValue(item.detail),
        ])
      for step in item.steps { try insert(db, run: run.id, seq: item.seq, step) }
    }
  }

  private static func insert(_ db: SQLiteConnection, run id: String, seq: Int, _ step: JournalStep)
    throws(JournalError)
  {
    try db.query(
      """
      INSERT INTO steps (run_id, seq, idx, kind, expect_immutable_id, expect_upn, expect_sync,
        after_immutable_id, after_upn, after_sync, status, error, at, reverts)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      """,
      [
        .text(id), SQLiteValue(seq), SQLiteValue(step.index), SQLiteValue(step.kind),
        SQLiteValue(step.expect.immutableId?.immutableId), .text(step.expect.userPrincipalName),
        SQLiteValue(step.expect.onPremisesSyncEnabled),
        SQLiteValue(step.after.immutableId?.immutableId), .text(step.after.userPrincipalName),
        SQLiteValue(step.after.onPremisesSyncEnabled), SQLiteValue(step.status),
        SQLiteValue(step.error), SQLiteValue(step.at), SQLiteValue(step.reverts),
      ])
  }

  /// Records step statuses and item outcomes of one run, and steps added to its items, in one
  /// transaction (durable on return).
  func record(
    run id: String, steps: [StepUpdate], outcomes: [OutcomeUpdate],
    added: [(seq: Int, step: JournalStep)] = [], at time: String
  ) throws(JournalError) {
    guard !steps.isEmpty || !outcomes.isEmpty || !added.isEmpty else { return }
    try withConnection { (db) throws(JournalError) in
      try db.transaction { () throws(JournalError) in
        try Self.update(db, run: id, steps: steps, outcomes: outcomes, at: time)
        for (seq, step) in added { try Self.insert(db, run: id, seq: seq, step) }
      }
    }
  }

  private static func update(
    _ db: SQLiteConnection, run id: String, steps: [StepUpdate], outcomes: [OutcomeUpdate],
    at time: String
  ) throws(JournalError) {
    for step in steps {
      try db.query(
        "UPDATE steps SET status = ?, error = ?, at = ? WHERE run_id = ? AND seq = ? AND idx = ?",
        [
          SQLiteValue(step.status), SQLiteValue(step.error), .text(time), .text(id),
          SQLiteValue(step.seq), SQLiteValue(step.index),
        ])
    }
    for outcome in outcomes {
      try db.query(
        "UPDATE items SET outcome = ?, detail = ? WHERE run_id = ? AND seq = ?",
        [
          SQLiteValue(outcome.outcome), SQLiteValue(outcome.detail), .text(id),
          SQLiteValue(outcome.seq),
        ])
    }
  }

  /// Sets the run's final status and end time.
  func finish(run id: String, status: RunStatus, at time: String) throws(JournalError) {
    try withConnection { (db) throws(JournalError) in
      try db.query(
        "UPDATE runs SET status = ?, finished_at = ? WHERE id = ?",
        [SQLiteValue(status), .text(time), .text(id)])
    }
  }
}
