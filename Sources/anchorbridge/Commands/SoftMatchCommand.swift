import AnchorCore
import ArgumentParser

/// `anchorbridge softmatch ...`: predict Entra Connect's soft match.
struct SoftMatchCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "softmatch", abstract: "Predict Entra Connect's soft match.",
    subcommands: [SoftMatchReportCommand.self])
}

/// `anchorbridge softmatch report`: for every directory user in scope, will Entra Connect
/// soft-match it, create a new cloud user, or be blocked. Reads only.
struct SoftMatchReportCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "For every directory user: soft match, new cloud user, or blocked (reads only).",
    discussion:
      "Run it before clearing ImmutableIDs for a re-sync to a new forest. Exit 0 when nothing "
      + "blocks, 5 when a row is blocked or the tenant's blockSoftMatchEnabled is true.")

  @OptionGroup var config: ConfigOptions
  @Option(help: "What to print: table or json.")
  var format: ReportFormat = .table

  func run() async throws {
    try await withExitCodes {
      let operations = Operations(configuration: try config.load())
      let report = try await operations.withTenant {
        try await operations.softMatchReport(client: $0)
      }
      operations.output.write(
        format == .json ? SoftMatchRendering.json(report) : SoftMatchRendering.table(report))
      if report.isBlocking { throw ExitCode(ExitStatus.needsAttention) }
    }
  }
}
