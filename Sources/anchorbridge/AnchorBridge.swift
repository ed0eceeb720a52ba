import ArgumentParser
import LDAPClient

/// The `anchorbridge` command line. Each subcommand's `run()` is a few lines that call a library.
@main
struct AnchorBridge: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "anchorbridge",
    abstract: "Link on-premises Active Directory accounts to Microsoft Entra ID, safely.",
    subcommands: [DirectoryCommand.self, ConvertCommand.self]
  )

  static func main() async {
    // Before any task starts: host LDAP configuration files must not change our behaviour.
    LDAPProcessSetup.ignoreHostConfiguration()
    await Self.main(nil)
  }
}
