import Foundation

/// Writes files only the service account can read (journal folder, caches, reports, plans).
public enum PrivateFile {
  /// Replaces `path` atomically with `data` (0600) through `<path>.tmp`, which is created with
  /// O_EXCL|O_NOFOLLOW so a file or link planted there is never written through.
  public static func write(_ data: Data, to path: String) throws {
    let temporary = path + ".tmp"
    let descriptor = try createExclusive(temporary)
    do {
      try FileHandle(fileDescriptor: descriptor, closeOnDealloc: false).write(contentsOf: data)
      guard fsync(descriptor) == 0 else {
        throw StateFolderError(path: temporary, problem: "can't be written (errno \(errno))")
      }
      close(descriptor)
    } catch let error as StateFolderError {
      close(descriptor)
      unlink(temporary)
      throw error
    } catch {
      close(descriptor)
      unlink(temporary)
      throw StateFolderError(path: temporary, problem: "can't be written: \(error)")
    }
    guard rename(temporary, path) == 0 else {
      let reason = errno
      unlink(temporary)
      throw StateFolderError(path: path, problem: "can't be replaced (errno \(reason))")
    }
  }

  /// Creates `path` (0600) for writing, never following a link: a leftover file or link of that
  /// name (a crashed write, or a planted one) is removed first, never opened.
  static func createExclusive(_ path: String) throws -> Int32 {
    if unlink(path) != 0 && errno != ENOENT {
      throw StateFolderError(path: path, problem: "can't be replaced (errno \(errno))")
    }
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      throw StateFolderError(path: path, problem: "can't be written (errno \(errno))")
    }
    return descriptor
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
