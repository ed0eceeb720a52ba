import Testing

@testable import AnchorCore

@Suite("Mapping CSV")
struct IdentityMappingTests {
  @Test func parsesEveryForm() throws {
    let csv = """
      directory,cloud
      # comment line
      "CN=Smith\\, Ann,OU=Users,DC=corp,DC=example",ann@contoso.com
      "dn:CN=bob,DC=corp",upn:bob@contoso.com
      carol,aaaaaaaa-0000-0000-0000-000000000001
      dave@corp.local , id:bbbbbbbb-0000-0000-0000-000000000002

      sam:eve@weird,upn:eve@contoso.com\r
      """
    let mapping = try IdentityMapping.parseCSV(csv, source: "map.csv")
    #expect(
      mapping.map(\.directory) == [
        .distinguishedName("CN=Smith\\, Ann,OU=Users,DC=corp,DC=example"),
        .distinguishedName("CN=bob,DC=corp"),
        .samAccountName("carol"), .userPrincipalName("dave@corp.local"),
        .samAccountName("eve@weird"),
      ])
    #expect(
      mapping.map(\.cloud) == [
        .userPrincipalName("ann@contoso.com"), .userPrincipalName("bob@contoso.com"),
        .objectId("aaaaaaaa-0000-0000-0000-000000000001"),
        .objectId("bbbbbbbb-0000-0000-0000-000000000002"),
        .userPrincipalName("eve@contoso.com"),
      ])
    #expect(
      mapping.map(\.origin) == ["map.csv:3", "map.csv:4", "map.csv:5", "map.csv:6", "map.csv:8"])
  }

  @Test(
    "errors carry the line number",
    arguments: [
      ("a,b@c\nonly-one-column\n", 2, "expected 2 columns"),
      ("a,b@c\nx,y,z\n", 2, "found 3"),
      ("a,not-a-user\n", 1, "neither an object id"),
      (",b@c\n", 1, "directory user is empty"),
      ("a,b@c\n\"unterminated,b@c\n", 2, "unterminated"),
      ("a,b@c\nA,c@d\n", 2, "already mapped on line 1"),
      ("a\"b,c@d\n", 1, "quote inside"),
      ("\"a\"b,c@d\n", 1, "after a closing quote"),
    ])
  func errors(_ csv: String, _ line: Int, _ fragment: String) {
    do {
      _ = try IdentityMapping.parseCSV(csv, source: "map.csv")
      Issue.record("accepted")
    } catch {
      guard case .invalidMapping(let source, let errorLine, let message) = error else {
        Issue.record("wrong error \(error)")
        return
      }
      #expect(source == "map.csv")
      #expect(errorLine == line)
      #expect(message.contains(fragment), "\(message)")
      #expect(error.description.hasPrefix("map.csv:\(line): "))
    }
  }

  @Test func quotedNewlinesKeepLineNumbers() throws {
    let mapping = try IdentityMapping.parseCSV("\"CN=a\nb,DC=x\",a@b\nc,d@e\n", source: "m")
    #expect(mapping.map(\.origin) == ["m:1", "m:3"])
  }
}
