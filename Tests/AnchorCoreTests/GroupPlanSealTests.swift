import Testing

@testable import AnchorCore

/// Issue 21: group plans are sealed like user plans.
@Suite("Group plan seal")
struct GroupPlanSealTests {
  static let key = PlanSealKey(bytes: Array(repeating: 7, count: 32))!
  static let otherKey = PlanSealKey(bytes: Array(repeating: 9, count: 32))!

  static func refusal(_ bytes: [UInt8]) -> (PlanRefusal, String)? {
    do {
      _ = try GroupPlan.decodeFile(bytes, sealedWith: key)
      return nil
    } catch {
      if case .invalidPlan(let refusal, let detail) = error { return (refusal, detail) }
      return nil
    }
  }

  @Test func aSealedGroupPlanRoundTripsAndDiffersFromTheUnsealedOnlyByItsSeal() throws {
    let plan = try #require(GroupPlanFileTests.plans.first)
    let sealed = plan.encodeFile(sealedWith: Self.key)
    #expect(try GroupPlan.decodeFile(sealed, sealedWith: Self.key) == plan)
    #expect(try GroupPlan.decodeFile(sealed) == plan)
    let text = String(decoding: sealed, as: UTF8.self)
    #expect(text.contains("\"seal\": \"hmac-sha256:"))
    let unsealed = String(decoding: plan.encodeFile(), as: UTF8.self)
    #expect(
      text.split(separator: "\n").filter { !$0.contains("\"seal\"") }
        == unsealed.split(separator: "\n"))
  }

  @Test func anotherKeyAMissingSealOrARecomputedChecksumIsRefused() throws {
    let plan = try #require(GroupPlanFileTests.plans.first)
    #expect(Self.refusal(plan.encodeFile(sealedWith: Self.otherKey))?.0 == .sealMismatch)
    #expect(Self.refusal(plan.encodeFile())?.0 == .sealMismatch)
    // Edited, checksum recomputed by the forger, seal kept: refused, no checksum or seal shown.
    var edited = plan
    edited.tenant = "t2"
    guard case .object(var members) = try JSONParser.parse(edited.encodeFile()) else {
      throw AnchorCoreError.invalidConfiguration("not an object")
    }
    guard case .object(let original) = try JSONParser.parse(plan.encodeFile(sealedWith: Self.key))
    else { throw AnchorCoreError.invalidConfiguration("not an object") }
    members += original.filter { $0.key == "seal" }
    let forged = JSONWriter.encode(.object(members), pretty: true)
    let (refusal, detail) = try #require(Self.refusal(forged))
    #expect(refusal == .sealMismatch)
    #expect(!detail.contains("sha256:"))
  }

  @Test func aChecksumRefusalNamesNoChecksum() throws {
    let plan = try #require(GroupPlanFileTests.plans.first)
    let text = String(decoding: plan.encodeFile(sealedWith: Self.key), as: UTF8.self)
    let edited = text.replacingOccurrences(of: "\"tenant\": \"t1\"", with: "\"tenant\": \"t2\"")
    #expect(edited != text)
    let (refusal, detail) = try #require(Self.refusal(Array(edited.utf8)))
    #expect(refusal == .checksumMismatch)
    #expect(!detail.contains("sha256:"))
  }
}
