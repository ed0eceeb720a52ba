import Foundation

/// Minimal DER TLV reader (definite lengths only, as DER requires).
struct DERReader {
  struct Element {
    let tag: UInt8
    let contents: ArraySlice<UInt8>
    let whole: ArraySlice<UInt8>
  }

  var bytes: ArraySlice<UInt8>

  mutating func element(expectingTag expected: UInt8?) throws -> Element {
    let original = bytes
    guard let tag = bytes.popFirst(), let firstLength = bytes.popFirst() else {
      throw ClientCertificate.Problem.notCertificate("truncated DER")
    }
    if let expected, tag != expected {
      throw ClientCertificate.Problem.notCertificate(
        "unexpected DER tag 0x\(String(tag, radix: 16))")
    }
    var length = Int(firstLength)
    if firstLength & 0x80 != 0 {
      let count = Int(firstLength & 0x7F)
      guard count > 0, count <= 4, bytes.count >= count else {
        throw ClientCertificate.Problem.notCertificate("bad DER length")
      }
      length = 0
      for _ in 0..<count { length = (length << 8) | Int(bytes.popFirst()!) }
    }
    guard bytes.count >= length else {
      throw ClientCertificate.Problem.notCertificate("truncated DER")
    }
    let contents = bytes.prefix(length)
    bytes = bytes.dropFirst(length)
    return Element(
      tag: tag, contents: contents, whole: original[original.startIndex..<contents.endIndex])
  }
}
