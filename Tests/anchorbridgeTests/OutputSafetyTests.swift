import AnchorCore
import Foundation
import Testing

@testable import anchorbridge

/// Issue 21: values from AD or Graph never reach a terminal or spreadsheet as commands.
@Suite struct OutputSafetyTests {
  static let hostile = "evil\u{1B}]0;owned\u{7}\u{1B}[2J\r\u{202E}txt.exe"

  @Test func tablesShowControlCharactersEscaped() {
    let table = TextTable.render(header: ["upn"], rows: [[Self.hostile]])
    #expect(!table.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    #expect(!table.contains("\u{202E}"))
    #expect(table.contains("evil\\e]0;owned\\x07\\e[2J\\x0d\\u{202E}txt.exe"))

    var renderer = DirectoryRenderer(format: .table)
    let page = renderer.page(
      [Self.hostile], columns: ["dn"], rows: { [$0] }, json: { _, _ in })
    let text = String(decoding: page, as: UTF8.self)
    #expect(!text.contains("\u{1B}") && !text.contains("\r"))
    #expect(text.contains("\\e[2J"))
  }

  @Test(arguments: [
    ("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""),
    ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\\x09x"), ("\r=1", "\"'\r=1\""),
    ("a\u{1B}[31mred", "a\\e[31mred"), ("plain-name@contoso.com", "plain-name@contoso.com"),
  ])
  func csvNeutralisesFormulasAndEscapes(value: String, expected: String) {
    #expect(CSV.field(value) == expected)
  }

  @Test func anAbandonedJSONListIsStillAValidArray() throws {
    var renderer = DirectoryRenderer(format: .json)
    #expect(renderer.abandoned().isEmpty)
    var bytes = renderer.page(
      ["a", "b"], columns: ["dn"], rows: { [$0] },
      json: { value, json in
        json.raw("{")
        json.key("dn", first: true)
        json.string(value)
        json.raw("}")
      })
    bytes += renderer.abandoned()
    let array = try #require(
      try JSONSerialization.jsonObject(with: Data(bytes)) as? [[String: Any]])
    #expect(array.count == 2)
    #expect(DirectoryRenderer(format: .csv).abandoned().isEmpty)
  }
}
