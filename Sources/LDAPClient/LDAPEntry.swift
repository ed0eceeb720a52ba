/// One directory entry: its DN and every returned attribute with raw byte values.
///
/// Values are never decoded on the way in: objectGUID, objectSid and mS-DS-ConsistencyGuid are binary,
/// and only the caller knows which attributes are text.
public struct LDAPEntry: Sendable, Hashable {
  public var dn: String
  /// Attributes in the order the server sent them. Names keep the server's spelling, including any
  /// `;range=low-high` option.
  public var attributes: [LDAPAttribute]

  public init(dn: String, attributes: [LDAPAttribute]) {
    self.dn = dn
    self.attributes = attributes
  }

  /// The values of an attribute (case-insensitive name, options such as `;range=` ignored).
  public func values(_ name: String) -> [[UInt8]] {
    attributes.first { $0.hasBaseName(name) }?.values ?? []
  }

  /// The first value as UTF-8 text (AD's LDAP strings are UTF-8).
  public func string(_ name: String) -> String? {
    values(name).first.map { String(decoding: $0, as: UTF8.self) }
  }

  /// Every value as UTF-8 text.
  public func strings(_ name: String) -> [String] {
    values(name).map { String(decoding: $0, as: UTF8.self) }
  }

  /// The first value as raw bytes.
  public func bytes(_ name: String) -> [UInt8]? { values(name).first }

  /// The attribute carrying a ranged (`name;range=low-high`) result for `name`, if any.
  public func rangedAttribute(_ name: String) -> LDAPAttribute? {
    attributes.first { $0.hasBaseName(name) && $0.range != nil }
  }
}

public struct LDAPAttribute: Sendable, Hashable {
  public let name: String
  public var values: [[UInt8]]
  /// The base name in ASCII lower case, computed once: lookups compare it instead of re-splitting
  /// and case-folding the name for every attribute of every entry.
  let key: String

  public init(name: String, values: [[UInt8]]) {
    self.name = name
    self.values = values
    self.key = LDAPAttribute.key(of: name)
  }

  /// Whether the base name equals `name` ignoring ASCII case, without allocating.
  func hasBaseName(_ name: String) -> Bool {
    var other = name.utf8.makeIterator()
    for unit in key.utf8 {
      guard let next = other.next() else { return false }
      if unit != (next >= 0x41 && next <= 0x5a ? next | 0x20 : next) { return false }
    }
    return other.next() == nil
  }

  /// `member;range=0-1499` → `member`; `userPrincipalName` → `userprincipalname`.
  static func key(of name: String) -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(name.utf8.count)
    for unit in name.utf8 {
      if unit == UInt8(ascii: ";") { break }
      bytes.append(unit >= 0x41 && unit <= 0x5a ? unit | 0x20 : unit)
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// The `range=low-high` option of a ranged value window; `high` is nil for the final `*` window.
  public var range: (low: Int, high: Int?)? {
    for option in name.split(separator: ";").dropFirst() {
      let lower = option.lowercased()
      guard lower.hasPrefix("range=") else { continue }
      let bounds = lower.dropFirst(6).split(separator: "-", maxSplits: 1)
      guard bounds.count == 2, let low = Int(bounds[0]) else { return nil }
      if bounds[1] == "*" { return (low, nil) }
      guard let high = Int(bounds[1]) else { return nil }
      return (low, high)
    }
    return nil
  }
}
