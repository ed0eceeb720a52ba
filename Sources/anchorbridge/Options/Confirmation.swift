import Foundation

/// `apply` and `rollback` ask on a terminal; without one they need `--yes`.
enum Confirmation {
  struct Declined: Error, CustomStringConvertible {
    var description: String { "not confirmed; nothing was written" }
  }

  static func require(_ question: String, yes: Bool, errors: OutputSink = .standardError) throws {
    if yes { return }
    guard isatty(STDIN_FILENO) == 1 else {
      throw UsageError(
        "no terminal to confirm on: review the plan and pass --yes to run without a question")
    }
    errors.write("\(question) Type 'yes' to continue: ")
    guard readLine()?.trimmingCharacters(in: .whitespaces).lowercased() == "yes" else {
      throw Declined()
    }
  }
}
