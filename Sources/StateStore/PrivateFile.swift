import Foundation

/// Writes files only the service account can read (journal folder, caches, reports, plans).
public enum PrivateFile {
  public static func write(_ data: Data, to path: String) throws {
    let temporary = path + ".tmp"
    guard
      FileManager.default.createFile(
        atPath: temporary, contents: nil, attributes: [.posixPermissions: 0o600]),
      let handle = FileHandle(forWritingAtPath: temporary)
    else {
      throw StateFolderError(path: temporary, problem: "can't be written")
    }
    do {
      try handle.write(contentsOf: data)
      try handle.synchronize()
      try handle.close()
    } catch {
      try? handle.close()
      throw StateFolderError(path: temporary, problem: "can't be written: \(error)")
    }
    guard rename(temporary, path) == 0 else {
      throw StateFolderError(path: path, problem: "can't be replaced (errno \(errno))")
    }
  }

  /// Creates the folder (0700) if needed.
  public static func folder(_ path: String) throws {
    do {
      try FileManager.default.createDirectory(
        atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    } catch {
      throw StateFolderError(path: path, problem: "can't be created: \(error.localizedDescription)")
    }
  }
}
