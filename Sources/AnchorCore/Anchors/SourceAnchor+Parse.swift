extension SourceAnchor {
  /// The textual form a value was recognised as by `parse(_:)`.
  public enum InputForm: String, Sendable, Codable, CaseIterable {
    /// `35918bc9-196d-40ea-9779-889d79b753f0`, any case, optional braces.
    case guidString
    /// 32 hex digits of the bytes in AD order, spaces allowed.
    case hex
    /// RFC 4515 escapes `\c9\8b...`, optionally as a whole `(objectGUID=...)` filter.
    case ldapFilter
    /// Base64 of 16 bytes: a GUID ImmutableID.
    case immutableId
    /// Valid base64 that is not 16 bytes: an opaque anchor from a custom attribute, verbatim.
    case opaqueBase64
  }

  /// Auto-detects the form of `text` and returns the anchor with the form it was read as.
  ///
  /// Order matters only where forms overlap: 32 hex digits are also valid base64 (of 24 bytes),
  /// and are read as hex, because no GUID ImmutableID is 32 characters long.
  public static func parseWithForm(_ text: String) throws(AnchorCoreError) -> (
    anchor: SourceAnchor, form: InputForm
  ) {
    let trimmed = trimSpaces(text)
    var reasons: [String] = []
    if trimmed.isEmpty {
      throw .invalidAnchor(value: text, reasons: ["the value is empty"])
    }
    // LDAP filter value.
    if trimmed.contains("\\") {
      switch ldapFilterBytes(trimmed) {
      case .success(let bytes):
        if let guid = ObjectGUID(bytes: bytes) { return (SourceAnchor(guid: guid), .ldapFilter) }
        reasons.append("as an LDAP filter value it has \(bytes.count) escaped bytes, not 16")
      case .failure(let message):
        reasons.append(message)
      }
      throw .invalidAnchor(value: text, reasons: reasons)
    }
    // GUID string.
    if trimmed.contains("-") || trimmed.hasPrefix("{") {
      if let guid = ObjectGUID(guidString: trimmed) {
        return (SourceAnchor(guid: guid), .guidString)
      }
      reasons.append(
        "not a GUID string (expected 8-4-4-4-12 hex digits, optionally in braces)")
    }
    // Hex with optional spaces.
    let compact = String(trimmed.filter { $0 != " " })
    if let bytes = Hex.decode(compact), bytes.count == 16, let guid = ObjectGUID(bytes: bytes) {
      return (SourceAnchor(guid: guid), .hex)
    }
    if compact.utf8.allSatisfy(isHexDigit) {
      reasons.append("not a hex GUID (\(compact.utf8.count) hex digits, expected 32)")
    } else if reasons.isEmpty {
      reasons.append("not a GUID string or 32 hex digits")
    }
    // Base64.
    if let bytes = Base64.decode(trimmed) {
      if let guid = ObjectGUID(bytes: bytes) { return (SourceAnchor(guid: guid), .immutableId) }
      return (SourceAnchor(opaque: trimmed), .opaqueBase64)
    }
    reasons.append(base64Failure(trimmed))
    throw .invalidAnchor(value: text, reasons: reasons)
  }

  /// Auto-detects the form (GUID string, hex, LDAP filter, base64 ImmutableID) and returns the anchor.
  public static func parse(_ text: String) throws(AnchorCoreError) -> SourceAnchor {
    try parseWithForm(text).anchor
  }

  private static func trimSpaces(_ text: String) -> String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
    guard let first = text.firstIndex(where: { !isSpace($0) }),
      let last = text.lastIndex(where: { !isSpace($0) })
    else { return "" }
    return String(text[first...last])
  }

  private enum FilterParse {
    case success([UInt8])
    case failure(String)
  }

  /// Reads `\xx\xx...` or `(objectGUID=\xx...)`; only escapes are accepted (every byte escaped).
  private static func ldapFilterBytes(_ text: String) -> FilterParse {
    var body = Substring(text)
    if body.hasPrefix("(") {
      guard body.hasSuffix(")"), let equals = body.firstIndex(of: "=") else {
        return .failure("not an LDAP filter (expected (objectGUID=\\xx...))")
      }
      let attribute = body[body.index(after: body.startIndex)..<equals]
      guard
        attribute.lowercased() == "objectguid" || attribute.lowercased() == "ms-ds-consistencyguid"
      else {
        return .failure("an LDAP filter on '\(attribute)', not objectGUID")
      }
      body = body[body.index(after: equals)..<body.index(before: body.endIndex)]
    }
    let units = Array(body.utf8)
    var bytes: [UInt8] = []
    var index = 0
    while index < units.count {
      guard units[index] == UInt8(ascii: "\\"), index + 3 <= units.count,
        let value = Hex.decode(String(decoding: units[index + 1..<index + 3], as: UTF8.self))
      else {
        let found = String(decoding: units[index...].prefix(6), as: UTF8.self)
        return .failure(
          "not an LDAP filter value: expected \\xx escapes, found '\(found)' at character \(index + 1)"
        )
      }
      bytes.append(value[0])
      index += 3
    }
    return .success(bytes)
  }

  private static func isHexDigit(_ unit: UInt8) -> Bool {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(unit)
      || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(unit | 0x20)
  }

  private static func base64Failure(_ text: String) -> String {
    let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=".utf8)
    for (offset, unit) in text.utf8.enumerated() where !alphabet.contains(unit) {
      let character = String(decoding: [unit], as: UTF8.self)
      return
        "not base64 (character '\(unit < 128 ? character : "non-ASCII")' at position \(offset + 1))"
    }
    if text.utf8.count % 4 != 0 {
      return "not base64 (length \(text.utf8.count) is not a multiple of 4)"
    }
    return "not base64 (misplaced '=' padding or stray bits in the last character)"
  }
}
