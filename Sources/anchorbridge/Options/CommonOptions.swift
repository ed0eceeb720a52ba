import ArgumentParser

/// `--config FILE`, shared by every command that talks to AD or the tenant.
struct ConfigOptions: ParsableArguments {
  @Option(name: .long, help: "The YAML configuration file (see Schemas/config.schema.json).")
  var config: String

  func load() throws(ConfigurationError) -> Configuration { try Configuration.load(path: config) }
}

/// Documented exit codes (README "Exit codes").
enum ExitStatus {
  static let success: Int32 = 0
  static let unexpected: Int32 = 1
  static let configuration: Int32 = 2
  static let invalidInput: Int32 = 64
}

/// Runs a command body, turning known failures into a one-line message on stderr and the
/// documented exit code (instead of a stack of Swift error descriptions).
func withExitCodes(_ body: () async throws -> Void) async throws {
  do {
    try await body()
  } catch let error as ConfigurationError {
    OutputSink.standardError.write("anchorbridge: configuration error: \(error)\n")
    throw ExitCode(ExitStatus.configuration)
  } catch let error as ExitCode {
    throw error
  } catch let error as CleanExit {
    throw error
  } catch {
    OutputSink.standardError.write("anchorbridge: \(error)\n")
    throw ExitCode(ExitStatus.unexpected)
  }
}
