import Crypto

/// This installation's key for sealing plan files: the seal is an HMAC-SHA256 of the plan's kind
/// and content checksum, so an edited plan can't be made to pass by recomputing the checksum
/// without the key kept in the state folder (`<state>/plan-seal.key`, 0600).
public struct PlanSealKey: Sendable, CustomStringConvertible {
  /// The key length in bytes.
  public static let byteCount = 32
  private let bytes: [UInt8]

  /// A key read from the key file; nil when it has the wrong length.
  public init?(bytes: [UInt8]) {
    guard bytes.count == Self.byteCount else { return nil }
    self.bytes = bytes
  }

  /// A new random key (the system's secure generator), and its bytes for the key file.
  public static func generate() -> (key: PlanSealKey, bytes: [UInt8]) {
    let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    return (PlanSealKey(bytes: bytes)!, bytes)
  }

  /// Never prints the key.
  public var description: String { "<redacted>" }

  /// The value of a plan file's `seal` member for a plan of `kind` whose checksum is `checksum`.
  public func seal(kind: String, checksum: String) -> String {
    "hmac-sha256:" + Hex.encode(Array(code(kind: kind, checksum: checksum)))
  }

  /// True when `seal` is this key's seal of the plan (compared in constant time).
  public func verifies(seal: String, kind: String, checksum: String) -> Bool {
    guard seal.hasPrefix("hmac-sha256:"),
      let stored = Hex.decode(String(seal.dropFirst("hmac-sha256:".count))),
      stored.count == Self.byteCount
    else { return false }
    return HMAC<Crypto.SHA256>.isValidAuthenticationCode(
      stored, authenticating: message(kind: kind, checksum: checksum),
      using: SymmetricKey(data: bytes))
  }

  private func code(kind: String, checksum: String) -> HashedAuthenticationCode<Crypto.SHA256> {
    HMAC<Crypto.SHA256>.authenticationCode(
      for: message(kind: kind, checksum: checksum), using: SymmetricKey(data: bytes))
  }

  /// Domain-separated, so a seal of another kind of file never verifies a plan.
  private func message(kind: String, checksum: String) -> [UInt8] {
    Array("anchorbridge plan seal v1\u{0}\(kind)\u{0}\(checksum)".utf8)
  }
}
