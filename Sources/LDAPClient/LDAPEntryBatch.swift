/// The entries of one search page, packed for reading many entries fast: every DN and value byte of
/// the page sits in one arena, and only the requested attributes are kept, addressed by their
/// position in the request's attribute list (no name lookups, no per-value arrays or strings).
///
/// `LDAPEntry` stays the general form (every attribute under the server's spelling, `;range=`
/// windows visible); a batch is for bulk reads of known attributes, such as pulling every user.
/// Values are raw bytes, never decoded: the caller knows which attributes are text.
public struct LDAPEntryBatch: Sendable {
  /// One value's place in the arena.
  struct Span: Sendable {
    var start: Int
    var count: Int
  }

  /// Immutable once built; shared by every view of the batch without copying the arrays.
  final class Storage: Sendable {
    let attributes: [String]
    /// Every DN and value, back to back.
    let bytes: [UInt8]
    let spans: [Span]
    /// Per entry, `1 + 2 * attributes.count` slots: the DN's span index, then for each requested
    /// attribute the index of its first value span (-1 when absent) and the number of values.
    let slots: [Int]

    init(attributes: [String], bytes: [UInt8], spans: [Span], slots: [Int]) {
      self.attributes = attributes
      self.bytes = bytes
      self.spans = spans
      self.slots = slots
    }

    var stride: Int { 1 + 2 * attributes.count }

    func value(_ span: Int) -> ArraySlice<UInt8> {
      let place = spans[span]
      return bytes[place.start..<place.start + place.count]
    }
  }

  let storage: Storage

  init(storage: Storage) { self.storage = storage }

  /// An empty batch (a page with no entries) for the given attributes.
  public init(attributes: [String]) {
    storage = Storage(attributes: attributes, bytes: [], spans: [], slots: [])
  }

  /// The requested attribute names; `Entry.values(_:)` takes positions in this list.
  public var attributes: [String] { storage.attributes }

  /// The position of `name` in `attributes` (ASCII case-insensitive), for looking values up by index.
  public func index(of name: String) -> Int? {
    storage.attributes.firstIndex { AttributeName.equalIgnoringCase($0.utf8, name.utf8) }
  }

  /// One entry of the batch: a view, valid as long as it is kept (it shares the batch's storage).
  public struct Entry: Sendable {
    let storage: Storage
    let base: Int

    /// The entry's DN as the server sent it (UTF-8 bytes).
    public var dn: ArraySlice<UInt8> { storage.value(storage.slots[base]) }

    /// Every value of the attribute at `attribute` (a position in `attributes`); empty when absent.
    public func values(_ attribute: Int) -> Values {
      let count = storage.slots[base + 2 + 2 * attribute]
      guard count > 0 else { return Values(storage: storage, spans: 0..<0) }
      let first = storage.slots[base + 1 + 2 * attribute]
      return Values(storage: storage, spans: first..<first + count)
    }

    /// The first value of the attribute at `attribute`, if it has any.
    public func first(_ attribute: Int) -> ArraySlice<UInt8>? {
      let count = storage.slots[base + 2 + 2 * attribute]
      return count == 0 ? nil : storage.value(storage.slots[base + 1 + 2 * attribute])
    }

    /// The entry in the general form (attributes in request order, absent ones left out).
    public var entry: LDAPEntry {
      var attributes: [LDAPAttribute] = []
      for (index, name) in storage.attributes.enumerated() {
        let values = self.values(index)
        if !values.isEmpty {
          attributes.append(LDAPAttribute(name: name, values: values.map(Array.init)))
        }
      }
      return LDAPEntry(dn: String(decoding: dn, as: UTF8.self), attributes: attributes)
    }
  }

  /// The values of one attribute of one entry, in the order the server sent them.
  public struct Values: RandomAccessCollection, Sendable {
    let storage: Storage
    let spans: Range<Int>

    public var startIndex: Int { 0 }
    public var endIndex: Int { spans.count }
    public subscript(position: Int) -> ArraySlice<UInt8> {
      storage.value(spans.lowerBound + position)
    }
  }
}

extension LDAPEntryBatch: RandomAccessCollection {
  public var startIndex: Int { 0 }
  public var endIndex: Int { storage.slots.count / storage.stride }
  public subscript(position: Int) -> Entry {
    Entry(storage: storage, base: position * storage.stride)
  }
}

/// ASCII case-insensitive attribute-name comparison (LDAP attribute descriptions are ASCII).
enum AttributeName {
  static func equalIgnoringCase(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    return zip(a, b).allSatisfy { lower($0) == lower($1) }
  }

  static func lower(_ unit: UInt8) -> UInt8 { unit >= 0x41 && unit <= 0x5a ? unit | 0x20 : unit }
}

/// Fills an `LDAPEntryBatch` entry by entry while libldap's message is alive: the bytes are copied
/// into the arena as they are walked, so nothing points into the message afterwards.
struct LDAPEntryBatchBuilder {
  let attributes: [String]
  private var bytes: [UInt8] = []
  private var spans: [LDAPEntryBatch.Span] = []
  private var slots: [Int] = []
  private var entryBase = -1
  /// Server spellings of attribute names already seen, with their position in `attributes` (nil:
  /// not requested), in the order they first came. The server sends every entry's attributes in
  /// about the same order, so the search starts after the spelling matched last and its first
  /// comparison almost always answers.
  private var spellings: [(name: [UInt8], index: Int?)] = []
  private var nextSpelling = 0
  /// Spellings remembered at most: past it a name is looked up in `attributes` directly, so an
  /// entry with very many distinct names costs time in proportion to them, not their square.
  static let spellingsRemembered = 64

  /// `capacity` (bytes, values, entries) sizes the arrays up front, e.g. from the previous page.
  init(attributes: [String], capacity: (bytes: Int, values: Int, entries: Int) = (0, 0, 0)) {
    self.attributes = attributes
    bytes.reserveCapacity(capacity.bytes)
    spans.reserveCapacity(capacity.values)
    slots.reserveCapacity(capacity.entries * (1 + 2 * attributes.count))
  }

  var capacity: (bytes: Int, values: Int, entries: Int) {
    (bytes.count, spans.count, slots.count / (1 + 2 * attributes.count))
  }

  /// Starts an entry: every attribute slot reads "not seen" (first value -1, no values).
  mutating func beginEntry(dn: UnsafeRawBufferPointer) {
    entryBase = slots.count
    slots.append(spans.count)
    for _ in 0..<attributes.count {
      slots.append(-1)
      slots.append(0)
    }
    appendSpan(dn)
  }

  /// The position in `attributes` of the attribute a server-sent name denotes, if it was requested.
  /// Options such as `;range=0-1499` are ignored, as `LDAPEntry.values(_:)` ignores them.
  mutating func attributeIndex(_ name: UnsafeRawBufferPointer) -> Int? {
    var candidate = nextSpelling
    for _ in 0..<spellings.count {
      if candidate == spellings.count { candidate = 0 }
      let known = spellings[candidate]
      if known.name.withUnsafeBytes({ Self.equal($0, name) }) {
        nextSpelling = candidate + 1
        return known.index
      }
      candidate += 1
    }
    let base = name.prefix { $0 != UInt8(ascii: ";") }
    let index = attributes.firstIndex { AttributeName.equalIgnoringCase($0.utf8, base) }
    guard spellings.count < Self.spellingsRemembered else { return index }
    spellings.append((Array(name), index))
    nextSpelling = spellings.count
    return index
  }

  /// Byte equality, eight bytes at a time (attribute names run to 20 bytes or more).
  static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    guard a.count == b.count else { return false }
    var offset = 0
    while offset + 8 <= a.count {
      guard
        a.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
          == b.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
      else { return false }
      offset += 8
    }
    while offset < a.count {
      guard a[offset] == b[offset] else { return false }
      offset += 1
    }
    return true
  }

  /// Starts the values of the attribute at `index` in the current entry; false when the entry
  /// already had it (a server sends each attribute once; a repeat is ignored, as `LDAPEntry`
  /// lookups only see the first).
  mutating func beginAttribute(_ index: Int) -> Bool {
    let slot = entryBase + 1 + 2 * index
    guard slots[slot] < 0 else { return false }
    slots[slot] = spans.count
    return true
  }

  /// Adds one value to the attribute begun last with `beginAttribute(index)`.
  mutating func append(_ value: UnsafeRawBufferPointer, attribute index: Int) {
    slots[entryBase + 2 + 2 * index] += 1
    appendSpan(value)
  }

  private mutating func appendSpan(_ value: UnsafeRawBufferPointer) {
    spans.append(LDAPEntryBatch.Span(start: bytes.count, count: value.count))
    bytes.append(contentsOf: value)
  }

  func build() -> LDAPEntryBatch {
    LDAPEntryBatch(
      storage: LDAPEntryBatch.Storage(
        attributes: attributes, bytes: bytes, spans: spans, slots: slots))
  }
}

extension LDAPEntryBatch {
  /// Calls `body` with raw views of the batch: values as `UnsafeRawBufferPointer`s into the arena,
  /// with no reference counting per value. The fastest way to read many values; the views are
  /// valid only during `body`.
  public func withUnsafeEntries<Result>(_ body: (UnsafeEntries) -> Result) -> Result {
    let storage = self.storage
    return storage.bytes.withUnsafeBytes { bytes in
      storage.spans.withUnsafeBufferPointer { spans in
        storage.slots.withUnsafeBufferPointer { slots in
          body(UnsafeEntries(bytes: bytes, spans: spans, slots: slots, stride: storage.stride))
        }
      }
    }
  }

  /// The entries of a batch seen through raw pointers (see `withUnsafeEntries(_:)`).
  public struct UnsafeEntries {
    let bytes: UnsafeRawBufferPointer
    let spans: UnsafeBufferPointer<Span>
    let slots: UnsafeBufferPointer<Int>
    let stride: Int

    public var count: Int { slots.count / stride }

    func value(_ span: Int) -> UnsafeRawBufferPointer {
      let place = spans[span]
      return UnsafeRawBufferPointer(rebasing: bytes[place.start..<place.start + place.count])
    }

    /// The DN of entry `entry` as the server sent it (UTF-8 bytes).
    public func dn(_ entry: Int) -> UnsafeRawBufferPointer { value(slots[entry * stride]) }

    /// The first value of the attribute at `attribute` of entry `entry`, if it has any.
    public func first(_ entry: Int, _ attribute: Int) -> UnsafeRawBufferPointer? {
      let slot = entry * stride + 1 + 2 * attribute
      return slots[slot + 1] == 0 ? nil : value(slots[slot])
    }

    /// Every value of the attribute at `attribute` of entry `entry`.
    public func values(_ entry: Int, _ attribute: Int) -> UnsafeValues {
      let slot = entry * stride + 1 + 2 * attribute
      let count = slots[slot + 1]
      return UnsafeValues(
        entries: self, spans: count == 0 ? 0..<0 : slots[slot]..<slots[slot] + count)
    }
  }

  /// The values of one attribute of one entry, as raw bytes (see `withUnsafeEntries(_:)`).
  public struct UnsafeValues: RandomAccessCollection {
    let entries: UnsafeEntries
    let spans: Range<Int>

    public var startIndex: Int { 0 }
    public var endIndex: Int { spans.count }
    public subscript(position: Int) -> UnsafeRawBufferPointer {
      entries.value(spans.lowerBound + position)
    }
  }
}
