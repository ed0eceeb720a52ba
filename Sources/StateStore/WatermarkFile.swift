import ActiveDirectory
import Foundation

/// The watermark file of `ad users --watermark` and of `run`'s cache: a JSON array of per-source
/// USN watermarks, replaced atomically as a private file.
public struct WatermarkFile: Sendable {
  public let path: String

  /// A file that exists but is not a watermark file: the caller's configuration names the wrong file.
  public struct Unreadable: Error, CustomStringConvertible {
    public var path: String
    public var problem: String
    public var description: String { "\(path): \(problem)" }
  }

  public init(path: String) { self.path = path }

  /// The stored watermarks; none when the file does not exist.
  public func load() throws(Unreadable) -> [USNWatermark] {
    guard let data = FileManager.default.contents(atPath: path) else { return [] }
    do {
      return try JSONDecoder().decode([USNWatermark].self, from: data)
    } catch {
      throw Unreadable(
        path: path, problem: "is not a watermark file written by anchorbridge: \(error)")
    }
  }

  public func save(_ watermarks: [USNWatermark]) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try PrivateFile.write(try encoder.encode(watermarks), to: path)
  }
}
