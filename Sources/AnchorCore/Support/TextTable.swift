/// A fixed-width text table for a terminal: columns padded to their widest cell plus two spaces,
/// the last column unpadded. The one table renderer: plans, group plans, reports and history.
public enum TextTable {
  /// Cells are shown through `TerminalText.escaped`: a value never writes a terminal sequence.
  public static func render(header: [String], rows: [[String]]) -> String {
    let rows = rows.map { $0.map { TerminalText.escaped($0) } }
    var widths = header.map(\.count)
    for row in rows {
      for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
    }
    func line(_ cells: [String]) -> String {
      var text = ""
      for (column, cell) in cells.enumerated() {
        text +=
          column == cells.count - 1
          ? cell : cell + String(repeating: " ", count: widths[column] - cell.count + 2)
      }
      return text
    }
    var out = line(header) + "\n"
    for row in rows { out += line(row) + "\n" }
    return out
  }
}
