import CSQLite

/// A value bound to or read from a statement (the journal needs no floats or blobs).
enum SQLiteValue: Hashable, Sendable {
  case null
  case integer(Int64)
  case text(String)

  init(_ text: String?) { self = text.map { .text($0) } ?? .null }
  init(_ flag: Bool?) { self = flag.map { .integer($0 ? 1 : 0) } ?? .null }
  init(_ number: Int) { self = .integer(Int64(number)) }

  var text: String? { if case .text(let value) = self { value } else { nil } }
  var integer: Int64? { if case .integer(let value) = self { value } else { nil } }
  var bool: Bool? { integer.map { $0 != 0 } }
}

/// One SQLite connection with a cache of prepared statements.
///
/// Not thread-safe by itself: `Journal` owns exactly one and only touches it inside its Mutex, so
/// one thread at a time calls in (SQLite is opened with NOMUTEX; the caller serializes).
final class SQLiteConnection {
  let path: String
  private let handle: OpaquePointer
  private var statements: [String: OpaquePointer] = [:]

  /// sqlite3_open_v2 (read-write, create, no internal mutex); deinit closes the handle.
  init(path: String) throws(JournalError) {
    var opened: OpaquePointer?
    let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
    let result = sqlite3_open_v2(path, &opened, flags, nil)
    guard result == SQLITE_OK, let opened else {
      let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
      // sqlite3_open_v2 returns a handle even on failure; it must still be closed.
      if let opened { sqlite3_close_v2(opened) }
      throw JournalError(.open, path: path, code: result, detail: message)
    }
    self.path = path
    self.handle = opened
    // Extended codes say SQLITE_IOERR_FSYNC or SQLITE_READONLY_DIRECTORY, not a bare IOERR.
    let extended = sqlite3_extended_result_codes(handle, 1)
    guard extended == SQLITE_OK else {
      sqlite3_close_v2(handle)
      throw JournalError(.open, path: path, code: extended, detail: "cannot enable extended codes")
    }
  }

  /// sqlite3_finalize on every cached statement, then sqlite3_close_v2. Runs when the Journal
  /// (the only owner) goes away, so no other thread is inside the connection.
  deinit {
    for statement in statements.values { sqlite3_finalize(statement) }
    sqlite3_close_v2(handle)
  }

  private func failure(_ result: Int32, _ kind: JournalError.Kind, sql: String) -> JournalError {
    let message = String(cString: sqlite3_errmsg(handle))
    return JournalError(kind, path: path, code: result, detail: message + " in `\(sql)`")
  }

  /// sqlite3_exec for statements without parameters or results (schema, pragmas, BEGIN/COMMIT).
  func execute(_ sql: String, kind: JournalError.Kind = .sqlite) throws(JournalError) {
    var errorText: UnsafeMutablePointer<CChar>?
    let result = sqlite3_exec(handle, sql, nil, nil, &errorText)
    // sqlite3_exec allocates the message with sqlite3_malloc; freed here with sqlite3_free.
    defer { sqlite3_free(errorText) }
    guard result == SQLITE_OK else {
      let message = errorText.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
      throw JournalError(kind, path: path, code: result, detail: message + " in `\(sql)`")
    }
  }

  /// Runs one statement with `values` bound in order and returns every row.
  @discardableResult
  func query(_ sql: String, _ values: [SQLiteValue] = [], kind: JournalError.Kind = .sqlite)
    throws(JournalError) -> [[SQLiteValue]]
  {
    let statement = try prepared(sql)
    // sqlite3_reset + sqlite3_clear_bindings leave the cached statement ready, even after errors
    // (their results repeat the step's error, already handled).
    defer {
      sqlite3_reset(statement)
      sqlite3_clear_bindings(statement)
    }
    for (offset, value) in values.enumerated() {
      let index = Int32(offset + 1)
      let result: Int32
      switch value {
      case .null: result = sqlite3_bind_null(statement, index)
      case .integer(let number): result = sqlite3_bind_int64(statement, index, number)
      case .text(let text):
        // SQLITE_TRANSIENT: SQLite copies the bytes before returning; the Swift string may go.
        result = sqlite3_bind_text(statement, index, text, -1, csqlite_transient())
      }
      guard result == SQLITE_OK else { throw failure(result, kind, sql: sql) }
    }
    var rows: [[SQLiteValue]] = []
    while true {
      let result = sqlite3_step(statement)
      if result == SQLITE_DONE { break }
      guard result == SQLITE_ROW else { throw failure(result, kind, sql: sql) }
      let count = sqlite3_column_count(statement)
      var row: [SQLiteValue] = []
      row.reserveCapacity(Int(count))
      for column in 0..<count {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_NULL: row.append(.null)
        case SQLITE_INTEGER: row.append(.integer(sqlite3_column_int64(statement, column)))
        default:
          // The text pointer lives until the next step or reset: copied into a String at once.
          if let text = sqlite3_column_text(statement, column) {
            row.append(.text(String(cString: text)))
          } else {
            row.append(.null)
          }
        }
      }
      rows.append(row)
    }
    return rows
  }

  /// sqlite3_prepare_v2, cached per SQL text; the statements are finalized in deinit.
  private func prepared(_ sql: String) throws(JournalError) -> OpaquePointer {
    if let statement = statements[sql] { return statement }
    var statement: OpaquePointer?
    let result = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
    guard result == SQLITE_OK, let statement else { throw failure(result, .sqlite, sql: sql) }
    statements[sql] = statement
    return statement
  }

  /// Runs `body` inside BEGIN IMMEDIATE ... COMMIT and rolls back when it throws. With WAL and
  /// synchronous=FULL, COMMIT returns only once the transaction is on disk.
  func transaction<T>(_ body: () throws(JournalError) -> T) throws(JournalError) -> T {
    try execute("BEGIN IMMEDIATE")
    do {
      let value = try body()
      try execute("COMMIT")
      return value
    } catch {
      // A failing ROLLBACK is secondary: the first error is the one worth reporting.
      try? execute("ROLLBACK")
      throw error
    }
  }
}
