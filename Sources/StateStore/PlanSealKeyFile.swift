import AnchorCore
import Foundation

/// `<state>/plan-seal.key`: this installation's `PlanSealKey`, 64 hex digits, created on first use
/// (0600, never through a link) and refused when another user could read or change it.
public enum PlanSealKeyFile {
  public static func path(stateDirectory: String) -> String {
    stateDirectory + "/plan-seal.key"
  }

  /// The key of the state folder, created (with the folder) when there is none yet.
  public static func loadOrCreate(stateDirectory: String) throws -> PlanSealKey {
    try StateFolder.prepare(stateDirectory)
    let path = path(stateDirectory: stateDirectory)
    if let key = try load(path) { return key }
    let (key, bytes) = PlanSealKey.generate()
    let temporary = path + ".new"
    let descriptor = try PrivateFile.createExclusive(temporary)
    let text = Array(
      (bytes.map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }
        .joined() + "\n").utf8)
    let written = text.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    let synced = fsync(descriptor) == 0
    close(descriptor)
    guard written == text.count, synced else {
      unlink(temporary)
      throw StateFolderError(path: temporary, problem: "can't be written (errno \(errno))")
    }
    // link(2) never replaces: a key another process created meanwhile wins, and is read back.
    let linked = link(temporary, path) == 0
    let reason = errno
    unlink(temporary)
    if linked { return key }
    guard reason == EEXIST, let existing = try load(path) else {
      throw StateFolderError(path: path, problem: "can't be created (errno \(reason))")
    }
    return existing
  }

  /// The stored key; nil when there is no key file.
  static func load(_ path: String) throws -> PlanSealKey? {
    let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard descriptor >= 0 else {
      let reason = errno
      if reason == ENOENT { return nil }
      if reason == ELOOP {
        throw StateFolderError(
          path: path, problem: "is a symbolic link: refused, the key must be a plain file",
          unsafe: true)
      }
      throw StateFolderError(path: path, problem: "can't be read (errno \(reason))")
    }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG,
      info.st_uid == geteuid(), info.st_mode & 0o077 == 0
    else {
      throw StateFolderError(
        path: path,
        problem: "is not a private file (0600) of the running user: refused, "
          + "anyone who can read it can seal a plan",
        unsafe: true)
    }
    var buffer = [UInt8](repeating: 0, count: 128)
    let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
    let text = String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    guard let bytes = hexBytes(text), let key = PlanSealKey(bytes: bytes) else {
      throw StateFolderError(
        path: path,
        problem: "is not a plan seal key (64 hex digits): refused; remove it to make a new key, "
          + "then take plans over with `anchorbridge plan import`",
        unsafe: true)
    }
    return key
  }

  private static func hexBytes(_ text: String) -> [UInt8]? {
    let digits = Array(text.utf8)
    guard digits.count % 2 == 0 else { return nil }
    var bytes: [UInt8] = []
    for index in stride(from: 0, to: digits.count, by: 2) {
      guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16)
      else { return nil }
      bytes.append(byte)
    }
    return bytes
  }
}
