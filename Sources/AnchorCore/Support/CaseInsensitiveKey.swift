/// A dictionary key that compares text case-insensitively without storing a lowercased copy.
///
/// UPNs and SMTP addresses match case-insensitively in Entra. Lowercasing a million keys costs a
/// million allocations; this key shares the original string and folds ASCII case while hashing,
/// eight bytes at a time. Non-ASCII text falls back to Unicode lowercasing (rare in UPNs, correct
/// either way: both paths hash the lowercased bytes).
struct CaseInsensitiveKey: Hashable, Sendable {
  let text: String

  init(_ text: String) { self.text = text }
  init(_ text: Substring) { self.text = String(text) }

  static func == (lhs: CaseInsensitiveKey, rhs: CaseInsensitiveKey) -> Bool {
    var left = lhs.text
    var right = rhs.text
    let result: Int = left.withUTF8 { a in
      right.withUTF8 { b in
        if !isASCII(a) || !isASCII(b) { return -1 }
        guard a.count == b.count else { return 0 }
        var index = 0
        while index + 8 <= a.count {
          let x = UnsafeRawBufferPointer(a).loadUnaligned(fromByteOffset: index, as: UInt64.self)
          let y = UnsafeRawBufferPointer(b).loadUnaligned(fromByteOffset: index, as: UInt64.self)
          if x != y && foldWord(x) != foldWord(y) { return 0 }
          index += 8
        }
        while index < a.count {
          if fold(a[index]) != fold(b[index]) { return 0 }
          index += 1
        }
        return 1
      }
    }
    if result >= 0 { return result == 1 }
    return lhs.text.lowercased() == rhs.text.lowercased()
  }

  func hash(into hasher: inout Hasher) {
    var text = self.text
    let hashed: Bool = text.withUTF8 { units in
      guard isASCII(units) else { return false }
      hashFolded(units, into: &hasher)
      return true
    }
    if !hashed {
      var lowered = text.lowercased()
      lowered.withUTF8 { hashFolded($0, into: &hasher) }
    }
  }
}

/// Hashes ASCII bytes with A-Z folded to a-z, a word at a time.
@inline(__always)
private func hashFolded(_ units: UnsafeBufferPointer<UInt8>, into hasher: inout Hasher) {
  var index = 0
  while index + 8 <= units.count {
    hasher.combine(
      foldWord(UnsafeRawBufferPointer(units).loadUnaligned(fromByteOffset: index, as: UInt64.self)))
    index += 8
  }
  var tail: UInt64 = 0
  while index < units.count {
    tail = tail << 8 | UInt64(fold(units[index]))
    index += 1
  }
  hasher.combine(tail)
  hasher.combine(units.count)
}

/// Lowercases the ASCII letters of eight bytes at once (every byte must be < 0x80).
@inline(__always)
private func foldWord(_ word: UInt64) -> UInt64 {
  let ones: UInt64 = 0x0101_0101_0101_0101
  let atLeastA = word &+ ones &* (0x80 - 0x41)  // high bit set where byte >= 'A'
  let aboveZ = word &+ ones &* (0x80 - 0x5B)  // high bit set where byte > 'Z'
  let upper = (atLeastA ^ aboveZ) & (ones &* 0x80)
  return word | upper >> 2
}

@inline(__always)
private func fold(_ unit: UInt8) -> UInt8 {
  unit >= UInt8(ascii: "A") && unit <= UInt8(ascii: "Z") ? unit | 0x20 : unit
}

@inline(__always)
private func isASCII(_ units: UnsafeBufferPointer<UInt8>) -> Bool {
  var index = 0
  while index + 8 <= units.count {
    if UnsafeRawBufferPointer(units).loadUnaligned(fromByteOffset: index, as: UInt64.self)
      & 0x8080_8080_8080_8080 != 0
    {
      return false
    }
    index += 8
  }
  while index < units.count {
    if units[index] >= 0x80 { return false }
    index += 1
  }
  return true
}
