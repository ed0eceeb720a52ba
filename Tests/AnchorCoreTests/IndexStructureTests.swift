import TestSupport
import Testing

@testable import AnchorCore

@Suite("Case folding and the planners' hash indexes")
struct IndexStructureTests {
  @Test(
    "equal ignoring case",
    arguments: [
      ("ann@contoso.com", "ANN@Contoso.COM"),
      ("averyveryverylongname.with.dots@x.com", "AVERYVERYVERYLONGNAME.WITH.DOTS@X.COM"),
      ("j\u{FC}rgen@contoso.com", "J\u{DC}RGEN@CONTOSO.COM"),  // ü / Ü
      ("\u{212A}im@contoso.com", "kim@contoso.com"),  // Kelvin sign lowercases to ASCII k
      ("\u{130}lker@x.com", "i\u{307}lker@x.com"),  // İ lowercases to i + combining dot
      ("", ""),
      ("@", "@"),
    ])
  func foldedEqual(_ pair: (String, String)) {
    #expect(CaseFolding.equal(pair.0, pair.1))
    #expect(CaseFolding.equal(pair.1, pair.0))
    #expect(CaseFolding.hash(pair.0) == CaseFolding.hash(pair.1))
    #expect(CaseInsensitiveKey(pair.0) == CaseInsensitiveKey(pair.1))
    #expect(CaseInsensitiveKey(pair.0).hashValue == CaseInsensitiveKey(pair.1).hashValue)
  }

  @Test(
    "different ignoring case",
    arguments: [
      ("ann@contoso.com", "ann@contoso.co"),
      ("ann@contoso.com", "anm@contoso.com"),
      ("[", "{"),  // '[' + 0x20 is '{': only A-Z fold
      ("@", "`"),
      ("averyveryverylongname.with.dots@x.com", "averyveryverylongname.with.dotz@x.com"),
      ("j\u{FC}rgen@x.com", "jurgen@x.com"),
      ("caf\u{E9}@x.com", "cafe\u{301}@x.com"),  // precomposed vs decomposed: bytes differ
    ])
  func foldedDifferent(_ pair: (String, String)) {
    #expect(!CaseFolding.equal(pair.0, pair.1))
    #expect(!CaseFolding.equal(pair.1, pair.0))
    #expect(CaseFolding.hash(pair.0) != CaseFolding.hash(pair.1))
  }

  @Test func substringsHashLikeStrings() {
    let address = "SMTP:Ann.B@Contoso.com"
    #expect(CaseFolding.hash(address.dropFirst(5)) == CaseFolding.hash("ann.b@contoso.com"))
    #expect(CaseFolding.equal(address.dropFirst(5), "ANN.B@CONTOSO.COM"))
    let accented = "x:J\u{DC}RGEN@x.com"
    #expect(CaseFolding.hash(accented.dropFirst(2)) == CaseFolding.hash("j\u{FC}rgen@x.com"))
  }

  /// Every entry under the same few hashes: tags collide, probe runs wrap around the table's end
  /// and the table grows several times; entries must come back complete and in insertion order.
  @Test func hashSlotsWithCollidingHashes() {
    var slots = HashSlots()
    let hashes: [UInt64] = [0, 0xFFFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF_0000_0001]
    for entry in 0..<Int32(400) { slots.insert(hashes[Int(entry) % hashes.count], entry) }
    #expect(slots.count == 400)
    for (offset, hash) in hashes.enumerated() {
      var found: [Int32] = []
      slots.forEachCandidate(hash) {
        found.append($0)
        return true
      }
      // Candidates are entries with the same 32-bit tag: the last two hashes share theirs.
      let expected = (0..<Int32(400)).filter { hashes[Int($0) % hashes.count] >> 32 == hash >> 32 }
      #expect(found == expected, "hash \(offset)")
    }
    var none: [Int32] = []
    slots.forEachCandidate(0x1234_5678_9ABC_DEF0) {
      none.append($0)
      return true
    }
    #expect(none.isEmpty)
  }

  @Test func hashSlotsStopWhenAsked() {
    var slots = HashSlots(expectedCount: 4)
    for entry in 0..<Int32(10) { slots.insert(42, entry) }
    var seen: [Int32] = []
    slots.forEachCandidate(42) {
      seen.append($0)
      return seen.count < 3
    }
    #expect(seen == [0, 1, 2])
  }

  @Test func hashSlotsKeepManyDistinctKeys() {
    var slots = HashSlots()
    var random = SeededGenerator(seed: 3)
    let hashes = (0..<20_000).map { _ in random.next() }
    for (entry, hash) in hashes.enumerated() { slots.insert(hash, Int32(entry)) }
    for (entry, hash) in hashes.enumerated() {
      var found = false
      slots.forEachCandidate(hash) {
        if $0 == Int32(entry) { found = true }
        return !found
      }
      #expect(found)
    }
  }

  /// Keys listed with owners, every key hashed to one value: the index must still tell keys apart
  /// by comparing them, keep duplicates per object once, and name collisions.
  struct CollidingKeys: IndexKeys {
    var texts: [String]
    var owners: [Int32]
    func entry(_ entry: Int32, matches key: String) -> Bool {
      CaseFolding.equal(texts[Int(entry)], key)
    }
    func entry(_ entry: Int32, sameKeyAs other: Int32) -> Bool {
      CaseFolding.equal(texts[Int(entry)], texts[Int(other)])
    }
    func position(_ entry: Int32) -> Int32 { owners[Int(entry)] }
    func key(_ entry: Int32) -> String { texts[Int(entry)] }
  }

  @Test func positionIndexComparesKeysBehindCollidingHashes() {
    let keys = CollidingKeys(
      texts: ["a@x", "b@x", "A@X", "c@x", "a@x", "B@x", "\u{212A}@x", "k@x"],
      owners: [0, 1, 2, 3, 2, 5, 6, 7])
    var index = PositionIndex(keys: keys)
    for entry in 0..<Int32(keys.texts.count) { index.insert(entry, hash: 7) }
    #expect(index.lookup("a@X", hash: 7).positions == [0, 2])  // entry 4 is object 2 again
    #expect(index.lookup("b@x", hash: 7).positions == [1, 5])
    #expect(index.lookup("c@x", hash: 7).positions == [3])
    #expect(index.lookup("K@X", hash: 7).positions == [6, 7])
    #expect(index.lookup("d@x", hash: 7).isEmpty)
    #expect(index.lookup("a@x", hash: 7 | 1 << 40).isEmpty)  // another tag: nothing compared
    #expect(index.shared("c@x", hash: 7) == nil)
    #expect(index.shared("B@X", hash: 7) == [1, 5])
    let collisions = index.collisions.map { (keys.texts[Int($0.second)], $0.positions) }
    #expect(collisions.map(\.0) == ["A@X", "B@x", "k@x"])
    #expect(collisions.map(\.1) == [[0, 2], [1, 5], [6, 7]])
  }

  /// Entries of an object out of position order: an object's repeat is still kept once (the
  /// index checks only the last entry while positions arrive in order).
  @Test func positionIndexKeepsOutOfOrderRepeatsOnce() {
    let keys = CollidingKeys(
      texts: ["a@x", "a@x", "a@x", "A@x", "a@X"], owners: [5, 3, 4, 3, 4])
    var index = PositionIndex(keys: keys)
    for entry in 0..<Int32(keys.texts.count) { index.insert(entry, hash: 7) }
    #expect(index.lookup("a@x", hash: 7).positions == [5, 3, 4])
  }

  /// The probes' in-place comparison: ASCII keys found or not found, and a candidate whose key
  /// is not ASCII handed back (-2) to the general comparison, which folds the Kelvin sign.
  @Test func cloudIndexComparesASCIIKeysInPlace() {
    let users = ["ann@x.com", "\u{212A}im@x.com", "bob@x.com"].enumerated().map {
      CloudUser(id: "id\($0.offset)", userPrincipalName: $0.element)
    }
    var index = PositionIndex(keys: CloudKeys(users: users, field: .upn), capacity: 3)
    for (position, user) in users.enumerated() {
      index.insert(Int32(position), hash: CaseFolding.hash(user.userPrincipalName))
    }
    func probe(_ text: String) -> Int32 {
      let hash = CaseFolding.hash(text)
      var text = text
      return text.withUTF8 { index.firstEntry(ascii: $0, hash: hash) }
    }
    #expect(probe("ANN@x.com") == 0)
    #expect(probe("bob@X.COM") == 2)
    #expect(probe("eve@x.com") == -1)
    #expect(probe("kim@x.com") == -2)
    #expect(index.firstEntry("kim@x.com", hash: CaseFolding.hash("kim@x.com")) == 1)
  }

  @Test func positionIndexWithoutDuplicatesSharesNothing() {
    let keys = CollidingKeys(texts: ["a@x", "b@x"], owners: [0, 1])
    var index = PositionIndex(keys: keys, capacity: 2)
    index.insert(0, hash: CaseFolding.hash("a@x"))
    index.insert(1, hash: CaseFolding.hash("b@x"))
    #expect(index.lookup("A@x").positions == [0])
    #expect(index.shared("a@x") == nil)
    #expect(index.collisions.isEmpty)
  }

  @Test func anchorsHashByValue() {
    let guid = Fixture.anchor(1)
    #expect(guid.indexHash == SourceAnchor(immutableId: guid.immutableId).indexHash)
    #expect(guid.indexHash != Fixture.anchor(2).indexHash)
    #expect(SourceAnchor(opaque: "emp1").indexHash != SourceAnchor(opaque: "EMP1").indexHash)
  }

  @Test func domainTableFindsFederatedUPNs() {
    let table = DomainTable([
      TenantDomain(name: "contoso.com", authenticationType: .managed),
      TenantDomain(name: "Fed.Contoso.com", authenticationType: .federated),
      TenantDomain(name: "late.contoso.com", authenticationType: .federated),
      TenantDomain(name: "LATE.contoso.com", authenticationType: .managed),  // the later one wins
      TenantDomain(name: "b\u{FC}cher.example", authenticationType: .federated),
    ])
    #expect(table.hasFederated)
    #expect(table.isFederated(upn: "ann@FED.contoso.COM"))
    #expect(table.isFederated(upn: "a@b@fed.contoso.com"))
    #expect(!table.isFederated(upn: "ann@fed.contoso.com.evil"))
    #expect(!table.isFederated(upn: "ann@late.contoso.com"))
    #expect(!table.isFederated(upn: "fed.contoso.com"))
    #expect(!table.isFederated(upn: "ann@contoso.com"))
    // Non-ASCII names and UPNs take the Unicode path, with the same answers.
    #expect(table.isFederated(upn: "ann@B\u{DC}CHER.example"))
    #expect(table.isFederated(upn: "j\u{FC}rgen@fed.contoso.com"))
    #expect(!table.isFederated(upn: "ann@bucher.example"))
  }

  /// Users sharing an objectGUID (two forests restored from one backup, say): when anchors are
  /// objectGUIDs, the plan order's groups give the same duplicate anchors as sorting the anchors.
  @Test func duplicateAnchorsFromObjectGUIDGroups() {
    var users = (0..<50).map { Fixture.ad($0, upn: "u\($0)@contoso.com") }
    users.append(Fixture.ad(7, upn: "again7@contoso.com"))
    users.append(Fixture.ad(3, upn: "again3@contoso.com"))
    users.append(Fixture.ad(7, upn: "third7@contoso.com"))
    let (order, ties) = PlanItem.directoryOrder(users)
    let groups = ties.map { Array(order[$0]) }
    #expect(groups.count == 2)
    let fromGroups = DirectoryIndex(users, includeMappingKeys: false, sameObjectGUID: groups)
    let sorted = DirectoryIndex(users, includeMappingKeys: false)
    #expect(fromGroups.duplicateAnchors == sorted.duplicateAnchors)
    #expect(sorted.duplicateAnchors[Fixture.anchor(7)] == [7, 50, 52])
    #expect(sorted.duplicateAnchors[Fixture.anchor(3)] == [3, 51])
    // With one custom anchor the groups can't say which anchors repeat; the sort decides.
    users[10].anchor = SourceAnchor(opaque: "emp1")
    users[11].anchor = SourceAnchor(opaque: "emp1")
    let mixed = DirectoryIndex(users, includeMappingKeys: false, sameObjectGUID: groups)
    #expect(mixed.duplicateAnchors[SourceAnchor(opaque: "emp1")] == [10, 11])
    #expect(mixed.duplicateAnchors.count == 3)
  }
}
