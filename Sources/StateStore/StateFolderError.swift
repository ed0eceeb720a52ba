/// A file or folder of the state folder that can't be created, written, opened or locked, or that
/// is refused as unsafe (`unsafe`: another user could change it, or it is a symbolic link).
public struct StateFolderError: Error, CustomStringConvertible {
  public var path: String
  public var problem: String
  /// True when the folder or file is refused for its owner, mode or type, not for an I/O failure.
  public var unsafe: Bool
  public var description: String { "state folder: \(path) \(problem)" }

  public init(path: String, problem: String, unsafe: Bool = false) {
    self.path = path
    self.problem = problem
    self.unsafe = unsafe
  }
}
