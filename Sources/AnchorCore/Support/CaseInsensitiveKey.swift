/// A dictionary key that compares text case-insensitively without storing a lowercased copy.
///
/// UPNs and SMTP addresses match case-insensitively in Entra. Lowercasing would allocate a copy of
/// every key; this key shares the original string and hashes and compares it through
/// `CaseFolding` (ASCII folded eight bytes at a time, Unicode lowercasing otherwise). The planners'
/// large indexes use `FoldedTextIndex`; this key serves the small dictionaries.
struct CaseInsensitiveKey: Hashable, Sendable {
  let text: String

  init(_ text: String) { self.text = text }
  init(_ text: Substring) { self.text = String(text) }

  static func == (lhs: CaseInsensitiveKey, rhs: CaseInsensitiveKey) -> Bool {
    CaseFolding.equal(lhs.text, rhs.text)
  }

  func hash(into hasher: inout Hasher) {
    hasher.combine(CaseFolding.hash(text))
  }
}
