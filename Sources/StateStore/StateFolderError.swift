/// A file or folder of the state folder that can't be created, written, opened or locked.
public struct StateFolderError: Error, CustomStringConvertible {
  public var path: String
  public var problem: String
  public var description: String { "state folder: \(path) \(problem)" }

  public init(path: String, problem: String) {
    self.path = path
    self.problem = problem
  }
}
