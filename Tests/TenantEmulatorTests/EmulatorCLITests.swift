import Foundation
import Testing

/// Runs the built `anchorbridge-emulator` next to the test bundle.
@Suite("anchorbridge-emulator command line")
struct EmulatorCLITests {
  static var binary: URL {
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
      .appendingPathComponent("anchorbridge-emulator")
  }

  static var demoState: String {
    StateTests.repositoryRoot.appendingPathComponent("Schemas/examples/tenant-demo.json").path
  }

  struct Finished: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
  }

  /// Runs to completion on its own thread (Process waits block).
  static func run(_ arguments: [String]) async throws -> Finished {
    try #require(
      FileManager.default.isExecutableFile(atPath: binary.path), "build the product first")
    return try await withCheckedThrowingContinuation { continuation in
      Thread {
        continuation.resume(
          with: Result {
            let process = Process()
            process.executableURL = binary
            process.arguments = arguments
            let out = Pipe()
            let err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Finished(
              status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
              stderr: String(decoding: stderr, as: UTF8.self))
          })
      }.start()
    }
  }

  @Test func servesOnTheAnnouncedPortUntilSIGTERM() async throws {
    try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path))
    let process = Process()
    process.executableURL = Self.binary
    process.arguments = ["--listen", "127.0.0.1:0", "--state", Self.demoState, "--seed", "3"]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let firstLine: String = try await withCheckedThrowingContinuation { continuation in
      Thread {
        var line = Data()
        while true {
          let byte = out.fileHandleForReading.readData(ofLength: 1)
          if byte.isEmpty || byte == Data("\n".utf8) { break }
          line.append(byte)
        }
        continuation.resume(returning: String(decoding: line, as: UTF8.self))
      }.start()
    }
    #expect(firstLine.hasPrefix("listening on 127.0.0.1:"))
    let port = try #require(Int(firstLine.split(separator: ":").last ?? ""))
    let reply = try await RawHTTP.send(
      port: port, method: "POST", target: "/8b2f6a0e-6a3c-4f7e-9a43-0d2c1b5e7f10/oauth2/v2.0/token",
      headers: ["Content-Type": "application/x-www-form-urlencoded"],
      body: Emulator.form([
        ("client_id", "0f5c7a3e-2d41-4c8b-9e61-5a7d3b2c1e90"),
        ("scope", "https://graph.microsoft.com/.default"),
        ("client_secret", "demo-only-secret-1"), ("grant_type", "client_credentials"),
      ]))
    #expect(reply.status == 200)
    process.terminate()  // SIGTERM
    let status: Int32 = await withCheckedContinuation { continuation in
      Thread {
        process.waitUntilExit()
        continuation.resume(returning: process.terminationStatus)
      }.start()
    }
    #expect(status == 0)
  }

  @Test func aBadStateFileExitsWith2AndNamesTheJSONPath() async throws {
    var document =
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: URL(fileURLWithPath: Self.demoState))) as! [String: Any]
    var users = document["users"] as! [[String: Any]]
    users[3]["onPremisesImmutableId"] = NSNull()  // Lee Gu, fabrikam.com (Federated)
    document["users"] = users
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("bad-state-\(UUID().uuidString).json")
    try JSONSerialization.data(withJSONObject: document).write(to: path)
    defer { try? FileManager.default.removeItem(at: path) }
    let finished = try await Self.run(["--listen", "127.0.0.1:0", "--state", path.path])
    #expect(finished.status == 2)
    #expect(finished.stderr.contains("$.users[3].onPremisesImmutableId"))
    #expect(finished.stdout.isEmpty)
  }

  @Test(arguments: ["0.0.0.0:0", "192.0.2.10:8080"])
  func nonLoopbackAddressesNeedAllowRemote(_ listen: String) async throws {
    let finished = try await Self.run(["--listen", listen, "--state", Self.demoState])
    #expect(finished.status == 64)
    #expect(finished.stderr.contains("--allow-remote"))
  }

  @Test(arguments: [
    ["--write-quota", "3000"], ["--fault-rate", "1.5"], ["--faults", "explode"],
    ["--tls-cert", "/tmp/cert.pem"], ["--tls-ca-out", "/tmp/ca.pem"],
    ["--tls-generate", "--tls-cert", "/tmp/c.pem", "--tls-key", "/tmp/k.pem"],
  ])
  func badOptionsAreValidationErrors(_ options: [String]) async throws {
    let finished = try await Self.run(
      ["--listen", "127.0.0.1:0", "--state", Self.demoState] + options)
    #expect(finished.status == 64)
  }

  @Test func tlsGenerateWritesTheCAAndAnnouncesItsPath() async throws {
    try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path))
    let caPath = FileManager.default.temporaryDirectory
      .appendingPathComponent("emulator-ca-\(UUID().uuidString).pem").path
    defer { try? FileManager.default.removeItem(atPath: caPath) }
    let process = Process()
    process.executableURL = Self.binary
    process.arguments = [
      "--listen", "127.0.0.1:0", "--state", Self.demoState, "--tls-generate", "--tls-ca-out",
      caPath,
    ]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let lines: [String] = await withCheckedContinuation { continuation in
      Thread {
        var lines: [String] = []
        var line = Data()
        while lines.count < 2 {
          let byte = out.fileHandleForReading.readData(ofLength: 1)
          if byte.isEmpty { break }
          if byte == Data("\n".utf8) {
            lines.append(String(decoding: line, as: UTF8.self))
            line = Data()
          } else {
            line.append(byte)
          }
        }
        continuation.resume(returning: lines)
      }.start()
    }
    process.terminate()
    process.waitUntilExit()
    #expect(lines.first?.hasPrefix("listening on 127.0.0.1:") == true)
    #expect(lines.dropFirst().first == "tls ca \(caPath)")
    let pem = try String(contentsOfFile: caPath, encoding: .utf8)
    #expect(pem.hasPrefix("-----BEGIN CERTIFICATE-----"))
  }
}
