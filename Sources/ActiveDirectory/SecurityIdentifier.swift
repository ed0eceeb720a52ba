/// Decodes a binary objectSid (MS-DTYP 2.4.2.2) to its `S-1-5-21-...` string form:
/// revision (1 byte), sub-authority count (1), identifier authority (6, big-endian),
/// then each sub-authority as a little-endian UInt32.
public enum SecurityIdentifier {
  public static func string(from bytes: [UInt8]) -> String? {
    guard bytes.count >= 8 else { return nil }
    let count = Int(bytes[1])
    guard bytes.count == 8 + 4 * count else { return nil }
    var authority: UInt64 = 0
    for byte in bytes[2..<8] { authority = authority << 8 | UInt64(byte) }
    var text = "S-\(bytes[0])-\(authority)"
    for index in 0..<count {
      let offset = 8 + 4 * index
      let value =
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
        | UInt32(bytes[offset + 3]) << 24
      text += "-\(value)"
    }
    return text
  }
}
