import Foundation
import Testing

@testable import anchorbridge

/// Issue 21: the configuration loader is bounded before Yams composes anything, and its errors
/// name line and column, never the file's lines (one could hold an inline secret).
@Suite struct YAMLBoundsTests {
  static func refusal(_ yaml: String) -> String? {
    do {
      _ = try Configuration(yaml: yaml, file: "c.yaml")
      return nil
    } catch {
      return error.description
    }
  }

  /// Refused quickly: unbounded, these inputs spin for minutes; the margin is for a loaded machine.
  static func refusedFast(_ yaml: String) -> String? {
    let clock = ContinuousClock()
    var message: String?
    let elapsed = clock.measure { message = refusal(yaml) }
    #expect(elapsed < .seconds(30), "took \(elapsed)")
    return message
  }

  @Test func aliasesUsedAsMappingKeysAreRefusedAtOnce() throws {
    var yaml = "a: &a [x, x, x, x, x, x, x, x]\n"
    for level in ["b", "c", "d", "e", "f", "g"] {
      let previous = yaml.split(separator: "\n").last!.first!
      yaml += "\(level): &\(level) {*\(previous): 1, ? *\(previous) : 2}\n"
    }
    #expect(yaml.utf8.count < 700)
    let message = try #require(Self.refusedFast(yaml))
    #expect(message.contains("key must be plain text"), "\(message)")
    #expect(message.contains("line 2"), "\(message)")
  }

  @Test func aliasExpansionIsBounded() throws {
    var yaml = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for level in 1...9 {
      let items = Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ")
      yaml += "l\(level): &l\(level) [\(items)]\n"
    }
    let message = try #require(Self.refusedFast(yaml))
    #expect(message.contains("aliases expand to more than"), "\(message)")
  }

  @Test func depthAndSizeAreBounded() throws {
    let deep = "a: " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
    #expect(try #require(Self.refusedFast(deep)).contains("nested deeper than"))
    let large = String(repeating: "# padding\n", count: 200_000) + "state: { dir: /x }\n"
    #expect(try #require(Self.refusedFast(large)).contains("larger than"))
  }

  @Test(arguments: [
    "tenant:\n  id: x\n  auth: { clientSecret: \"hunter2-INLINE\"\n  clientId: y\n",
    "tenant:\n  password: hunter2-INLINE\n  other: *undefined\n",
    "tenant: [hunter2-INLINE\n",
    "a: 'hunter2-INLINE\n",
  ])
  func syntaxErrorsNameLineAndColumnButNotTheLines(_ yaml: String) throws {
    let message = try #require(Self.refusal(yaml))
    #expect(!message.contains("hunter2"), "\(message)")
    #expect(message.contains("line "), "\(message)")
  }

  @Test func anchorsAndMergeKeysStillLoad() throws {
    #expect(
      Self.refusal(
        "state: &s { dir: /var/lib/anchorbridge }\nreport: { dir: /var/lib/anchorbridge/reports }\n"
      ) == nil)
  }
}
