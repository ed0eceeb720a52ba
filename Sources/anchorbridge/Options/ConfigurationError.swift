import Yams

/// A configuration problem: which key, what is wrong, and in which file. Exit code 2.
struct ConfigurationError: Error, CustomStringConvertible {
  var file: String
  var key: String
  var problem: String

  var description: String {
    key.isEmpty ? "\(file): \(problem)" : "\(file): \(key): \(problem)"
  }
}
