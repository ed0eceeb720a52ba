import ActiveDirectory
import AnchorCore
import ArgumentParser
import Foundation

/// `anchorbridge ad ...`: read-only views of the directory sources.
struct DirectoryCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ad",
    abstract: "Read users and groups from Active Directory (nothing is changed).",
    subcommands: [DirectoryUsersCommand.self, DirectoryGroupsCommand.self])
}

struct DirectoryReadOptions: ParsableArguments {
  @OptionGroup var config: ConfigOptions

  @Option(help: "Output format: json (an array), csv or table.")
  var format: ListFormat = .json

  @Option(help: "Read only this source (by its configured name); repeatable.")
  var source: [String] = []

  @Option(
    help: ArgumentHelp(
      "Incremental read: a JSON file holding the uSNChanged watermark of the last read. Read only "
        + "what changed since (a full read when the file is missing or the DC changed), then "
        + "update the file."))
  var watermark: String?
}

struct DirectoryUsersCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "users", abstract: "List directory users with their ImmutableIDs.")

  @OptionGroup var options: DirectoryReadOptions

  func run() async throws {
    try await withExitCodes {
      let directory = try options.config.load().requireDirectory()
      try await DirectoryListing(options: options, directory: directory).listUsers()
    }
  }
}

struct DirectoryGroupsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "groups", abstract: "List directory groups with every member's objectGUID.")

  @OptionGroup var options: DirectoryReadOptions

  func run() async throws {
    try await withExitCodes {
      let directory = try options.config.load().requireDirectory()
      try await DirectoryListing(options: options, directory: directory).listGroups()
    }
  }
}
