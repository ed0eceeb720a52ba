import Crypto

/// Streaming SHA-256 for the plan's content checksum and input fingerprint (integrity against
/// truncation and edits, not a signature): swift-crypto's digest behind the few calls AnchorCore makes.
struct SHA256 {
  private var digest = Crypto.SHA256()

  init() {}

  mutating func update(_ bytes: [UInt8]) {
    bytes.withUnsafeBufferPointer { absorb($0) }
  }

  mutating func update(_ text: String) {
    var text = text
    text.withUTF8 { absorb($0) }
  }

  mutating func absorb(_ input: UnsafeBufferPointer<UInt8>) {
    digest.update(bufferPointer: UnsafeRawBufferPointer(input))
  }

  /// Finishes and returns the 32-byte digest.
  mutating func finalize() -> [UInt8] {
    Array(digest.finalize())
  }

  static func hex(_ text: String) -> String {
    var hasher = SHA256()
    hasher.update(text)
    return Hex.encode(hasher.finalize())
  }
}
