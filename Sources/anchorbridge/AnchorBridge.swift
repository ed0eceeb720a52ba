import ArgumentParser

/// The `anchorbridge` command line. Each subcommand's `run()` is a few lines that call a library.
@main
struct AnchorBridge: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "anchorbridge",
    abstract: "Link on-premises Active Directory accounts to Microsoft Entra ID, safely.",
    subcommands: [ConvertCommand.self]
  )
}
