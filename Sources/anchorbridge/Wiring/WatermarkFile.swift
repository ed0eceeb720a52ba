import ActiveDirectory
import Foundation

/// The watermark file of `--watermark`: a JSON array of per-source watermarks, written atomically.
struct WatermarkFile {
  let path: String

  func load() throws -> [USNWatermark] {
    guard let data = FileManager.default.contents(atPath: path) else { return [] }
    do {
      return try JSONDecoder().decode([USNWatermark].self, from: data)
    } catch {
      throw ConfigurationError(
        file: path, key: "", problem: "is not a watermark file written by anchorbridge: \(error)")
    }
  }

  func save(_ watermarks: [USNWatermark]) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(watermarks).write(to: URL(fileURLWithPath: path), options: .atomic)
  }
}
