/// Reads BER elements (tag, length, contents) from bytes in place, as LDAP messages encode them
/// (RFC 4511 §5.1): one-byte tags, definite lengths in short form or long form of up to four
/// bytes (AD writes lengths in four-byte long form even when they are short). Nothing is copied;
/// the contents point into the bytes given.
struct BERReader {
  private let bytes: UnsafeRawBufferPointer
  private var offset = 0

  init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

  var isAtEnd: Bool { offset >= bytes.count }

  /// The next element; nil when the bytes end inside it, its tag needs more than one byte, or its
  /// length is indefinite or longer than four bytes (none of which LDAP allows).
  mutating func next() -> (tag: UInt8, contents: UnsafeRawBufferPointer)? {
    var position = offset
    guard position < bytes.count else { return nil }
    let tag = bytes[position]
    guard tag & 0x1f != 0x1f else { return nil }
    position += 1
    guard position < bytes.count else { return nil }
    let first = bytes[position]
    position += 1
    var length = Int(first)
    if first & 0x80 != 0 {
      let count = Int(first & 0x7f)
      guard (1...4).contains(count), bytes.count - position >= count else { return nil }
      length = 0
      for _ in 0..<count {
        length = length << 8 | Int(bytes[position])
        position += 1
      }
    }
    guard bytes.count - position >= length else { return nil }
    offset = position + length
    return (tag, UnsafeRawBufferPointer(rebasing: bytes[position..<offset]))
  }
}
