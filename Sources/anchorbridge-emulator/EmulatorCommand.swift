import ArgumentParser
import Foundation
import TenantEmulator

/// `anchorbridge-emulator`: serves a Microsoft Graph tenant from a state file until SIGINT or
/// SIGTERM. Exit codes: 0 after a signal, 2 for an unusable state file or TLS certificate, 1 when it cannot listen,
/// 64 for bad arguments.
@main
struct EmulatorCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "anchorbridge-emulator",
    abstract: "Serve a Microsoft Graph tenant (token endpoint + /v1.0) on loopback.",
    discussion: """
      The first line on stdout is "listening on HOST:PORT". Token authority and Graph root are
      both http://HOST:PORT (https:// with --tls-cert/--tls-key or --tls-generate; a generated
      CA is written to --tls-ca-out and the second line says "tls ca PATH"). GET/PUT
      /_emulator/state and GET /_emulator/requests expose the tenant and the request log.
      """)

  @Option(help: "Address to listen on, HOST:PORT (port 0 picks a free port).")
  var listen: String = "127.0.0.1:0"

  @Option(help: "Tenant state file (Schemas/tenant-state.schema.json).")
  var state: String

  @Option(name: .customLong("latency-ms"), help: "Latency added to every response, in ms.")
  var latencyMs: Int = 0

  @Option(
    name: .customLong("write-quota"),
    help: "Write quota as COUNT/SECONDS, e.g. 3000/150 (Graph's per app+tenant quota).")
  var writeQuota: String?

  @Option(name: .customLong("fault-rate"), help: "Share 0...1 of /v1.0 requests that fail.")
  var faultRate: Double = 0

  @Option(
    help: "Comma-separated faults: serviceUnavailable, connectionReset, timeout, responseLost.")
  var faults: String = "serviceUnavailable"

  @Option(help: "Seed for fault and jitter decisions.")
  var seed: UInt64 = 0

  @Option(name: .customLong("token-lifetime"), help: "Access token lifetime in seconds.")
  var tokenLifetime: Int = 3599

  @Flag(name: .customLong("allow-remote"), help: "Allow listening on a non-loopback address.")
  var allowRemote = false

  @Option(name: .customLong("tls-cert"), help: "Serve https with this PEM certificate (chain).")
  var tlsCert: String?

  @Option(name: .customLong("tls-key"), help: "PEM private key of --tls-cert.")
  var tlsKey: String?

  @Flag(
    name: .customLong("tls-generate"),
    help: "Serve https with a generated certificate; its CA goes to --tls-ca-out.")
  var tlsGenerate = false

  @Option(
    name: .customLong("tls-ca-out"),
    help: "Where --tls-generate writes its CA certificate (default: a file in the temp folder).")
  var tlsCAOut: String?

  @Option(
    name: .customLong("auto-approve-user"),
    help: "Approve delegated sign-ins (device code, /authorize) as this user (id or UPN).")
  var autoApproveUser: String?

  func validate() throws {
    let (host, _) = try ListenAddress.parse(listen)
    if !allowRemote && !ListenAddress.isLoopback(host) {
      throw ValidationError(
        "--listen \(listen) is not a loopback address; pass --allow-remote to expose the emulator.")
    }
    if let writeQuota { _ = try ListenAddress.parseQuota(writeQuota) }
    guard (0...1).contains(faultRate) else {
      throw ValidationError("--fault-rate must be between 0 and 1, got \(faultRate).")
    }
    _ = try parsedFaults()
    if (tlsCert == nil) != (tlsKey == nil) {
      throw ValidationError("--tls-cert and --tls-key go together.")
    }
    if tlsGenerate && tlsCert != nil {
      throw ValidationError("--tls-generate and --tls-cert exclude each other.")
    }
    if tlsCAOut != nil && !tlsGenerate {
      throw ValidationError("--tls-ca-out needs --tls-generate.")
    }
    guard latencyMs >= 0, tokenLifetime > 0 else {
      throw ValidationError("--latency-ms must be >= 0 and --token-lifetime > 0.")
    }
  }

  private func parsedFaults() throws -> Set<EmulatorFault> {
    var set = Set<EmulatorFault>()
    for name in faults.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
      guard let fault = EmulatorFault(rawValue: name) else {
        throw ValidationError(
          "--faults: unknown fault '\(name)'; use \(EmulatorFault.allCases.map(\.rawValue).joined(separator: ", "))."
        )
      }
      set.insert(fault)
    }
    return set
  }

  func run() async throws {
    let (host, port) = try ListenAddress.parse(listen)
    let stateData: Data
    do {
      stateData = try Data(contentsOf: URL(fileURLWithPath: state))
    } catch {
      FileHandle.standardError.write(Data("cannot read state file \(state): \(error)\n".utf8))
      throw ExitCode(2)
    }
    var options = EmulatorOptions(
      latency: .milliseconds(latencyMs),
      writeQuota: try writeQuota.map(ListenAddress.parseQuota), faultRate: faultRate,
      faults: try parsedFaults(), seed: seed, tokenLifetime: .seconds(tokenLifetime))
    options.autoApproveUser = autoApproveUser
    var caPath: String?
    do {
      if let tlsCert, let tlsKey {
        options.tls = try EmulatorTLS.files(certificate: tlsCert, key: tlsKey)
      } else if tlsGenerate {
        let tls = try EmulatorTLS.generated(hosts: [host])
        let path =
          tlsCAOut
          ?? FileManager.default.temporaryDirectory
          .appendingPathComponent("anchorbridge-emulator-ca-\(getpid()).pem").path
        try Data((tls.generatedCAPEM ?? "").utf8).write(to: URL(fileURLWithPath: path))
        options.tls = tls
        caPath = path
      }
    } catch {
      FileHandle.standardError.write(Data("\(error)\n".utf8))
      throw ExitCode(2)
    }
    let server: TenantEmulatorServer
    do {
      server = try await TenantEmulatorServer.start(
        host: host, port: port, stateJSON: stateData, options: options)
    } catch let error as TenantEmulatorError {
      FileHandle.standardError.write(Data("\(state): \(error)\n".utf8))
      if case .bindFailed = error { throw ExitCode(1) }
      throw ExitCode(2)
    }
    // Unbuffered write: a supervising script reads the port from this first line at once.
    FileHandle.standardOutput.write(Data("listening on \(host):\(server.port)\n".utf8))
    if let caPath { FileHandle.standardOutput.write(Data("tls ca \(caPath)\n".utf8)) }
    await SignalWaiter.waitForTermination()
    try await server.shutdown()
  }
}

enum ListenAddress {
  static func parse(_ text: String) throws -> (String, Int) {
    guard let colon = text.lastIndex(of: ":") else {
      throw ValidationError("--listen must be HOST:PORT, got '\(text)'.")
    }
    var host = String(text[..<colon])
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]),
      (0...65535).contains(port)
    else { throw ValidationError("--listen must be HOST:PORT with a port 0-65535, got '\(text)'.") }
    return (host, port)
  }

  static func isLoopback(_ host: String) -> Bool {
    host == "localhost" || host == "::1" || host.hasPrefix("127.")
  }

  static func parseQuota(_ text: String) throws -> (count: Int, seconds: Double) {
    let parts = text.split(separator: "/")
    guard parts.count == 2, let count = Int(parts[0]), count > 0, let seconds = Double(parts[1]),
      seconds > 0
    else {
      throw ValidationError("--write-quota must be COUNT/SECONDS, e.g. 3000/150, got '\(text)'.")
    }
    return (count, seconds)
  }
}

/// Waits for SIGINT or SIGTERM (the default handlers are replaced so shutdown is orderly).
enum SignalWaiter {
  static func waitForTermination() async {
    let (stream, continuation) = AsyncStream<Void>.makeStream()
    var sources: [any DispatchSourceSignal] = []
    for signalNumber in [SIGINT, SIGTERM] {
      signal(signalNumber, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
      source.setEventHandler { continuation.yield() }
      source.resume()
      sources.append(source)
    }
    for await _ in stream { break }
    for source in sources { source.cancel() }
  }
}
