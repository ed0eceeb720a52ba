import Foundation

/// A usage problem found after parsing (exit 2), e.g. `--yes` missing without a terminal.
struct UsageError: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
