import AnchorCore
import TestSupport
import Testing

@testable import ActiveDirectory

/// The filter that drops a parallel read's repeats, against `Set` as the oracle.
struct RepeatFilterTests {
  /// The same pseudo-random GUIDs on every run.
  static func guids(_ count: Int) -> [ObjectGUID] {
    var random = SeededGenerator(seed: UInt64(count))
    return (0..<count).map { _ in
      ObjectGUID(bytes: (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &random) })!
    }
  }

  @Test(arguments: [1, 100, 5_000, 70_000])
  func admitsEachGUIDOnceThroughGrowth(count: Int) {
    let guids = Self.guids(count)
    // Every GUID offered twice, the repeats interleaved with first offers, as a read delivers them.
    var offers = guids
    for (index, guid) in guids.enumerated() where index % 3 == 0 { offers.insert(guid, at: index) }
    offers += guids.reversed()
    var filter = RepeatFilter(active: true)
    var oracle = Set<ObjectGUID>()
    var admitted = 0
    for guid in offers {
      let expected = oracle.insert(guid).inserted
      let got = filter.admits(guid)
      #expect(got == expected)
      if got { admitted += 1 }
    }
    #expect(admitted == count)
  }

  /// Keys that differ in one word only, and the all-zero GUID (the table's empty mark).
  @Test func nearKeysAndTheZeroGUIDAreTheirOwn() {
    let zero = ObjectGUID(bytes: [UInt8](repeating: 0, count: 16))!
    let lowOnly = ObjectGUID(bytes: [UInt8](repeating: 0, count: 15) + [1])!
    let highOnly = ObjectGUID(bytes: [1] + [UInt8](repeating: 0, count: 15))!
    let swapped = ObjectGUID(
      bytes: [UInt8](repeating: 0, count: 7) + [1] + [UInt8](repeating: 0, count: 8))!
    var filter = RepeatFilter(active: true)
    let first = [zero, lowOnly, highOnly, swapped].map { filter.admits($0) }
    let again = [zero, lowOnly, highOnly, swapped].map { filter.admits($0) }
    #expect(first == [true, true, true, true])
    #expect(again == [false, false, false, false])
  }

  @Test func inactiveAdmitsEverything() {
    let guid = ObjectGUID(bytes: [UInt8](1...16))!
    var filter = RepeatFilter(active: false)
    let offers = [filter.admits(guid), filter.admits(guid)]
    #expect(offers == [true, true])
  }
}
