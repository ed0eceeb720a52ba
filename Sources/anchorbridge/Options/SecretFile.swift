import Foundation

/// Reads a secret from a file or an environment variable, never from the config file itself.
/// A secret file that group or others can read is refused: it is not a secret any more.
enum SecretReader {
  static func readFile(_ path: String, key: String, file: String) throws(ConfigurationError)
    -> [UInt8]
  {
    var info = stat()
    guard stat(path, &info) == 0 else {
      throw ConfigurationError(
        file: file, key: key, problem: "secret file '\(path)' can't be read: \(errnoText())")
    }
    guard info.st_mode & S_IFMT == S_IFREG else {
      throw ConfigurationError(file: file, key: key, problem: "'\(path)' is not a regular file")
    }
    guard info.st_mode & 0o077 == 0 else {
      throw ConfigurationError(
        file: file, key: key,
        problem: "secret file '\(path)' is readable by group or others (mode "
          + String(info.st_mode & 0o777, radix: 8) + "); run: chmod 600 '\(path)'")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ConfigurationError(
        file: file, key: key, problem: "secret file '\(path)' can't be read: \(errnoText())")
    }
    var bytes = Array(data)
    while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") {
      bytes.removeLast()
    }
    guard !bytes.isEmpty else {
      throw ConfigurationError(file: file, key: key, problem: "secret file '\(path)' is empty")
    }
    return bytes
  }

  static func readEnvironment(_ name: String, key: String, file: String) throws(ConfigurationError)
    -> [UInt8]
  {
    guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
      throw ConfigurationError(
        file: file, key: key, problem: "environment variable \(name) is not set or empty")
    }
    return Array(value.utf8)
  }

  private static func errnoText() -> String { String(cString: strerror(errno)) }
}
