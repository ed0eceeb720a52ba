/// Why the journal can't be opened, read or written. Carries SQLite's own result code (or errno)
/// and message and the file or folder it concerns; never a row's content.
public struct JournalError: Error, Hashable, Sendable, CustomStringConvertible {
  public enum Kind: String, Hashable, Sendable {
    /// The state folder could not be created or is not a folder.
    case stateDirectory
    /// SQLite could not open or create the journal file.
    case open
    /// The journal opened but a test write failed (read-only or full folder).
    case notWritable
    /// A statement failed (SQLite result code in `code`).
    case sqlite
    /// The journal holds something this build does not understand (newer schema, bad value).
    case corrupt
  }

  public var kind: Kind
  /// The journal file or state folder.
  public var path: String
  /// SQLite's extended result code, or the errno for folder errors.
  public var code: Int32?
  public var detail: String

  public init(_ kind: Kind, path: String, code: Int32? = nil, detail: String) {
    self.kind = kind
    self.path = path
    self.code = code
    self.detail = detail
  }

  public var description: String {
    let prefix: String
    switch kind {
    case .stateDirectory: prefix = "state folder \(path) is unusable"
    case .open: prefix = "cannot open the journal \(path)"
    case .notWritable:
      prefix =
        "the journal \(path) is not writable (read-only or full folder?), so nothing was sent to the tenant"
    case .sqlite: prefix = "journal \(path)"
    case .corrupt: prefix = "journal \(path) holds unexpected data"
    }
    return prefix + ": " + detail + (code.map { " (code \($0))" } ?? "")
  }
}
