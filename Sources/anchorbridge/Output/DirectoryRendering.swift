import ActiveDirectory
import AnchorCore
import Foundation

/// Renders directory objects page by page, so a 100,000-user pull never holds its output in memory.
struct DirectoryRenderer {
  let format: ListFormat
  /// Whether anything was written yet (the header line, or `[` of the JSON array).
  var started = false
  private var tableWidths: [Int] = []

  init(format: ListFormat) { self.format = format }

  static let userColumns = [
    "dn", "objectGuid", "immutableId", "anchorSource", "userPrincipalName", "samAccountName",
    "mail",
    "proxyAddresses", "enabled",
  ]
  static let groupColumns = [
    "dn", "objectGuid", "immutableId", "kind", "scope", "mail", "proxyAddresses", "memberCount",
    "members",
  ]

  static func userRow(_ user: DirectoryUser) -> [String] {
    [
      user.distinguishedName, user.objectGUID.canonicalString, user.anchor?.immutableId ?? "",
      user.anchorSource, user.userPrincipalName ?? "", user.samAccountName ?? "", user.mail ?? "",
      user.proxyAddresses.joined(separator: ";"), user.enabled ? "true" : "false",
    ]
  }

  static func groupRow(_ group: DirectoryGroup) -> [String] {
    [
      group.distinguishedName, group.objectGUID.canonicalString, group.anchor.immutableId,
      group.groupType.kind.rawValue, group.groupType.scope?.rawValue ?? "", group.mail ?? "",
      group.proxyAddresses.joined(separator: ";"), String(group.members.count),
      group.members.map(\.canonicalString).joined(separator: ";"),
    ]
  }

  static func userJSON(_ user: DirectoryUser, into json: inout JSONText) {
    json.raw("{")
    json.key("dn", first: true)
    json.string(user.distinguishedName)
    json.key("objectGuid")
    json.string(user.objectGUID.canonicalString)
    json.key("immutableId")
    json.string(user.anchor?.immutableId)
    json.key("anchorSource")
    json.string(user.anchorSource)
    json.key("userPrincipalName")
    json.string(user.userPrincipalName)
    json.key("samAccountName")
    json.string(user.samAccountName)
    json.key("mail")
    json.string(user.mail)
    json.key("proxyAddresses")
    json.strings(user.proxyAddresses)
    json.key("enabled")
    json.bool(user.enabled)
    json.key("source")
    json.string(user.source)
    json.raw("}")
  }

  static func groupJSON(_ group: DirectoryGroup, into json: inout JSONText) {
    json.raw("{")
    json.key("dn", first: true)
    json.string(group.distinguishedName)
    json.key("objectGuid")
    json.string(group.objectGUID.canonicalString)
    json.key("immutableId")
    json.string(group.anchor.immutableId)
    json.key("objectSid")
    json.string(group.objectSid)
    json.key("kind")
    json.string(group.groupType.kind.rawValue)
    json.key("scope")
    json.string(group.groupType.scope?.rawValue)
    json.key("displayName")
    json.string(group.displayName)
    json.key("mail")
    json.string(group.mail)
    json.key("mailNickname")
    json.string(group.mailNickname)
    json.key("proxyAddresses")
    json.strings(group.proxyAddresses)
    json.key("legacyExchangeDN")
    json.string(group.legacyExchangeDN)
    json.key("memberCount")
    json.number(group.members.count)
    json.key("members")
    json.strings(group.members.map(\.canonicalString))
    json.key("source")
    json.string(group.source)
    json.raw("}")
  }

  /// Renders one page. `rows` are the table/CSV cells; `json` writes one object.
  mutating func page<T>(
    _ items: [T], columns: [String], rows: (T) -> [String], json: (T, inout JSONText) -> Void
  ) -> [UInt8] {
    var out = JSONText(capacity: items.count * 256)
    switch format {
    case .json:
      for item in items {
        out.raw(started ? ",\n" : "[\n")
        started = true
        json(item, &out)
      }
      return out.bytes
    case .csv:
      var text = ""
      if !started {
        text += CSV.line(columns)
        started = true
      }
      for item in items { text += CSV.line(rows(item)) }
      return Array(text.utf8)
    case .table:
      // A table needs its column widths up front: widths come from the first page and longer
      // cells later are not cut, only misaligned. Tables are for people; use CSV/JSON for scripts.
      // Member lists don't fit a terminal: the table shows memberCount only.
      let keep = columns.indices.filter { columns[$0] != "members" }
      let columns = keep.map { columns[$0] }
      var text = ""
      let data = items.map { item in
        let cells = rows(item)
        return keep.map { TerminalText.escaped(cells[$0]) }
      }
      if !started {
        tableWidths = columns.indices.map { index in
          min(60, max(columns[index].count, data.map { $0[index].count }.max() ?? 0))
        }
        text += Self.tableLine(columns, widths: tableWidths)
        text += Self.tableLine(
          tableWidths.map { String(repeating: "-", count: $0) }, widths: tableWidths)
        started = true
      }
      for row in data { text += Self.tableLine(row, widths: tableWidths) }
      return Array(text.utf8)
    }
  }

  /// What ends the output when a read fails midway: the JSON array's bracket when it was opened,
  /// so stdout stays valid JSON holding every object read before the failure; nothing otherwise.
  func abandoned() -> [UInt8] {
    format == .json && started ? Array("\n]\n".utf8) : []
  }

  /// Closes the output (the JSON array bracket; an empty array when nothing was found).
  mutating func finish(columns: [String]) -> [UInt8] {
    switch format {
    case .json: return Array((started ? "\n]\n" : "[]\n").utf8)
    case .csv: return started ? [] : Array(CSV.line(columns).utf8)
    case .table: return started ? [] : Array((columns.joined(separator: "  ") + "\n").utf8)
    }
  }

  static func tableLine(_ cells: [String], widths: [Int]) -> String {
    var line = ""
    for (index, cell) in cells.enumerated() {
      if index > 0 { line += "  " }
      let width = widths[index]
      line +=
        cell.count >= width || index == cells.count - 1
        ? cell : cell + String(repeating: " ", count: width - cell.count)
    }
    return line + "\n"
  }
}

/// RFC 4180 CSV: fields with a comma, quote or line break are quoted, quotes doubled. Other control
/// characters are shown escaped (`TerminalText`), and a field a spreadsheet would run as a formula
/// (leading `=`, `+`, `-`, `@`, tab or carriage return) gets a leading `'` (OWASP's advice).
enum CSV {
  static func field(_ raw: String) -> String {
    var value = TerminalText.escaped(raw, keepingLineBreaks: true)
    if let first = raw.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) {
      value = "'" + value
    }
    guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
      return value
    }
    return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  static func line(_ fields: [String]) -> String {
    fields.map(field).joined(separator: ",") + "\r\n"
  }
}
