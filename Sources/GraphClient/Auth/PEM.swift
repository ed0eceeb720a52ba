import Foundation

/// Minimal PEM reading: the DER of a block is the base64 between its BEGIN/END lines.
enum PEM {
  static func firstBlock(labelled label: String, in text: String) -> [UInt8]? {
    let begin = "-----BEGIN \(label)-----"
    let end = "-----END \(label)-----"
    guard let start = text.range(of: begin),
      let stop = text.range(of: end, range: start.upperBound..<text.endIndex)
    else { return nil }
    let body = text[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
    guard let data = Data(base64Encoded: String(body)), !data.isEmpty else { return nil }
    return Array(data)
  }
}
