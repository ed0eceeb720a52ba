import TestSupport
import Testing

@testable import AnchorCore

/// Items made by `HardMatchPlanner` read their sides from the planner's inputs (`PlanItem.Sides`);
/// items built by hand or decoded hold them. Both must show, compare, hash and change alike.
@Suite("Plan items: sides read from the inputs or held")
struct PlanItemStorageTests {
  /// The same item, holding every side itself (as `Plan.decode` or another planner builds it).
  static func held(_ item: PlanItem) -> PlanItem {
    PlanItem(
      action: item.action, reason: item.reason, explanation: item.explanation, cloud: item.cloud,
      directory: item.directory, matchedBy: item.matchedBy, immutableId: item.immutableId,
      before: item.before, steps: item.steps, involved: item.involved,
      diagnostics: item.diagnostics, softMatch: item.softMatch)
  }

  static let plans = GoldenCorpus(count: 900, seed: 7).plans().map(\.plan)

  @Test func plannedItemsEqualTheirHeldCopies() throws {
    let plan = try #require(Self.plans.first)
    let actions = Set(plan.items.map(\.action))
    #expect(actions.isSuperset(of: [.link, .noop, .blocked, .conflict, .skip]))
    for item in plan.items {
      let copy = Self.held(item)
      #expect(copy == item)
      #expect(copy.hashValue == item.hashValue)
      #expect(copy.before == item.before)
      #expect(copy.steps == item.steps)
    }
    // Whole plans: a decoded plan holds every side and still equals the planned one.
    let decoded = try Plan.decode(json: plan.encodeJSON())
    #expect(decoded == plan)
  }

  @Test func linkItemsShowTheirStepAndBeforeImage() throws {
    let plan = try #require(Self.plans.first)
    let link = try #require(plan.items.first { $0.action == .link && $0.steps.count == 1 })
    let step = try #require(link.steps.first)
    #expect(step.kind == .setImmutableId)
    #expect(step.immutableId == link.immutableId)
    #expect(link.before == step.expect)
    #expect(step.expect.userPrincipalName == link.cloud?.userPrincipalName)
    let noop = try #require(plan.items.first { $0.action == .noop })
    #expect(noop.steps.isEmpty)
    #expect(noop.before?.immutableId == noop.immutableId)
    let skip = try #require(plan.items.first { $0.action == .skip })
    #expect(skip.before == nil && skip.steps.isEmpty && skip.cloud == nil)
    #expect(skip.directory != nil)
  }

  /// Every setter on a planned item does what it does on a held one; a changed ImmutableID does
  /// not rewrite the step planned with the old one.
  @Test func changesApplyAlike() throws {
    let plan = try #require(Self.plans.first)
    let other = Fixture.anchor(999)
    let changes: [(String, (inout PlanItem) -> Void)] = [
      ("immutableId", { $0.immutableId = other }),
      ("before nil", { $0.before = nil }),
      (
        "before set",
        {
          $0.before = BeforeImage(
            immutableId: other, userPrincipalName: "x@contoso.com", onPremisesSyncEnabled: nil)
        }
      ),
      ("steps", { $0.steps = [] }),
      ("cloud", { $0.cloud = nil }),
      ("directory", { $0.directory = nil }),
      ("action", { $0.action = .blocked }),
      ("compact", { $0.compactBefore() }),
    ]
    let samples = PlanAction.allCases.compactMap { action in
      plan.items.first { $0.action == action }
    }
    for sample in samples {
      for (name, change) in changes {
        var planned = sample
        var held = Self.held(sample)
        change(&planned)
        change(&held)
        #expect(planned == held, "\(name) on \(sample.action)")
        #expect(planned.encodeJSONForTest() == held.encodeJSONForTest(), "\(name)")
      }
    }
    var link = try #require(plan.items.first { $0.action == .link && $0.steps.count == 1 })
    let planned = try #require(link.immutableId)
    link.immutableId = other
    #expect(link.steps.first?.immutableId == planned)
  }

  @Test(
    "the bucket sort gives the standard sort's order",
    arguments: [
      ("random", 50_000), ("few", 100), ("skewed", 20_000), ("repeated", 30_000),
    ])
  func guidOrder(_ shape: (String, Int)) {
    var random = SeededGenerator(seed: 11)
    var keys: [GUIDKey] = []
    for position in 0..<shape.1 {
      var high = random.next()
      var low = random.next()
      switch shape.0 {
      case "skewed": high = UInt64(position % 300)  // one bucket: the standard sort's path
      case "repeated": (high, low) = (high & 0xFFFF_0000_0000_0000, low % 3)  // ties
      default: break
      }
      keys.append(GUIDKey(high: high, low: low, position: Int32(position)))
    }
    keys.shuffle(using: &random)
    let expected = keys.sorted(by: GUIDKey.precedes).map(\.position)
    var sorted = keys
    sortByGUID(&sorted)
    #expect(sorted.map(\.position) == expected)
  }
}

extension PlanItem {
  /// The item's canonical JSON (as a plan writes it).
  fileprivate func encodeJSONForTest() -> [UInt8] {
    var writer = JSONWriter(pretty: false)
    writeCompact(into: &writer)
    return writer.output
  }
}
