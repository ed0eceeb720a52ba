import TestSupport
import Testing

@testable import AnchorCore

/// Bad input never crashes or hangs a parser: random and mutated inputs (seeded, so a failure
/// reproduces) either parse or throw the module's typed error naming the problem.
@Suite("Fuzzed input")
struct FuzzTests {
  static let alphabet = Array(
    "0123456789abcdefABCDEF{}-=+/\\ ()*xyz\u{00e9}\u{1F600}\0\n\t".unicodeScalars)

  static func randomText(_ random: inout SeededGenerator, maxLength: Int) -> String {
    var text = String.UnicodeScalarView()
    for _ in 0..<Int.random(in: 0...maxLength, using: &random) {
      text.append(alphabet[Int.random(in: 0..<alphabet.count, using: &random)])
    }
    return String(text)
  }

  @Test("the anchor parser takes any text", arguments: [11, 12, 13] as [UInt64])
  func anchorParser(seed: UInt64) {
    var random = SeededGenerator(seed: seed)
    for _ in 0..<5_000 {
      let text = Self.randomText(&random, maxLength: 60)
      do {
        let anchor = try SourceAnchor.parse(text)
        // Whatever parsed converts back to an ImmutableID that parses to the same anchor.
        #expect(try SourceAnchor.parse(anchor.immutableId) == anchor, "\(text)")
      } catch {
        guard case .invalidAnchor(let value, let reasons) = error else {
          Issue.record("unexpected error \(error) for \(text)")
          continue
        }
        #expect(value == text && !reasons.isEmpty)
      }
    }
  }

  static func samplePlan() -> [UInt8] {
    let directory = (0..<20).map { index in
      DirectoryUser(
        source: "corp", distinguishedName: "CN=u\(index),DC=corp",
        objectGUID: ObjectGUID(bytes: (0..<16).map { UInt8(($0 * 7 + index) & 0xff) })!,
        anchor: nil, anchorSource: "objectGUID", userPrincipalName: "u\(index)@corp.example",
        enabled: true)
    }.map { user in
      var resolved = user
      resolved.anchor = SourceAnchor(guid: user.objectGUID)
      return resolved
    }
    let tenant = TenantSnapshot(
      tenantId: "t-1",
      users: (0..<20).map { CloudUser(id: "id-\($0)", userPrincipalName: "u\($0)@corp.example") },
      domains: [
        TenantDomain(name: "corp.example", authenticationType: .managed),
        TenantDomain(name: "corp.onmicrosoft.com", authenticationType: .managed, isInitial: true),
      ])
    let plan = HardMatchPlanner().plan(
      directoryUsers: directory, tenant: tenant, createdAt: "2026-11-29T00:00:00Z")
    var bytes: [UInt8] = []
    plan.writeJSON { bytes.append(contentsOf: $0) }
    return bytes
  }

  @Test("a truncated or altered plan file is refused", arguments: [21, 22] as [UInt64])
  func planLoader(seed: UInt64) throws {
    var random = SeededGenerator(seed: seed)
    let original = Self.samplePlan()
    _ = try Plan.decode(json: original)
    for round in 0..<400 {
      var bytes = original
      if round % 2 == 0 {
        bytes.removeLast(Int.random(in: 1..<bytes.count, using: &random))
      } else {
        for _ in 0..<Int.random(in: 1...3, using: &random) {
          let index = Int.random(in: 0..<bytes.count, using: &random)
          var replacement = UInt8.random(in: 0x20...0x7e, using: &random)
          if replacement == bytes[index] { replacement ^= 1 }
          bytes[index] = replacement
        }
      }
      // Changed bytes outside the content (whitespace between members) still decode to the
      // same plan; every other change is refused with a typed error.
      do {
        let plan = try Plan.decode(json: bytes)
        #expect(plan == (try Plan.decode(json: original)), "round \(round)")
      } catch {
        guard case .invalidPlan = error else {
          Issue.record("round \(round): unexpected error \(error)")
          continue
        }
      }
    }
  }

  @Test("the mapping CSV parser takes any text", arguments: [31, 32] as [UInt64])
  func mappingParser(seed: UInt64) {
    var random = SeededGenerator(seed: seed)
    for _ in 0..<2_000 {
      var text = "directory,cloud\n"
      for _ in 0..<Int.random(in: 0...4, using: &random) {
        text +=
          Self.randomText(&random, maxLength: 30) + ","
          + Self.randomText(&random, maxLength: 30) + "\n"
      }
      do {
        _ = try IdentityMapping.parseCSV(text, source: "fuzz.csv")
      } catch {
        guard case .invalidMapping(let source, let line, let message) = error else {
          Issue.record("unexpected error \(error)")
          continue
        }
        #expect(source == "fuzz.csv" && line >= 1 && !message.isEmpty)
      }
    }
  }
}
