/// An Active Directory objectGUID (or a 16-byte mS-DS-ConsistencyGuid) exactly as LDAP returns it.
///
/// The bytes are in AD's "packet" order (MS-DTYP 2.3.4.2): the first three GUID fields are
/// little-endian, the last eight bytes are as-is. They stay bytes until the moment they are shown;
/// Foundation's `UUID(uuid:)` reads them big-endian and prints the wrong GUID, so it is never used.
///
/// Stored as two words (the bytes in order, big-endian packed) rather than an array, so a GUID
/// needs no heap allocation: the planner keeps several for every directory user.
public struct ObjectGUID: Hashable, Sendable, Comparable {
  /// Bytes 0-7 in AD order, packed so that byte 0 is the most significant.
  private let high: UInt64
  /// Bytes 8-15 in AD order, packed so that byte 8 is the most significant.
  private let low: UInt64

  /// The bytes as two words, for hashing and ordering without an array.
  public var words: (UInt64, UInt64) { (high, low) }

  /// The 16 raw bytes in AD byte order.
  public var bytes: [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(16)
    for shift in stride(from: 56, through: 0, by: -8) {
      out.append(UInt8(truncatingIfNeeded: high >> UInt64(shift)))
    }
    for shift in stride(from: 56, through: 0, by: -8) {
      out.append(UInt8(truncatingIfNeeded: low >> UInt64(shift)))
    }
    return out
  }

  /// Wraps 16 raw bytes; returns nil for any other length.
  public init?(bytes: some Collection<UInt8>) {
    guard bytes.count == 16 else { return nil }
    self.init(array: Array(bytes))
  }

  /// Wraps 16 raw bytes in place (the fast path for a reader's page buffers: no copy, and not
  /// generic, so it is fast across modules); nil for any other length.
  public init?(bytes: UnsafeRawBufferPointer) {
    guard bytes.count == 16 else { return nil }
    high = UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self))
    low = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
  }

  /// Wraps 16 raw bytes; returns nil for any other length (the fast path for arrays).
  public init?(bytes: [UInt8]) {
    guard bytes.count == 16 else { return nil }
    self.init(array: bytes)
  }

  /// From `words` (the planner's sorted keys carry objectGUIDs as words).
  init(words: (UInt64, UInt64)) {
    high = words.0
    low = words.1
  }

  private init(array bytes: [UInt8]) {
    var high: UInt64 = 0
    var low: UInt64 = 0
    for index in 0..<8 { high = high << 8 | UInt64(bytes[index]) }
    for index in 8..<16 { low = low << 8 | UInt64(bytes[index]) }
    self.high = high
    self.low = low
  }

  /// The canonical lowercase GUID string, `35918bc9-196d-40ea-9779-889d79b753f0`.
  public var canonicalString: String {
    let bytes = self.bytes
    let order = [3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15]
    var out = ""
    out.reserveCapacity(36)
    for index in order {
      if index < 0 {
        out.append("-")
      } else {
        out.append(contentsOf: Hex.byte(bytes[index]))
      }
    }
    return out
  }

  /// Parses a GUID string in any case, with or without braces, into AD byte order.
  public init?(guidString text: some StringProtocol) {
    var hexText = Substring(text)
    if hexText.hasPrefix("{") && hexText.hasSuffix("}") {
      hexText = hexText.dropFirst().dropLast()
    }
    let groups = hexText.split(separator: "-", omittingEmptySubsequences: false)
    guard groups.map(\.count) == [8, 4, 4, 4, 12],
      let display = Hex.decode(groups.joined())
    else { return nil }
    // display order -> AD order: reverse Data1 (4), Data2 (2), Data3 (2); Data4 unchanged.
    let ad =
      Array(display[0..<4].reversed()) + display[4..<6].reversed() + display[6..<8].reversed()
      + display[8..<16]
    self.init(bytes: ad)
  }

  /// Byte-wise order of the AD bytes (the packing keeps byte 0 most significant).
  public static func < (lhs: ObjectGUID, rhs: ObjectGUID) -> Bool {
    (lhs.high, lhs.low) < (rhs.high, rhs.low)
  }
}

extension ObjectGUID: CustomStringConvertible {
  public var description: String { canonicalString }
}
