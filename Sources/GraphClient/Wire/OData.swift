/// OData query text (graph-facts §7).
public enum OData {
  /// A string literal for `$filter`: single-quoted, an embedded `'` doubled.
  public static func literal(_ value: String) -> String {
    "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
  }

  /// `onPremisesImmutableId eq '<value>'`: default filter support, no ConsistencyLevel needed.
  public static func immutableIDEquals(_ value: String) -> String {
    "onPremisesImmutableId eq \(literal(value))"
  }

  /// Percent-encodes a query value: everything but RFC 3986 unreserved characters, so `'`, `&`,
  /// `+`, `#`, `=` and spaces inside a filter survive intact. `$` in option names stays literal.
  public static func encodeQueryValue(_ value: String) -> String {
    percentEncode(value, keeping: unreserved.union([",", "$"]))
  }

  /// Percent-encodes one path segment (an object id or a UPN such as `o'neil#2@contoso.com`).
  public static func encodePathSegment(_ value: String) -> String {
    percentEncode(value, keeping: unreserved.union(["@"]))
  }

  /// `application/x-www-form-urlencoded` value: only unreserved characters stay literal.
  public static func encodeFormValue(_ value: String) -> String {
    percentEncode(value, keeping: unreserved)
  }

  /// `?$select=a,b&$top=999`, with each value encoded; option order is kept.
  public static func query(_ options: [(String, String)]) -> String {
    guard !options.isEmpty else { return "" }
    return "?" + options.map { "\($0.0)=\(encodeQueryValue($0.1))" }.joined(separator: "&")
  }

  static let unreserved: Set<UInt8> = Set(
    Array(UInt8(ascii: "A")...UInt8(ascii: "Z")) + Array(UInt8(ascii: "a")...UInt8(ascii: "z"))
      + Array(UInt8(ascii: "0")...UInt8(ascii: "9"))
      + [UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~")])

  private static func percentEncode(_ value: String, keeping: Set<UInt8>) -> String {
    let hex = Array("0123456789ABCDEF".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(value.utf8.count)
    for byte in value.utf8 {
      if keeping.contains(byte) {
        out.append(byte)
      } else {
        out.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
      }
    }
    return String(decoding: out, as: UTF8.self)
  }
}

extension Set where Element == UInt8 {
  fileprivate func union(_ characters: [Character]) -> Set<UInt8> {
    union(characters.compactMap(\.asciiValue))
  }
}
