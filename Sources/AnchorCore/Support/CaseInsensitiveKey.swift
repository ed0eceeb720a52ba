/// A dictionary key that compares text case-insensitively without storing a lowercased copy.
///
/// UPNs and SMTP addresses match case-insensitively in Entra. Lowercasing a million keys costs a
/// million allocations; this key shares the original string and folds ASCII case while hashing.
/// Non-ASCII text falls back to Unicode lowercasing (rare in UPNs, correct either way).
struct CaseInsensitiveKey: Hashable, Sendable {
  let text: Substring

  init(_ text: String) { self.text = Substring(text) }
  init(_ text: Substring) { self.text = text }

  static func == (lhs: CaseInsensitiveKey, rhs: CaseInsensitiveKey) -> Bool {
    let asciiEqual: Bool? = lhs.withUTF8 { a in
      rhs.withUTF8 { b in
        guard a.count == b.count else {
          return isASCII(a) && isASCII(b) ? false : nil
        }
        for index in 0..<a.count {
          let x = a[index]
          let y = b[index]
          if x >= 0x80 || y >= 0x80 { return nil }
          if fold(x) != fold(y) { return false }
        }
        return true
      }
    }
    if let asciiEqual { return asciiEqual }
    return lhs.text.lowercased() == rhs.text.lowercased()
  }

  func hash(into hasher: inout Hasher) {
    let hashed: Bool = withUTF8 { units in
      guard isASCII(units) else { return false }
      for unit in units { hasher.combine(fold(unit)) }
      hasher.combine(units.count)
      return true
    }
    if !hashed {
      let lowered = text.lowercased()
      for unit in lowered.utf8 { hasher.combine(unit) }
      hasher.combine(lowered.utf8.count)
    }
  }

  private func withUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
    return Array(text.utf8).withUnsafeBufferPointer(body)
  }
}

@inline(__always)
private func fold(_ unit: UInt8) -> UInt8 {
  unit >= UInt8(ascii: "A") && unit <= UInt8(ascii: "Z") ? unit | 0x20 : unit
}

@inline(__always)
private func isASCII(_ units: UnsafeBufferPointer<UInt8>) -> Bool {
  for unit in units where unit >= 0x80 { return false }
  return true
}
