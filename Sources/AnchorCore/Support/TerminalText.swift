/// Text from AD or Graph made safe to show: control characters (terminal escape sequences, a
/// carriage return that overwrites a line) and the invisible bidirectional overrides that reorder
/// what a person reads are shown as escapes, `\e` for ESC and `\xNN` or `\u{NNNN}` otherwise.
/// `keepingLineBreaks` leaves LF and CR alone (a quoted CSV field holds them as data).
public enum TerminalText {
  public static func escaped(_ text: String, keepingLineBreaks: Bool = false) -> String {
    func escapes(_ scalar: Unicode.Scalar) -> Bool {
      needsEscape(scalar) && !(keepingLineBreaks && (scalar == "\n" || scalar == "\r"))
    }
    guard text.unicodeScalars.contains(where: escapes) else { return text }
    var out = ""
    for scalar in text.unicodeScalars {
      guard escapes(scalar) else {
        out.unicodeScalars.append(scalar)
        continue
      }
      let value = scalar.value
      if value == 0x1B {
        out += "\\e"
      } else if value < 0x100 {
        out += "\\x" + Hex.byte(UInt8(value))
      } else {
        out += "\\u{" + String(value, radix: 16, uppercase: true) + "}"
      }
    }
    return out
  }

  static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x00...0x1F, 0x7F...0x9F: true
    case 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
    default: false
    }
  }
}
