import Testing

@testable import PlanExecutor

/// Journals written before `group_events.result_id` existed stay readable, and their restores
/// are found by the column the migration fills from the detail text.
@Suite("Group journal migration")
struct GroupJournalMigrationTests {
  @Test func aVersion2JournalGetsTheRestoredGroupIdFromItsDetail() throws {
    let directory = temporaryDirectory() + "/state"
    let path = try Journal.open(directory: directory).path
    let old = try SQLiteConnection(path: path)
    try old.execute(
      """
      ALTER TABLE group_events DROP COLUMN result_id;
      PRAGMA user_version=2;
      INSERT INTO group_events (at, group_id, step, state, detail) VALUES
        ('2026-11-29T03:00:00Z', 'g1', 'restore', 'intent', 'POST /groups from snapshot sha256:ab'),
        ('2026-11-29T03:00:01Z', 'g1', 'restore', 'done',
          'recreated as 0f1e2d3c-aaaa-bbbb-cccc-000000000001 with 2 member(s), 1 owner(s)'),
        ('2026-11-29T03:00:02Z', 'g1', 'restoreAccess', 'done', 'added to Apps');
      """)
    let journal = try Journal.open(directory: directory)
    let events = try journal.groupEvents(groupId: "g1")
    #expect(events.map(\.resultId) == [nil, "0f1e2d3c-aaaa-bbbb-cccc-000000000001", nil])
    #expect(
      try journal.resultId(groupId: "g1", step: .restore)
        == "0f1e2d3c-aaaa-bbbb-cccc-000000000001")
  }
}
