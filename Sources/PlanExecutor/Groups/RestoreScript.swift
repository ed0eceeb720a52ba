/// Where `groups restore` puts an Exchange Online script: a file or the output.
public struct RestoreScript: Sendable {
  /// How the outcome names it: `'<path>'` or `printed above`.
  public var location: String
  public var write: @Sendable (_ text: String) throws -> Void

  public init(location: String, write: @escaping @Sendable (_ text: String) throws -> Void) {
    self.location = location
    self.write = write
  }
}
