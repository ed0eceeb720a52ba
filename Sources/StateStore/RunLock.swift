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

  /// Takes the lock or throws `Held` at once (never waits).
  public init(stateDirectory: String) throws {
    try PrivateFile.folder(stateDirectory)
    path = stateDirectory + "/anchorbridge.lock"
    descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      throw StateFolderError(path: path, problem: "can't be opened (errno \(errno))")
    }
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
      let reason = errno
      let holder =
        (try? String(contentsOfFile: path, encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
      close(descriptor)
      if reason == EWOULDBLOCK { throw Held(path: path, holder: holder) }
      throw StateFolderError(path: path, problem: "can't be locked (errno \(reason))")
    }
    // Who holds it, for the message the next contender prints (best effort, not the lock itself).
    let text = "pid \(getpid()) since \(ExecutorOptions.utcNow())\n"
    _ = ftruncate(descriptor, 0)
    _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
  }

  deinit {
    _ = ftruncate(descriptor, 0)
    flock(descriptor, LOCK_UN)
    close(descriptor)
  }
}
