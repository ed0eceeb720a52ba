import AnchorCore
import Foundation

/// Group migration records: the snapshots `groups plan` takes (the rollback's source) and every
/// step `groups apply|verify|restore` performs, intent first.
extension Journal {
  /// A stored snapshot: its JSON text as `groups plan` wrote it, and the Exchange capture once
  /// `groups apply --exchange-capture` has read it.
  public struct GroupSnapshotRecord: Sendable, Hashable {
    public var digest: String
    public var groupId: String
    public var takenAt: String
    public var snapshotJSON: String
    public var exchangeCaptureJSON: String?
  }

  public enum GroupEventState: String, Sendable, Hashable, CaseIterable {
    case intent, done, failed, skipped
  }

  public struct GroupEvent: Sendable, Hashable {
    public var at: String
    public var groupId: String
    public var step: GroupEventStep
    public var state: GroupEventState
    public var detail: String?
    /// The snapshot a `prepareDirectory` event prepared the AD group for.
    public var snapshotDigest: String?
    /// The group a `restore` event created.
    public var resultId: String?
  }

  /// Stores a snapshot under its digest (storing the same snapshot twice is a no-op).
  public func saveGroupSnapshot(digest: String, groupId: String, takenAt: String, json: String)
    throws(JournalError)
  {
    try withConnection { (db) throws(JournalError) in
      try db.query(
        "INSERT OR IGNORE INTO group_snapshots (digest, group_id, taken_at, snapshot) VALUES (?, ?, ?, ?)",
        [.text(digest), .text(groupId.lowercased()), .text(takenAt), .text(json)])
    }
  }

  /// Stores a snapshot under its digest as JSON text (sorted keys, indented); returns that text
  /// for the copy `groups plan` keeps in the state folder.
  @discardableResult
  public func saveGroupSnapshot(_ snapshot: GroupSnapshot) throws -> [UInt8] {
    let json = Array(try JSONEncoder.sorted.encode(snapshot))
    try saveGroupSnapshot(
      digest: snapshot.digest, groupId: snapshot.group.id, takenAt: snapshot.takenAt,
      json: String(decoding: json, as: UTF8.self))
    return json
  }

  /// Attaches the Exchange capture file's text to a stored snapshot.
  public func attachExchangeCapture(digest: String, json: String) throws(JournalError) {
    try withConnection { (db) throws(JournalError) in
      try db.query(
        "UPDATE group_snapshots SET exchange_capture = ? WHERE digest = ?",
        [.text(json), .text(digest)])
    }
  }

  public func groupSnapshot(digest: String) throws(JournalError) -> GroupSnapshotRecord? {
    try withConnection { (db) throws(JournalError) in
      try db.query(
        "SELECT digest, group_id, taken_at, snapshot, exchange_capture FROM group_snapshots WHERE digest = ?",
        [.text(digest)]
      ).first.map(Self.snapshotRecord)
    }
  }

  /// The newest snapshot of a group (what `groups restore --group ID` rebuilds from).
  public func latestGroupSnapshot(groupId: String) throws(JournalError) -> GroupSnapshotRecord? {
    try withConnection { (db) throws(JournalError) in
      try db.query(
        """
        SELECT digest, group_id, taken_at, snapshot, exchange_capture FROM group_snapshots
        WHERE group_id = ? ORDER BY taken_at DESC, digest DESC LIMIT 1
        """, [.text(groupId.lowercased())]
      ).first.map(Self.snapshotRecord)
    }
  }

  /// The newest Exchange capture stored for a group, whichever snapshot it came with.
  public func latestExchangeCapture(groupId: String) throws(JournalError) -> String? {
    try withConnection { (db) throws(JournalError) in
      try db.query(
        """
        SELECT exchange_capture FROM group_snapshots
        WHERE group_id = ? AND exchange_capture IS NOT NULL
        ORDER BY taken_at DESC, digest DESC LIMIT 1
        """, [.text(groupId.lowercased())]
      ).first?.first?.text
    }
  }

  /// Appends a step record; durable when this returns.
  public func recordGroupEvent(
    groupId: String, step: GroupEventStep, state: GroupEventState, detail: String? = nil,
    snapshotDigest: String? = nil, resultId: String? = nil, at: String
  ) throws(JournalError) {
    try withConnection { (db) throws(JournalError) in
      try db.query(
        """
        INSERT INTO group_events (at, group_id, step, state, detail, snapshot_digest, result_id)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """,
        [
          .text(at), .text(groupId.lowercased()), SQLiteValue(step), SQLiteValue(state),
          .init(detail),
          .init(snapshotDigest), .init(resultId),
        ])
    }
  }

  /// True when the last `step` event recorded for this snapshot of the group is `done`.
  public func isGroupStepDone(groupId: String, step: GroupEventStep, snapshotDigest: String)
    throws(JournalError) -> Bool
  {
    try groupEvents(groupId: groupId).last {
      $0.step == step && $0.snapshotDigest == snapshotDigest
    }?.state == .done
  }

  /// The group the last finished `step` event of this group created (`groups restore`), if any.
  public func resultId(groupId: String, step: GroupEventStep) throws(JournalError) -> String? {
    try groupEvents(groupId: groupId).last { $0.step == step && $0.state == .done }?.resultId
  }

  /// Every step record of a group, oldest first.
  public func groupEvents(groupId: String) throws(JournalError) -> [GroupEvent] {
    try withConnection { (db) throws(JournalError) in
      try db.query(
        """
        SELECT at, group_id, step, state, detail, snapshot_digest, result_id FROM group_events
        WHERE group_id = ? ORDER BY seq
        """,
        [.text(groupId.lowercased())]
      ).map { (row) throws(JournalError) in
        GroupEvent(
          at: row[0].text ?? "", groupId: row[1].text ?? "",
          step: try row[2].decoded(GroupEventStep.self, path: path, column: "step"),
          state: try row[3].decoded(GroupEventState.self, path: path, column: "state"),
          detail: row[4].text, snapshotDigest: row[5].text, resultId: row[6].text)
      }
    }
  }

  private static func snapshotRecord(_ row: [SQLiteValue]) -> GroupSnapshotRecord {
    GroupSnapshotRecord(
      digest: row[0].text ?? "", groupId: row[1].text ?? "", takenAt: row[2].text ?? "",
      snapshotJSON: row[3].text ?? "", exchangeCaptureJSON: row[4].text)
  }
}
