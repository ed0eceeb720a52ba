import ArgumentParser
import Foundation
import LDAPClient

/// The `anchorbridge` command line. Each subcommand's `run()` is a few lines that call a library.
@main
struct AnchorBridge: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "anchorbridge",
    abstract: "Link on-premises Active Directory accounts to Microsoft Entra ID, safely.",
    subcommands: [
      PlanCommand.self, ApplyCommand.self, ClearCommand.self, RollbackCommand.self,
      HistoryCommand.self, RunCommand.self, DirectoryCommand.self, ConvertCommand.self,
      AnchorsCommand.self, SoftMatchCommand.self, GroupsCommand.self,
    ]
  )

  static func main() async {
    // Before any task starts: host LDAP configuration files must not change our behaviour.
    LDAPProcessSetup.ignoreHostConfiguration()
    LogOutput.bootstrap()
    let command: any ParsableCommand
    do {
      command = try parseAsRoot(nil)
    } catch {
      // Usage errors exit 2 (README "Exit codes"), not swift-argument-parser's 64; help and
      // --version still exit 0.
      let code = exitCode(for: error)
      if code == .success { exit(withError: error) }
      FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
      Foundation.exit(ExitStatus.configuration)
    }
    do {
      if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        var syncCommand = command
        try syncCommand.run()
      }
    } catch {
      exit(withError: error)
    }
  }
}
