import AnchorCore
import LDAPClient

/// The ranged `member` windows of one group as they arrive, checked before any arithmetic: each
/// window starts where the last one ended, names no more values than the window asked and exactly
/// as many as it carries (so every window advances), and no member appears twice (windows that
/// repeat or overlap). The total stays within what a domain can hold.
struct MemberWindows {
  let source: String
  let dn: String
  /// Values asked per window (`member;range=low-(low+window-1)`).
  let window: Int
  private(set) var members: [ObjectGUID] = []
  private var seen: Set<ObjectGUID> = []

  init(source: String, dn: String, window: Int) {
    self.source = source
    self.dn = dn
    self.window = min(max(window, 1), Int(Int32.max))
  }

  /// Takes the window that answered a request starting at `low`; returns where the next window
  /// starts, or nil after the final (`low-*`) window.
  mutating func accept(_ attribute: LDAPAttribute, from low: Int) throws(ActiveDirectoryError)
    -> Int?
  {
    guard let range = attribute.range, range.low == low else {
      throw malformed(attribute.name, "is not the requested window starting at \(low)")
    }
    guard attribute.values.count <= window else {
      throw malformed(
        attribute.name, "carries \(attribute.values.count) values; \(window) were asked")
    }
    try add(attribute.values)
    guard let high = range.high else { return nil }
    // `high >= low >= 0` here, so `high - low` can't overflow, and `high + 1` stays below
    // `low + window`.
    guard high >= low, high - low < window else {
      throw malformed(attribute.name, "names more values than the \(window) asked from \(low)")
    }
    guard high - low + 1 == attribute.values.count else {
      throw malformed(
        attribute.name,
        "names \(high - low + 1) values but carries \(attribute.values.count): the window does "
          + "not advance as it says")
    }
    return high + 1
  }

  /// Takes members sent under the plain name (no range option): every one at once.
  mutating func acceptAll(_ values: [[UInt8]]) throws(ActiveDirectoryError) {
    try add(values)
  }

  private mutating func add(_ values: [[UInt8]]) throws(ActiveDirectoryError) {
    guard members.count + values.count <= LDAPSearchLimits.entriesPerSearch else {
      throw malformed("member", "has more values than a domain can hold objects")
    }
    for value in values {
      let member = ExtendedDN(parsing: String(decoding: value, as: UTF8.self))
      guard let guid = member.guid else {
        throw malformed(
          "member",
          "value '\(member.dn)' carries no GUID (is the extended DN control supported?)")
      }
      guard seen.insert(guid).inserted else {
        throw malformed(
          "member",
          "repeats member \(guid.canonicalString): the server's windows repeat or overlap")
      }
      members.append(guid)
    }
  }

  private func malformed(_ attribute: String, _ reason: String) -> ActiveDirectoryError {
    .malformed(source: source, dn: dn, attribute: attribute, reason: reason)
  }
}
