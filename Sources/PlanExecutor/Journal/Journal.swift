import AnchorCore
import Synchronization

/// The run journal: every run, item and step, in SQLite (WAL, synchronous=FULL) at
/// `<state folder>/journal.sqlite`. One connection, guarded by a Mutex: each call is short and
/// runs on the caller's thread.
///
/// Rows hold ids, UPNs, ImmutableIDs, statuses and the tenant's error codes and messages; never a
/// token or secret.
public final class Journal: Sendable {
  public let path: String
  private let connection: Mutex<SQLiteConnection>

  init(connection: sending SQLiteConnection, path: String) {
    self.connection = Mutex(connection)
    self.path = path
  }

  @discardableResult
  func withConnection<T: Sendable>(
    _ body: (SQLiteConnection) throws(JournalError) -> T
  ) throws(JournalError) -> T {
    try connection.withLock { (connection) throws(JournalError) -> T in try body(connection) }
  }

  // MARK: Reading

  private static let runColumns = """
    id, kind, status, started_at, finished_at, plan_kind, plan_mode, plan_checksum, plan_source,
    tenant, rollback_of, recovery_of
    """

  /// Every run, oldest first.
  public func runs() throws(JournalError) -> [JournalRun] {
    try withConnection { (db) throws(JournalError) in
      let rows = try db.query("SELECT \(Self.runColumns) FROM runs ORDER BY rowid")
      var runs: [JournalRun] = []
      for row in rows {
        runs.append(try Self.run(from: row, counts: try Self.counts(db, row[0]), path: path))
      }
      return runs
    }
  }

  public func run(_ id: String) throws(JournalError) -> JournalRun? {
    try withConnection { (db) throws(JournalError) in
      guard
        let row = try db.query("SELECT \(Self.runColumns) FROM runs WHERE id = ?", [.text(id)])
          .first
      else { return nil }
      return try Self.run(from: row, counts: try Self.counts(db, row[0]), path: path)
    }
  }

  /// A new run id: `stamp-xxxxxx` with a random suffix, bumped past the newest id when that one
  /// has the same or a later stamp, so ids always sort in creation order.
  func nextRunId(stamp: String) throws(JournalError) -> String {
    func hex(_ value: UInt32) -> String {
      let digits = String(value, radix: 16)
      return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }
    let candidate = stamp + "-" + hex(UInt32.random(in: 0..<(1 << 23)))
    let newest = try withConnection { (db) throws(JournalError) in
      try db.query("SELECT MAX(id) FROM runs").first?.first?.text
    }
    guard let newest, newest >= candidate, let dash = newest.lastIndex(of: "-"),
      let suffix = UInt32(newest[newest.index(after: dash)...], radix: 16)
    else { return candidate }
    return String(newest[..<dash]) + "-" + hex(suffix + 1 + UInt32.random(in: 0..<(1 << 12)))
  }

  /// Runs left `running` by a process that stopped, oldest first.
  func runningRuns() throws(JournalError) -> [JournalRun] {
    try runs().filter { $0.status == .running }
  }

  /// Runs that recovered `id` (their items continue that run's items, with the same seq).
  func recoveries(of id: String) throws(JournalError) -> [JournalRun] {
    try runs().filter { $0.recoveryOf == id }
  }

  public func items(ofRun id: String) throws(JournalError) -> [JournalItem] {
    try withConnection { (db) throws(JournalError) in
      let itemRows = try db.query(
        "SELECT seq, cloud_id, user_principal_name, action, outcome, detail FROM items WHERE run_id = ? ORDER BY seq",
        [.text(id)])
      let stepRows = try db.query(
        """
        SELECT seq, idx, kind, expect_immutable_id, expect_upn, expect_sync, after_immutable_id,
          after_upn, after_sync, status, error, at, reverts FROM steps WHERE run_id = ? ORDER BY seq, idx
        """, [.text(id)])
      var steps: [Int64: [JournalStep]] = [:]
      for row in stepRows {
        guard let seq = row[0].integer, let index = row[1].integer, let expectUPN = row[4].text,
          let afterUPN = row[7].text
        else {
          throw JournalError(.corrupt, path: path, detail: "a step row of run \(id) is incomplete")
        }
        steps[seq, default: []].append(
          JournalStep(
            index: Int(index),
            kind: try row[2].decoded(PlanStepKind.self, path: path, column: "kind"),
            expect: Self.image(row[3], expectUPN, row[5]),
            after: Self.image(row[6], afterUPN, row[8]),
            status: try row[9].decoded(StepStatus.self, path: path, column: "status"),
            error: row[10].text, at: row[11].text, reverts: row[12].bool ?? false))
      }
      var items: [JournalItem] = []
      for row in itemRows {
        guard let seq = row[0].integer, let targetId = row[1].text, let upn = row[2].text else {
          throw JournalError(.corrupt, path: path, detail: "an item row of run \(id) is incomplete")
        }
        items.append(
          JournalItem(
            seq: Int(seq), targetId: targetId, userPrincipalName: upn,
            action: try row[3].decoded(PlanAction.self, path: path, column: "action"),
            outcome: try row[4].decoded(ItemOutcome.self, path: path, column: "outcome"),
            detail: row[5].text, steps: steps[seq] ?? []))
      }
      return items
    }
  }

  /// A value of the small key/value table the CLI keeps next to the runs (watermarks, delta links).
  public func value(forKey key: String) throws(JournalError) -> String? {
    try withConnection { (db) throws(JournalError) in
      try db.query("SELECT value FROM settings WHERE key = ?", [.text(key)]).first?.first?.text
    }
  }

  /// Sets (or, with nil, removes) a key/value entry; durable when this returns.
  public func setValue(_ value: String?, forKey key: String) throws(JournalError) {
    try withConnection { (db) throws(JournalError) in
      if let value {
        try db.query(
          "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
          [.text(key), .text(value)])
      } else {
        try db.query("DELETE FROM settings WHERE key = ?", [.text(key)])
      }
    }
  }

  private static func counts(_ db: SQLiteConnection, _ id: SQLiteValue) throws(JournalError)
    -> [String: Int]
  {
    var counts: [String: Int] = [:]
    for row in try db.query(
      "SELECT outcome, COUNT(*) FROM items WHERE run_id = ? GROUP BY outcome", [id])
    {
      if let outcome = row[0].text, let count = row[1].integer { counts[outcome] = Int(count) }
    }
    return counts
  }

  private static func run(from row: [SQLiteValue], counts: [String: Int], path: String)
    throws(JournalError) -> JournalRun
  {
    JournalRun(
      id: row[0].text ?? "", kind: try row[1].decoded(RunKind.self, path: path, column: "kind"),
      status: try row[2].decoded(RunStatus.self, path: path, column: "status"),
      startedAt: row[3].text ?? "", finishedAt: row[4].text,
      planKind: try row[5].decoded(PlanKind.self, path: path, column: "plan_kind"),
      planMode: try row[6].decoded(PlanMode.self, path: path, column: "plan_mode"),
      planChecksum: row[7].text, planSource: row[8].text, tenant: row[9].text ?? "",
      rollbackOf: row[10].text, recoveryOf: row[11].text, counts: counts)
  }

  static func image(_ anchor: SQLiteValue, _ upn: String, _ sync: SQLiteValue) -> BeforeImage {
    BeforeImage(
      immutableId: anchor.text.map { SourceAnchor(immutableId: $0) }, userPrincipalName: upn,
      onPremisesSyncEnabled: sync.bool)
  }
}
