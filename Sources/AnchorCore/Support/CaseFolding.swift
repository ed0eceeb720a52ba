/// Case-insensitive text, as UPNs and SMTP addresses compare in Entra: a 64-bit hash and an
/// equality test computed straight from the UTF-8 bytes, without building a lowercased copy.
///
/// Two texts are equal when their lowercased UTF-8 bytes are equal. ASCII text (almost every UPN)
/// is folded eight bytes at a time; anything else goes through Unicode lowercasing, so `K` (the
/// Kelvin sign) equals `k` and `İ` equals `i̇`, on both paths alike. Canonically equivalent but
/// differently encoded text (`é` precomposed or as `e` + combining accent) is not folded together:
/// the hash and the equality agree on that, which a `String ==` after `lowercased()` would not.
enum CaseFolding {
  /// The hash of the lowercased UTF-8 bytes. Not seeded: plans never depend on hash order, and the
  /// inputs come from the operator's own directory and tenant.
  static func hash(_ text: String) -> UInt64 {
    let ascii: UInt64? = text.utf8.withContiguousStorageIfAvailable { units in
      isASCII(units) ? hashFolded(units) : nil
    }.flatMap { $0 }
    if let ascii { return ascii }
    return Array(text.lowercased().utf8).withUnsafeBufferPointer { hashFolded($0) }
  }

  static func hash(_ text: Substring) -> UInt64 {
    let ascii: UInt64? = text.utf8.withContiguousStorageIfAvailable { units in
      isASCII(units) ? hashFolded(units) : nil
    }.flatMap { $0 }
    if let ascii { return ascii }
    return hash(String(text))
  }

  /// The hash of ASCII bytes (as `hash` would give for their text); nil when they are not ASCII.
  @inline(__always)
  static func asciiHash(_ units: UnsafeBufferPointer<UInt8>) -> UInt64? {
    isASCII(units) ? hashFolded(units) : nil
  }

  /// Folded equality of ASCII bytes and an ASCII text; nil when either is not ASCII.
  @inline(__always)
  static func asciiEqual(_ units: UnsafeBufferPointer<UInt8>, _ text: String) -> Bool? {
    text.utf8.withContiguousStorageIfAvailable { other -> Bool? in
      guard isASCII(units) && isASCII(other) else { return nil }
      return foldedASCIIEqual(units, other)
    }.flatMap { $0 }
  }

  /// Folded equality of a text and ASCII bytes, read in place; nil when the text is not ASCII
  /// or not contiguous.
  @inline(__always)
  static func asciiEqual(_ text: String, _ units: UnsafeBufferPointer<UInt8>) -> Bool? {
    text.utf8.withContiguousStorageIfAvailable { other -> Bool? in
      isASCII(other) ? foldedASCIIEqual(other, units) : nil
    }.flatMap { $0 }
  }

  /// True when `lhs` and `rhs` are the same text ignoring case (see the type's note).
  static func equal(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
    let fast: Bool? = lhs.utf8.withContiguousStorageIfAvailable { a in
      rhs.utf8.withContiguousStorageIfAvailable { b -> Bool? in
        guard isASCII(a) && isASCII(b) else { return nil }
        return foldedASCIIEqual(a, b)
      }.flatMap { $0 }
    }.flatMap { $0 }
    if let fast { return fast }
    return lhs.lowercased().utf8.elementsEqual(rhs.lowercased().utf8)
  }
}

/// Folded ASCII bytes equal, a word at a time (both buffers ASCII).
@inline(__always)
private func foldedASCIIEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>)
  -> Bool
{
  guard a.count == b.count else { return false }
  let left = UnsafeRawBufferPointer(a)
  let right = UnsafeRawBufferPointer(b)
  var index = 0
  while index + 8 <= a.count {
    let x = left.loadUnaligned(fromByteOffset: index, as: UInt64.self)
    let y = right.loadUnaligned(fromByteOffset: index, as: UInt64.self)
    if x != y && foldWord(x) != foldWord(y) { return false }
    index += 8
  }
  while index < a.count {
    if fold(a[index]) != fold(b[index]) { return false }
    index += 1
  }
  return true
}

/// Hashes bytes with A-Z folded to a-z, a word at a time (multiply-xorshift per word, then an
/// avalanche). Bytes >= 0x80 are hashed as they are: the non-ASCII path passes lowercased text.
@inline(__always)
private func hashFolded(_ units: UnsafeBufferPointer<UInt8>) -> UInt64 {
  let raw = UnsafeRawBufferPointer(units)
  var state: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(units.count)
  var index = 0
  while index + 8 <= units.count {
    let word = foldBytes(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
    state = (state ^ word) &* 0xBF58_476D_1CE4_E5B9
    state ^= state >> 29
    index += 8
  }
  var tail: UInt64 = 0
  var shift: UInt64 = 0
  while index < units.count {
    tail |= UInt64(fold(units[index])) << shift
    shift += 8
    index += 1
  }
  state = (state ^ tail) &* 0x94D0_49BB_1331_11EB
  state ^= state >> 32
  state = state &* 0xD6E8_FEB8_6659_FD93
  return state ^ state >> 32
}

/// Folds A-Z in a word that may hold bytes >= 0x80 (they are left alone).
@inline(__always)
private func foldBytes(_ word: UInt64) -> UInt64 {
  word & 0x8080_8080_8080_8080 == 0 ? foldWord(word) : slowFold(word)
}

private func slowFold(_ word: UInt64) -> UInt64 {
  var out: UInt64 = 0
  for shift in stride(from: 0, to: 64, by: 8) {
    out |= UInt64(fold(UInt8(truncatingIfNeeded: word >> UInt64(shift)))) << UInt64(shift)
  }
  return out
}

/// Lowercases the ASCII letters of eight bytes at once (every byte must be < 0x80).
@inline(__always)
func foldWord(_ word: UInt64) -> UInt64 {
  let ones: UInt64 = 0x0101_0101_0101_0101
  let atLeastA = word &+ ones &* (0x80 - 0x41)  // high bit set where byte >= 'A'
  let aboveZ = word &+ ones &* (0x80 - 0x5B)  // high bit set where byte > 'Z'
  let upper = (atLeastA ^ aboveZ) & (ones &* 0x80)
  return word | upper >> 2
}

@inline(__always)
func fold(_ unit: UInt8) -> UInt8 {
  unit >= UInt8(ascii: "A") && unit <= UInt8(ascii: "Z") ? unit | 0x20 : unit
}

@inline(__always)
func isASCII(_ units: UnsafeBufferPointer<UInt8>) -> Bool {
  let raw = UnsafeRawBufferPointer(units)
  var index = 0
  var bits: UInt64 = 0
  while index + 8 <= units.count {
    bits |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
    index += 8
  }
  while index < units.count {
    bits |= UInt64(units[index])
    index += 1
  }
  return bits & 0x8080_8080_8080_8080 == 0
}
