import Foundation
import PlanExecutor

/// One writer at a time: `apply`, `clear`, `rollback` and `run` hold an exclusive `flock(2)` on
/// `<state.dir>/anchorbridge.lock` for their whole life. The kernel releases it when the process
/// dies (also on kill -9), so a crash never leaves a stale lock behind.
public final class RunLock {
  private let descriptor: Int32
  public let path: String

  public struct Held: Error, CustomStringConvertible {
    public var path: String
    public var holder: String
    public var description: String {
      "another anchorbridge run holds the lock \(path)\(holder.isEmpty ? "" : " (\(holder))"); "
        + "nothing was done, try again when it has finished"
    }
  }

  /// Takes the lock or throws `Held` at once (never waits). The lock file is opened without
  /// following a link and must be a plain file of this user with one name, so a link planted at
  /// its path is refused and never truncates its target.
  public init(stateDirectory: String) throws {
    try StateFolder.prepare(stateDirectory)
    path = stateDirectory + "/anchorbridge.lock"
    descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
    guard descriptor >= 0 else {
      let reason = errno
      if reason == ELOOP {
        throw StateFolderError(
          path: path, problem: "is a symbolic link: refused, the lock must be a plain file",
          unsafe: true)
      }
      throw StateFolderError(path: path, problem: "can't be opened (errno \(reason))")
    }
    var info = stat()
    guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG,
      info.st_uid == geteuid(), info.st_nlink == 1
    else {
      close(descriptor)
      throw StateFolderError(
        path: path,
        problem: "is not a plain file of the running user with a single name: refused",
        unsafe: true)
    }
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
      let reason = errno
      let holder = Self.holder(descriptor)
      close(descriptor)
      if reason == EWOULDBLOCK { throw Held(path: path, holder: holder) }
      throw StateFolderError(path: path, problem: "can't be locked (errno \(reason))")
    }
    // Who holds it, for the message the next contender prints (best effort, not the lock itself).
    let text = "pid \(getpid()) since \(ExecutorOptions.utcNow())\n"
    _ = ftruncate(descriptor, 0)
    _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
  }

  /// The holder's note, read through the open descriptor (the path could have been replaced).
  private static func holder(_ descriptor: Int32) -> String {
    var buffer = [UInt8](repeating: 0, count: 256)
    let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
    guard count > 0 else { return "" }
    return String(decoding: buffer.prefix(count), as: UTF8.self)
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }

  deinit {
    _ = ftruncate(descriptor, 0)
    flock(descriptor, LOCK_UN)
    close(descriptor)
  }
}
