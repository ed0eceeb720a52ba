/// RFC 4515 filter building: escaping is the only safe way to put a user-supplied value into a
/// filter, so that a UPN such as `a*)(objectClass=*` matches itself and can't widen the search.
public enum LDAPFilter {
  /// Escapes a string assertion value: `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`, `\29`,
  /// `\5c`, `\00`. Other UTF-8 is left as is (RFC 4515 allows it).
  public static func escape(_ value: String) -> String {
    var out = ""
    out.reserveCapacity(value.utf8.count)
    for scalar in value.unicodeScalars {
      switch scalar {
      case "*": out += "\\2a"
      case "(": out += "\\28"
      case ")": out += "\\29"
      case "\\": out += "\\5c"
      case "\u{0}": out += "\\00"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// Escapes every byte of a binary assertion value, e.g. an objectGUID: `\c9\8b\91...`.
  public static func escape(bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef")
    var out = ""
    for byte in bytes {
      out.append("\\")
      out.append(digits[Int(byte >> 4)])
      out.append(digits[Int(byte & 0x0f)])
    }
    return out
  }

  /// `(attribute=value)` with the value escaped.
  public static func equals(_ attribute: String, _ value: String) -> String {
    "(\(attribute)=\(escape(value)))"
  }

  /// `(&f1 f2 ...)`, or the single filter when there is one.
  public static func and(_ filters: [String]) -> String {
    filters.count == 1 ? filters[0] : "(&" + filters.joined() + ")"
  }
}
