import AnchorCore
import Testing

@testable import ActiveDirectory

/// The filter that drops a parallel read's repeats, against `Set` as the oracle.
struct RepeatFilterTests {
  /// SplitMix64: the same pseudo-random GUIDs on every run.
  struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    mutating func guid() -> ObjectGUID {
      var bytes: [UInt8] = []
      for _ in 0..<2 {
        let word = next()
        for shift in stride(from: 0, to: 64, by: 8) {
          bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
        }
      }
      return ObjectGUID(bytes: bytes)!
    }
  }

  @Test(arguments: [1, 100, 5_000, 70_000])
  func admitsEachGUIDOnceThroughGrowth(count: Int) {
    var generator = Generator(state: UInt64(count))
    let guids = (0..<count).map { _ in generator.guid() }
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
