import Testing

@testable import AnchorCore

/// Issue 21: an edited plan can't be made to pass, and the refusal never shows the value that would.
@Suite("Plan seal and item cross-checks")
struct PlanSealTests {
  static let key = PlanSealKey(bytes: Array(repeating: 7, count: 32))!
  static let otherKey = PlanSealKey(bytes: Array(repeating: 9, count: 32))!

  static func sealed(_ plan: Plan = PlanJSONTests.makePlan(), key: PlanSealKey = key) -> [UInt8] {
    var bytes: [UInt8] = []
    plan.writeJSON(sealedWith: key) { bytes.append(contentsOf: $0) }
    return bytes
  }

  /// What a forger does: edit the document, recompute the checksum, keep the old seal.
  static func forge(_ bytes: [UInt8], _ edit: (inout [JSONMember]) -> Void) throws -> [UInt8] {
    guard case .object(var members) = try JSONParser.parse(bytes) else {
      throw AnchorCoreError.invalidConfiguration("not an object")
    }
    edit(&members)
    let content = JSONValue.object(members.filter { $0.key != "checksum" && $0.key != "seal" })
    members.removeAll { $0.key == "checksum" }
    members.append(JSONMember("checksum", .string(Plan.checksum(of: content))))
    return JSONWriter.encode(.object(members), pretty: true)
  }

  /// Applies `change` to the first item whose `steps` satisfy `where`.
  static func editItem(
    _ members: inout [JSONMember], where wanted: ([JSONValue]) -> Bool,
    _ change: (inout [JSONMember]) -> Void
  ) {
    guard let at = members.firstIndex(where: { $0.key == "items" }),
      case .array(var items) = members[at].value
    else { return }
    for index in items.indices {
      guard case .object(var item) = items[index],
        case .array(let steps)? = JSONValue.object(item)["steps"], wanted(steps)
      else { continue }
      change(&item)
      items[index] = .object(item)
      members[at].value = .array(items)
      return
    }
  }

  static func refusal(_ bytes: [UInt8], key: PlanSealKey = key) -> (PlanRefusal, String)? {
    do {
      _ = try Plan.decodeSealed(json: bytes, sealedWith: key)
      return nil
    } catch {
      if case .invalidPlan(let refusal, let detail) = error { return (refusal, detail) }
      return nil
    }
  }

  static func stepKinds(_ steps: [JSONValue]) -> [String] {
    steps.compactMap { if case .string(let kind)? = $0["kind"] { kind } else { nil } }
  }

  @Test func aSealedPlanRoundTripsAndDiffersFromTheUnsealedOnlyByItsSeal() throws {
    let plan = PlanJSONTests.makePlan()
    let bytes = Self.sealed(plan)
    let (decoded, checksum) = try Plan.decodeSealed(json: bytes, sealedWith: Self.key)
    #expect(decoded == plan)
    #expect(checksum == plan.writeJSON { _ in })
    // The seal is one more top-level member; without a key the file has no seal and the same lines.
    let text = String(decoding: bytes, as: UTF8.self)
    #expect(text.contains("\"seal\": \"hmac-sha256:"))
    let unsealed = String(decoding: plan.encodeJSON(), as: UTF8.self)
    #expect(!unsealed.contains("\"seal\""))
    #expect(
      text.split(separator: "\n").filter { !$0.contains("\"seal\"") }
        == unsealed.split(separator: "\n"))
  }

  @Test func anotherInstallationsOrAMissingSealIsRefused() {
    #expect(Self.refusal(Self.sealed(key: Self.otherKey))?.0 == .sealMismatch)
    #expect(Self.refusal(PlanJSONTests.makePlan().encodeJSON())?.0 == .sealMismatch)
    // The checksum alone still reads (for `plan import`).
    #expect((try? Plan.decodeChecked(json: Self.sealed(key: Self.otherKey))) != nil)
  }

  @Test func aForgedImmutableIdWithARecomputedChecksumIsRefusedWithoutTheValueThatWouldPass()
    throws
  {
    let original = Self.sealed()
    let forged = F.anchor(77).immutableId
    let bytes = try Self.forge(original) { members in
      Self.editItem(&members, where: { Self.stepKinds($0) == ["setImmutableId"] }) { item in
        item = item.map { member in
          switch member.key {
          case "immutableId": return JSONMember("immutableId", .string(forged))
          case "steps":
            guard case .array(let steps) = member.value, case .object(var step) = steps[0] else {
              return member
            }
            step = step.map { $0.key == "immutableId" ? JSONMember($0.key, .string(forged)) : $0 }
            return JSONMember("steps", .array([.object(step)]))
          default: return member
          }
        }
      }
    }
    #expect(String(decoding: bytes, as: UTF8.self).contains(forged))
    let (refusal, detail) = try #require(Self.refusal(bytes))
    #expect(refusal == .sealMismatch)
    // Nothing in the refusal would make the forged file pass: no checksum, no seal.
    let rightSeal = Self.key.seal(
      kind: "users", checksum: try Plan.decodeChecked(json: bytes).checksum)
    #expect(!detail.contains("sha256:") && !detail.contains("hmac-sha256:"))
    #expect(!detail.contains(rightSeal))
  }

  @Test func aChecksumRefusalNamesNoChecksum() throws {
    let text = String(decoding: Self.sealed(), as: UTF8.self)
      .replacingOccurrences(of: "\"action\":\"blocked\"", with: "\"action\":\"link\"")
    let (refusal, detail) = try #require(Self.refusal(Array(text.utf8)))
    #expect(refusal == .checksumMismatch)
    #expect(detail.contains("edited or damaged"))
    #expect(!detail.contains("sha256:"))
  }

  /// Each duplicated value edited on one side only (checksum recomputed): refused for the item.
  @Test(
    "an item whose copies of a value disagree is refused",
    arguments: [
      "step ImmutableID", "item ImmutableID", "final UPN", "middle expectation", "before-image",
      "clear names an anchor",
    ])
  func inconsistentItems(_ edit: String) throws {
    let forged = JSONValue.string(F.anchor(77).immutableId)
    let federated = [
      "setUserPrincipalName", "setImmutableId", "setUserPrincipalNameAndImmutableId",
    ]
    let bytes = try Self.forge(Self.sealed()) { members in
      switch edit {
      case "step ImmutableID", "clear names an anchor", "before-image":
        let kinds = edit == "clear names an anchor" ? ["clearImmutableId"] : ["setImmutableId"]
        if edit == "clear names an anchor" { Self.makeClear(&members) }
        Self.editItem(&members, where: { Self.stepKinds($0) == kinds }) { item in
          if edit == "before-image" {
            Self.set(
              &item, "before",
              .object([
                JSONMember("immutableId", .null),
                JSONMember("onPremisesSyncEnabled", .null),
                JSONMember("userPrincipalName", .string("someone@contoso.com")),
              ]))
            return
          }
          Self.editStep(&item, 0) { Self.set(&$0, "immutableId", forged) }
        }
      case "item ImmutableID":
        Self.editItem(&members, where: { Self.stepKinds($0) == ["setImmutableId"] }) { item in
          item = item.map { $0.key == "immutableId" ? JSONMember($0.key, forged) : $0 }
        }
      case "final UPN":
        Self.editItem(&members, where: { Self.stepKinds($0) == federated }) { item in
          Self.editStep(&item, 2) { step in
            step = step.map {
              $0.key == "userPrincipalName"
                ? JSONMember($0.key, .string("mallory@contoso.com")) : $0
            }
          }
        }
      default:
        Self.editItem(&members, where: { Self.stepKinds($0) == federated }) { item in
          Self.editStep(&item, 1) { step in
            step = step.map { member in
              guard member.key == "expect", case .object(let expect) = member.value else {
                return member
              }
              return JSONMember(
                "expect",
                .object(
                  expect.map {
                    $0.key == "userPrincipalName"
                      ? JSONMember($0.key, .string("elsewhere@contoso.onmicrosoft.com")) : $0
                  }))
            }
          }
        }
      }
    }
    do {
      _ = try Plan.decodeChecked(json: bytes)
      Issue.record("accepted an inconsistent item (\(edit))")
    } catch {
      guard case .invalidPlan(let refusal, let detail) = error else { throw error }
      #expect(refusal == .inconsistentItem, "\(edit): \(detail)")
      #expect(detail.hasPrefix("item "))
    }
  }

  /// Swaps the document's items for a clear plan's (same header), for the clear-step case.
  static func makeClear(_ members: inout [JSONMember]) {
    let plan = ClearPlanner(settings: PlanSettings(allowFederatedClear: true)).plan(
      tenant: Fixture.tenant(PlanJSONTests.cloud), newForestUsers: PlanJSONTests.directory,
      createdAt: "t")
    guard case .object(let clear) = plan.jsonValue else { return }
    members = clear
  }

  static func editStep(
    _ item: inout [JSONMember], _ index: Int, _ change: (inout [JSONMember]) -> Void
  ) {
    item = item.map { member in
      guard member.key == "steps", case .array(var steps) = member.value,
        case .object(var step) = steps[index]
      else { return member }
      change(&step)
      steps[index] = .object(step)
      return JSONMember("steps", .array(steps))
    }
  }

  /// Replaces the member `key`, or adds it.
  static func set(_ members: inout [JSONMember], _ key: String, _ value: JSONValue) {
    members.removeAll { $0.key == key }
    members.append(JSONMember(key, value))
  }

  @Test func theKeyNeverPrints() {
    #expect("\(Self.key)" == "<redacted>")
    #expect(PlanSealKey(bytes: [1, 2, 3]) == nil)
    let (generated, bytes) = PlanSealKey.generate()
    #expect(bytes.count == 32 && "\(generated)" == "<redacted>")
  }
}

private typealias F = Fixture
