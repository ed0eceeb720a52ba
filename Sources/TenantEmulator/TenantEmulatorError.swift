/// The one error type of TenantEmulator: failures of the emulator itself (never Graph answers,
/// which are HTTP responses).
public enum TenantEmulatorError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The state document is not valid JSON.
  case malformedState(reason: String)
  /// A value in the state document is wrong; `path` is a JSON path such as `$.users[3].mail`.
  case invalidState(path: String, reason: String)
  /// The listener could not be opened.
  case bindFailed(host: String, port: Int, reason: String)
  /// The TLS certificate or key cannot be read, generated or used.
  case tlsUnusable(reason: String)

  public var description: String {
    switch self {
    case .malformedState(let reason):
      return "tenant state is not valid JSON: \(reason)"
    case .invalidState(let path, let reason):
      return "tenant state: \(path): \(reason)"
    case .bindFailed(let host, let port, let reason):
      return "cannot listen on \(host):\(port): \(reason)"
    case .tlsUnusable(let reason):
      return "TLS: \(reason)"
    }
  }
}
