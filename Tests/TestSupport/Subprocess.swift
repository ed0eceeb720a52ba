import Foundation

/// Runs the built `anchorbridge` binary (or any program) and captures its output and exit code.
public struct ProcessResult: Sendable {
  public var status: Int32
  public var stdout: String
  public var stderr: String
}

public enum Subprocess {
  /// The directory holding the built products (next to the test bundle).
  public static var binDirectory: URL {
    let argument0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var directory = argument0.deletingLastPathComponent()
    // Linux: .build/<triple>/debug/AnchorBridgePackageTests.xctest is the binary itself.
    if directory.pathExtension == "xctest" { directory = directory.deletingLastPathComponent() }
    return directory
  }

  public static func anchorbridge(
    _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]
  ) throws -> ProcessResult {
    try run(
      binDirectory.appendingPathComponent("anchorbridge").path, arguments, stdin: stdin,
      environment: environment)
  }

  /// `anchorbridge` with the wait on a thread of its own. Tests are tasks on the cooperative pool (2
  /// threads on a 2-core machine): a child that runs for seconds must not hold one of them, or every
  /// other test in the process (and an in-process emulator actor) stalls behind it.
  public static func anchorbridgeOffPool(
    _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]
  ) async throws -> ProcessResult {
    try await offPool { try anchorbridge(arguments, stdin: stdin, environment: environment) }
  }

  public static func offPool(_ body: @escaping @Sendable () throws -> ProcessResult) async throws
    -> ProcessResult
  {
    try await withCheckedThrowingContinuation { continuation in
      onOwnThread { continuation.resume(with: Result { try body() }) }
    }
  }

  /// Runs `body` on a new thread. Not `DispatchQueue.global()`: on Linux its threads are the same
  /// few (one per core) that run Swift's tasks, and a blocking wait there stalls the very pool it
  /// was meant to spare (tests timing an await saw 10-25 s added in full runs).
  public static func onOwnThread(_ body: @escaping @Sendable () -> Void) {
    Thread { body() }.start()
  }

  public static func run(
    _ executable: String, _ arguments: [String], stdin: String? = nil,
    environment: [String: String] = [:]
  ) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Read both pipes to the end before waiting, so a large output can't block the child.
    let group = DispatchGroup()
    nonisolated(unsafe) var outData = Data()
    nonisolated(unsafe) var errData = Data()
    group.enter()
    onOwnThread {
      outData = out.fileHandleForReading.readDataToEndOfFile()
      group.leave()
    }
    errData = err.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return ProcessResult(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }
}

/// A private temporary directory removed when the value goes away.
public final class TemporaryDirectory: @unchecked Sendable {
  // @unchecked Sendable: `url` is immutable after init.
  public let url: URL

  public init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "anchorbridge-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
  }

  /// Writes a file with the given permissions and returns its path.
  @discardableResult
  public func write(_ name: String, _ text: String, mode: Int = 0o600) throws -> String {
    let path = url.appendingPathComponent(name).path
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    return path
  }

  deinit { try? FileManager.default.removeItem(at: url) }
}
