import AnchorCore
import Foundation
import TestSupport
import Testing

extension EndToEnd {
  /// Issue 21: an edited plan with a recomputed checksum is refused without printing what would
  /// make it pass, and a plan made elsewhere is used only after an explicit, confirmed import.
  @Suite(
    .serialized,
    .enabled(if: TestDomainController.shouldRun, "needs the test DC: Scripts/dc.sh start"))
  struct PlanSealEndToEndTests {
    /// The plan with its anchors replaced by `forged` in both copies, checksum recomputed.
    static func forge(_ path: String, key: PlanSealKey?) throws -> (
      bytes: [UInt8], checksum: String
    ) {
      var plan = try Plan.decodeChecked(
        json: Array(try Data(contentsOf: URL(fileURLWithPath: path)))
      )
      .plan
      let forged = SourceAnchor(guid: ObjectGUID(bytes: [UInt8](repeating: 0x42, count: 16))!)
      for index in plan.items.indices where !plan.items[index].steps.isEmpty {
        plan.items[index].immutableId = forged
        plan.items[index].steps = plan.items[index].steps.map {
          var step = $0
          if step.immutableId != nil { step.immutableId = forged }
          return step
        }
      }
      var bytes: [UInt8] = []
      let checksum = plan.writeJSON(sealedWith: key) { bytes.append(contentsOf: $0) }
      return (bytes, checksum)
    }

    @Test func forgedPlansAreRefusedAndOnlyAConfirmedImportTakesAPlanOver() async throws {
      let rehearsal = try await Rehearsal { fixture in [try Rehearsal.twin(fixture, "alice.anders")]
      }
      defer { Task { try? await rehearsal.shutdown() } }
      let planPath = rehearsal.temp.url.appendingPathComponent("plan.json").path
      #expect(try await rehearsal.run(["plan", "--out", planPath]).status == 0)
      let sealed = try String(contentsOfFile: planPath, encoding: .utf8)
      #expect(sealed.contains("\"seal\": \"hmac-sha256:"))

      // Both copies of the anchor edited, the checksum recomputed: without a seal, or sealed
      // with another key. Refused (exit 2), the right checksum and seal never printed.
      let otherKey = PlanSealKey.generate().key
      for key in [nil, otherKey] {
        let (bytes, checksum) = try Self.forge(planPath, key: key)
        let forgedPath = try rehearsal.temp.write(
          "forged.json", String(decoding: bytes, as: UTF8.self))
        let refused = try await rehearsal.run(["apply", "--plan", forgedPath, "--yes"])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("plan import"), "\(refused.stderr)")
        #expect(!refused.stderr.contains(checksum) && !refused.stderr.contains("hmac-sha256:"))
        #expect(await rehearsal.patches().isEmpty)
      }

      // A plan from another installation: the import shows it and needs confirmation.
      var other: [UInt8] = []
      try Plan.decodeChecked(json: Array(sealed.utf8)).plan.writeJSON(sealedWith: otherKey) {
        other.append(contentsOf: $0)
      }
      let otherPath = try rehearsal.temp.write("other.json", String(decoding: other, as: UTF8.self))
      let unconfirmed = try await rehearsal.run(["plan", "import", "--plan", otherPath])
      #expect(unconfirmed.status == 2, "\(unconfirmed.stderr)")
      #expect(unconfirmed.stdout.contains("1 link"), "\(unconfirmed.stdout)")
      #expect(try await rehearsal.run(["apply", "--plan", otherPath, "--yes"]).status == 2)
      let imported = try await rehearsal.run(["plan", "import", "--plan", otherPath, "--yes"])
      #expect(imported.status == 0, "\(imported.stderr)")
      #expect(try String(contentsOfFile: otherPath, encoding: .utf8) == sealed)
      let apply = try await rehearsal.run(["apply", "--plan", otherPath, "--yes"])
      #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
      #expect(await rehearsal.patches().count == 1)

      // A damaged plan is not imported.
      let damaged = try rehearsal.temp.write(
        "damaged.json", sealed.replacingOccurrences(of: "alice.anders", with: "mallory"))
      let refusedImport = try await rehearsal.run(["plan", "import", "--plan", damaged, "--yes"])
      #expect(refusedImport.status == 2)
      #expect(refusedImport.stderr.contains("checksum"))
    }
  }
}
