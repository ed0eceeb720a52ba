import Foundation
import TestSupport
import Testing

@testable import AnchorCore

private typealias F = Fixture

@Suite("Plan JSON")
struct PlanJSONTests {
  static let directory = [
    F.ad(1, upn: "ann@contoso.com"), F.ad(2, upn: "bob@fed.contoso.com"),
    F.ad(3, upn: "carol@contoso.com"),
    F.ad(4, upn: "dave@contoso.com", enabled: false), F.ad(5, upn: "eve@contoso.com"),
    F.ad(6, upn: "gina@contoso.com"),
    F.ad(8, upn: "Gina@contoso.com"),
    F.ad(7, upn: "quote\"and\\slash@contoso.com"),
  ]
  static let cloud = [
    F.cloud(F.id1, upn: "ann@contoso.com"),
    F.cloud(F.id2, upn: "bob@fed.contoso.com", immutableId: F.anchor(99)),
    F.cloud(F.id3, upn: "carol@contoso.com", immutableId: F.anchor(3)),
    F.cloud("aaaaaaaa-0000-0000-0000-000000000005", upn: "eve@contoso.com", role: true),
    F.cloud("aaaaaaaa-0000-0000-0000-000000000007", upn: "quote\"and\\slash@contoso.com"),
    F.cloud("aaaaaaaa-0000-0000-0000-000000000006", upn: "gina@contoso.com"),
  ]

  static func makePlan(directory: [DirectoryUser] = directory, cloud: [CloudUser] = cloud) -> Plan {
    HardMatchPlanner(settings: PlanSettings(allowRelink: true)).plan(
      directoryUsers: directory, tenant: Fixture.tenant(cloud), createdAt: "2026-11-29T01:00:00Z")
  }

  @Test func sameInputsGiveTheSameBytesInAnyOrder() {
    let first = Self.makePlan().encodeJSON()
    var random = SeededGenerator(seed: 42)
    for _ in 0..<5 {
      let shuffled = Self.makePlan(
        directory: Self.directory.shuffled(using: &random),
        cloud: Self.cloud.shuffled(using: &random))
      #expect(shuffled.encodeJSON() == first)
    }
  }

  @Test func fingerprintChangesWithTheInputs() {
    var changed = Self.cloud
    changed[0].mail = "new@contoso.com"
    #expect(Self.makePlan().inputFingerprint != Self.makePlan(cloud: changed).inputFingerprint)
    #expect(Self.makePlan().inputFingerprint.hasPrefix("sha256:"))
  }

  @Test func decodesToTheSamePlan() throws {
    let plan = Self.makePlan()
    #expect(Set(plan.items.map(\.action)) == [.link, .relink, .noop, .skip, .blocked, .conflict])
    let decoded = try Plan.decode(json: plan.encodeJSON())
    #expect(decoded == plan)
  }

  @Test func clearPlanRoundTrips() throws {
    let plan = ClearPlanner(settings: PlanSettings(allowFederatedClear: true)).plan(
      tenant: Fixture.tenant(Self.cloud), newForestUsers: Self.directory, createdAt: "t")
    #expect(try Plan.decode(json: plan.encodeJSON()) == plan)
  }

  @Test func foundationDecodesTheSameValues() throws {
    // The Codable conformance (for consumers that use Foundation) agrees with the file format.
    let plan = Self.makePlan()
    let viaFoundation = try JSONDecoder().decode(Plan.self, from: Data(plan.encodeJSON()))
    #expect(viaFoundation == plan)
    let reencoded = try JSONEncoder().encode(plan)
    #expect(try JSONDecoder().decode(Plan.self, from: reencoded) == plan)
  }

  @Test func tamperedPlanIsRefused() throws {
    let text = String(decoding: Self.makePlan().encodeJSON(), as: UTF8.self)
    let tampered = text.replacingOccurrences(
      of: "\"action\":\"blocked\"", with: "\"action\":\"link\"")
    #expect(tampered != text)
    #expect(throws: AnchorCoreError.self) { try Plan.decode(json: Array(tampered.utf8)) }
    do {
      _ = try Plan.decode(json: Array(tampered.utf8))
    } catch {
      guard case .invalidPlan(let refusal, let detail) = error else { throw error }
      #expect(refusal == .checksumMismatch)
      #expect(detail.contains("edited or damaged"))
    }
  }

  @Test("truncated plans are refused", arguments: [0.1, 0.5, 0.99])
  func truncated(_ fraction: Double) {
    let bytes = Self.makePlan().encodeJSON()
    let cut = Array(bytes.prefix(Int(Double(bytes.count) * fraction)))
    do {
      _ = try Plan.decode(json: cut)
      Issue.record("accepted a truncated plan")
    } catch {
      guard case .invalidPlan(let refusal, _) = error else {
        Issue.record("\(error)")
        return
      }
      #expect(refusal == .malformedJSON)
      #expect(error.description.contains("truncated"))
    }
  }

  @Test func otherVersionsAndKindsAreRefused() throws {
    let bytes = Self.makePlan().encodeJSON()
    let text = String(decoding: bytes, as: UTF8.self)
    let version2 = text.replacingOccurrences(
      of: "\"formatVersion\": 1", with: "\"formatVersion\": 2")
    #expect(version2 != text)
    #expect(Self.refusal(version2) == .unsupportedFormatVersion)
    #expect(Self.refusal("[1]") == .wrongType)
    #expect(Self.refusal("{\"checksum\": \"x\"}") == .missingField)
    // A different kind with a correct checksum is refused for its kind, not its checksum.
    guard case .object(var members) = try JSONParser.parse(bytes) else {
      throw AnchorCoreError.invalidConfiguration("")
    }
    members.removeAll { $0.key == "checksum" }
    members = members.map { $0.key == "kind" ? JSONMember("kind", .string("groups")) : $0 }
    members.append(JSONMember("checksum", .string(Plan.checksum(of: .object(members)))))
    #expect(
      Self.refusal(
        String(decoding: JSONWriter.encode(.object(members), pretty: true), as: UTF8.self))
        == .unsupportedKind)
  }

  static func refusal(_ text: String) -> PlanRefusal? {
    do {
      _ = try Plan.decode(json: Array(text.utf8))
      return nil
    } catch {
      if case .invalidPlan(let refusal, _) = error { return refusal }
      return nil
    }
  }

  @Test func beforeImagesWriteExplicitNulls() {
    let text = String(decoding: Self.makePlan().encodeJSON(), as: UTF8.self)
    #expect(text.contains("\"immutableId\":null"))
    #expect(text.contains("\"formatVersion\": 1"))
    #expect(text.contains("\"kind\": \"users\""))
  }

  @Test func streamedJSONIsTheCanonicalValue() throws {
    let plan = Self.makePlan()
    let bytes = plan.encodeJSON()
    let parsed = try JSONParser.parse(bytes)
    guard case .object(let members) = parsed else { throw AnchorCoreError.invalidConfiguration("") }
    let content = JSONValue.object(members.filter { $0.key != "checksum" })
    #expect(
      JSONWriter.encode(content, pretty: false) == JSONWriter.encode(plan.jsonValue, pretty: false))
    #expect(parsed["checksum"] == .string(Plan.checksum(of: plan.jsonValue)))
    // One line per item, so a reviewer's diff shows whole items.
    let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
    #expect(lines.filter { $0.hasPrefix("    {\"action\":") }.count == plan.items.count)
  }

  @Test func directItemWriterMatchesTheValueForm() {
    let clear = ClearPlanner(settings: PlanSettings(allowFederatedClear: true)).plan(
      tenant: Fixture.tenant(Self.cloud), newForestUsers: Self.directory, createdAt: "t")
    for item in Self.makePlan().items + clear.items {
      var writer = JSONWriter(pretty: false)
      item.writeCompact(into: &writer)
      #expect(writer.output == JSONWriter.encode(item.jsonValue, pretty: false), "\(item.reason)")
    }
    #expect(clear.items.contains { $0.softMatch != nil })
  }

  @Test func emptyPlanEncodes() throws {
    let plan = HardMatchPlanner().plan(
      directoryUsers: [], tenant: Fixture.tenant([]), createdAt: "t")
    #expect(try Plan.decode(json: plan.encodeJSON()) == plan)
    #expect(String(decoding: plan.encodeJSON(), as: UTF8.self).contains("\"items\": []"))
  }

  @Test func renderings() {
    let plan = Self.makePlan()
    let table = plan.renderTable()
    #expect(table.hasPrefix("ACTION"))
    #expect(table.contains("relink"))
    #expect(table.contains(plan.summaryLine))
    let markdown = plan.renderMarkdown()
    #expect(markdown.contains("# AnchorBridge plan: link users"))
    #expect(markdown.contains("| relink | 1 |"))
    #expect(markdown.contains("`cloudUserHoldsRole`"))
    #expect(markdown.contains("quote\"and\\slash"))
  }
}

@Suite("JSON and SHA-256 support")
struct SupportTests {
  @Test(
    "SHA-256 vectors (FIPS 180-4)",
    arguments: [
      ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
      ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
      (
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
      ),
    ])
  func sha256(_ text: String, _ digest: String) {
    #expect(SHA256.hex(text) == digest)
    var bytewise = SHA256()
    bytewise.update(Array(text.utf8))
    #expect(Hex.encode(bytewise.finalize()) == digest)
  }

  @Test func sha256MillionA() {
    var hasher = SHA256()
    hasher.update(String(repeating: "a", count: 1_000_000))
    #expect(
      Hex.encode(hasher.finalize())
        == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  @Test func jsonRoundTrip() throws {
    let value = JSONValue.object([
      JSONMember("b", .array([.int(-3), .bool(true), .null, .string("é \"q\" \\ \n\t\u{1}")])),
      JSONMember("a", .object([])), JSONMember("c", .array([])),
    ])
    let compact = JSONWriter.encode(value, pretty: false)
    #expect(
      String(decoding: compact, as: UTF8.self)
        == #"{"a":{},"b":[-3,true,null,"é \"q\" \\ \n\t\u0001"],"c":[]}"#)
    let parsed = try JSONParser.parse(compact)
    #expect(JSONWriter.encode(parsed, pretty: false) == compact)
    #expect(try JSONParser.parse(Array(#""\ud83d\ude00 \u00e9""#.utf8)) == .string("😀 é"))
  }

  @Test(
    "parser refuses",
    arguments: [
      "", "{", "[1,]", "{\"a\":1,\"a\":2}", "1.5", "\"\\x\"", "tru", "[1] 2", "\"\u{1}\"",
    ])
  func parserRefuses(_ text: String) {
    #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(text.utf8)) }
  }
}
