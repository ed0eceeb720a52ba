#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The C open(2), under a name `Journal.open(directory:)` can't shadow.
private func openFile(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
  #if canImport(Glibc)
    Glibc.open(path, flags, mode)
  #else
    Darwin.open(path, flags, mode)
  #endif
}

extension Journal {
  /// The schema this build writes; a journal with a higher `user_version` is refused.
  static let schemaVersion: Int64 = 3

  static let schema = """
    CREATE TABLE IF NOT EXISTS runs (
      id TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, started_at TEXT NOT NULL,
      finished_at TEXT, plan_kind TEXT NOT NULL, plan_mode TEXT NOT NULL, plan_checksum TEXT,
      plan_source TEXT, tenant TEXT NOT NULL, rollback_of TEXT, recovery_of TEXT);
    CREATE TABLE IF NOT EXISTS items (
      run_id TEXT NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL, cloud_id TEXT NOT NULL,
      user_principal_name TEXT NOT NULL, action TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT,
      PRIMARY KEY (run_id, seq)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS steps (
      run_id TEXT NOT NULL, seq INTEGER NOT NULL, idx INTEGER NOT NULL, kind TEXT NOT NULL,
      expect_immutable_id TEXT, expect_upn TEXT NOT NULL, expect_sync INTEGER,
      after_immutable_id TEXT, after_upn TEXT NOT NULL, after_sync INTEGER,
      status TEXT NOT NULL, error TEXT, at TEXT, reverts INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (run_id, seq, idx)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS group_snapshots (
      digest TEXT PRIMARY KEY, group_id TEXT NOT NULL, taken_at TEXT NOT NULL,
      snapshot TEXT NOT NULL, exchange_capture TEXT) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS group_snapshots_by_group ON group_snapshots (group_id, taken_at);
    CREATE TABLE IF NOT EXISTS group_events (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, group_id TEXT NOT NULL,
      step TEXT NOT NULL, state TEXT NOT NULL, detail TEXT, snapshot_digest TEXT, result_id TEXT);
    """

  /// Version 2 names the snapshot an AD group was prepared for in a column; the events a
  /// version 1 journal wrote carry it only as their detail's `snapshot <digest>: ` prefix.
  /// Version 3 names the group a restore created in a column; older restore events carry it only
  /// in their detail, `recreated as <id> with ...`.
  static let migrations: [Int64: String] = [
    2: """
    ALTER TABLE group_events ADD COLUMN snapshot_digest TEXT;
    UPDATE group_events SET snapshot_digest = substr(detail, 10, instr(detail, ': ') - 10)
      WHERE step = 'prepareDirectory' AND detail LIKE 'snapshot %: %';
    """,
    3: """
    ALTER TABLE group_events ADD COLUMN result_id TEXT;
    UPDATE group_events SET result_id = substr(detail, 14, instr(substr(detail, 14), ' ') - 1)
      WHERE step = 'restore' AND state = 'done' AND detail LIKE 'recreated as % %';
    """,
  ]

  /// Opens (creating if needed) `<directory>/journal.sqlite`: the folder 0700, the file and its
  /// `-wal`/`-shm` companions 0600, WAL with synchronous=FULL. Ends with a test write, so a
  /// read-only or full folder is refused here, before anything reaches the tenant.
  public static func open(directory: String) throws(JournalError) -> Journal {
    try makeDirectory(directory)
    let path =
      directory.hasSuffix("/") ? directory + "journal.sqlite" : directory + "/journal.sqlite"
    try createPrivateFile(path)
    let connection = try SQLiteConnection(path: path)
    let mode = try connection.query("PRAGMA journal_mode=WAL", kind: .notWritable)
    guard mode.first?.first?.text?.lowercased() == "wal" else {
      throw JournalError(
        .notWritable, path: path,
        detail:
          "SQLite refused write-ahead logging (journal_mode is \(mode.first?.first?.text ?? "?"))")
    }
    try connection.execute("PRAGMA synchronous=FULL")
    try connection.execute("PRAGMA busy_timeout=10000")
    let version = try connection.query("PRAGMA user_version").first?.first?.integer ?? 0
    guard version <= schemaVersion else {
      throw JournalError(
        .corrupt, path: path,
        detail:
          "schema version \(version) was written by a newer AnchorBridge (this build reads \(schemaVersion))"
      )
    }
    try connection.transaction { () throws(JournalError) in
      // A journal made by an older build: its tables exist, so only the migrations add to them.
      let existing = try connection.query(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs'")
      if !existing.isEmpty {
        for next in (version + 1)...max(version + 1, schemaVersion) {
          if let migration = migrations[next] { try connection.execute(migration, kind: .corrupt) }
        }
      }
      try connection.execute(schema, kind: .notWritable)
      try connection.execute("PRAGMA user_version=\(schemaVersion)", kind: .notWritable)
      // The probe: a real committed write, so a full disk or read-only file fails now.
      try connection.query(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('writeProbe', ?)",
        [.text(String(time(nil)))], kind: .notWritable)
    }
    for companion in [path + "-wal", path + "-shm"] { try restrictMode(companion) }
    return Journal(connection: connection, path: path)
  }

  private static func errnoText() -> String { String(cString: strerror(errno)) }

  /// mkdir -p with mode 0700 for every folder it creates; an existing folder is kept as is.
  private static func makeDirectory(_ directory: String) throws(JournalError) {
    guard !directory.isEmpty else {
      throw JournalError(.stateDirectory, path: directory, detail: "the state folder path is empty")
    }
    var prefix = directory.hasPrefix("/") ? "/" : ""
    for component in directory.split(separator: "/") {
      prefix += component
      var info = stat()
      if stat(prefix, &info) == 0 {
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
          throw JournalError(.stateDirectory, path: prefix, code: ENOTDIR, detail: "not a folder")
        }
      } else if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
        let code = errno
        throw JournalError(.stateDirectory, path: prefix, code: code, detail: errnoText())
      }
      prefix += "/"
    }
  }

  /// open(O_CREAT, 0600) + fchmod 0600 before SQLite sees the file: the journal is never readable
  /// by others, not even for a moment, whatever the umask.
  private static func createPrivateFile(_ path: String) throws(JournalError) {
    let descriptor = openFile(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      let code = errno
      throw JournalError(.notWritable, path: path, code: code, detail: errnoText())
    }
    let changed = fchmod(descriptor, 0o600) == 0 ? 0 : errno
    let closed = close(descriptor) == 0 ? 0 : errno
    guard changed == 0 else {
      throw JournalError(
        .notWritable, path: path, code: changed,
        detail: "chmod 0600: " + String(cString: strerror(changed)))
    }
    guard closed == 0 else {
      throw JournalError(
        .notWritable, path: path, code: closed, detail: String(cString: strerror(closed)))
    }
  }

  /// chmod 0600 if the file exists (SQLite creates `-wal`/`-shm` with the database's mode; this
  /// makes sure of it).
  private static func restrictMode(_ path: String) throws(JournalError) {
    guard chmod(path, 0o600) == 0 || errno == ENOENT else {
      let code = errno
      throw JournalError(.notWritable, path: path, code: code, detail: "chmod 0600: " + errnoText())
    }
  }
}
