import Foundation

/// The checks that keep the state folder this user's own: the folder is owned by the running user
/// and not writable by group or others, and no file in it is a symbolic link, so nobody else can
/// plant a file the journal, lock or plan seal would trust or a link that redirects a write.
public enum StateFolder {
  /// Creates `path` (0700) when it is missing, then refuses it when another user could change it.
  public static func prepare(_ path: String) throws {
    try PrivateFile.folder(path)
    try check(path)
  }

  /// Refuses a folder not owned by the running user, or writable by its group or others.
  public static func check(_ path: String) throws {
    var info = stat()
    guard stat(path, &info) == 0 else {
      throw StateFolderError(path: path, problem: "can't be examined (errno \(errno))")
    }
    guard info.st_mode & S_IFMT == S_IFDIR else {
      throw StateFolderError(path: path, problem: "is not a folder", unsafe: true)
    }
    let mode = String(info.st_mode & 0o7777, radix: 8)
    guard info.st_uid == geteuid() else {
      throw StateFolderError(
        path: path,
        problem: "is owned by uid \(info.st_uid), not by the running user (uid \(geteuid())): "
          + "refused, as its owner could change the journal, lock and plan seal",
        unsafe: true)
    }
    guard info.st_mode & 0o022 == 0 else {
      throw StateFolderError(
        path: path,
        problem: "has mode \(mode): refused, as other users could change it "
          + "(make it writable by its owner only: chmod go-w)",
        unsafe: true)
    }
  }

  /// Refuses `path` when it is a symbolic link (a missing file is fine: it will be created).
  public static func refuseLink(_ path: String) throws {
    var info = stat()
    guard lstat(path, &info) == 0 else { return }
    if info.st_mode & S_IFMT == S_IFLNK {
      throw StateFolderError(
        path: path, problem: "is a symbolic link: refused, state files must be plain files",
        unsafe: true)
    }
  }

  /// Refuses the journal's files when any is a symbolic link (SQLite would follow it).
  public static func checkJournal(in directory: String) throws {
    for suffix in ["", "-wal", "-shm", "-journal"] {
      try refuseLink(directory + "/journal.sqlite" + suffix)
    }
  }
}
