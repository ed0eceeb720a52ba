/// One item of the plan: one cloud user and/or one directory user.
///
/// An item made by `HardMatchPlanner` does not hold its references, before-image and steps: it
/// reads them from the planner's inputs (`PlanInputs`) when asked, by position, so a link item
/// stays small and building it retains no strings. The properties read and write the same either
/// way; setting one makes the item hold its own copies.
public struct PlanItem: Sendable, Codable {
  public var action: PlanAction
  /// Machine-readable reason (a `DiagnosticCode` raw value such as `alreadyLinked`).
  public var reason: DiagnosticCode
  /// The reason for a human, including the remedy when there is one.
  public var explanation: String
  public var cloud: CloudObjectRef? {
    get { sides.cloud }
    set { modifyHeld { $0.cloud = newValue } }
  }
  public var directory: DirectoryObjectRef? {
    get { sides.directory }
    set { modifyHeld { $0.directory = newValue } }
  }
  public var matchedBy: MatchRule?
  /// The ImmutableID the item writes (link, relink) or expects to keep (noop).
  public var immutableId: SourceAnchor? {
    get { anchor }
    set {
      // A step read from the inputs writes `immutableId`: pin the steps before it changes.
      if case .inputs = sides { modifyHeld { _ in } }
      anchor = newValue
    }
  }
  private var anchor: SourceAnchor?
  /// The state the executor must find before the first write (compare-and-set). For items with
  /// steps it is the first step's expectation, read from there rather than stored a second time.
  public var before: BeforeImage? {
    get { sides.before }
    set { modifyHeld { $0.before = newValue } }
  }
  public var steps: [PlanStep] {
    get { sides.steps(immutableId: anchor) }
    set { modifyHeld { $0.steps = newValue } }
  }
  /// Every object involved in a conflict or block, including this item's own.
  public var involved: [PlanObjectRef]
  public var diagnostics: [Diagnostic]
  /// Clear mode: will the new forest's object soft-match this cloud user?
  public var softMatch: SoftMatchReadiness? {
    get { softMatchStorage.first }
    set { softMatchStorage = newValue.map { [$0] } ?? [] }
  }
  /// Held out of line: only clear plans have it, so link items don't carry its space.
  private var softMatchStorage: [SoftMatchReadiness] = []
  /// The cloud and directory references, before-image and steps (see the type's note).
  private(set) var sides: Sides

  private enum CodingKeys: String, CodingKey {
    case action, reason, explanation, cloud, directory, matchedBy, immutableId, before, steps
    case involved, diagnostics, softMatch
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      action: try container.decode(PlanAction.self, forKey: .action),
      reason: try container.decode(DiagnosticCode.self, forKey: .reason),
      explanation: try container.decode(String.self, forKey: .explanation),
      cloud: try container.decodeIfPresent(CloudObjectRef.self, forKey: .cloud),
      directory: try container.decodeIfPresent(DirectoryObjectRef.self, forKey: .directory),
      matchedBy: try container.decodeIfPresent(MatchRule.self, forKey: .matchedBy),
      immutableId: try container.decodeIfPresent(SourceAnchor.self, forKey: .immutableId),
      before: try container.decodeIfPresent(BeforeImage.self, forKey: .before),
      steps: try container.decode([PlanStep].self, forKey: .steps),
      involved: try container.decode([PlanObjectRef].self, forKey: .involved),
      diagnostics: try container.decode([Diagnostic].self, forKey: .diagnostics),
      softMatch: try container.decodeIfPresent(SoftMatchReadiness.self, forKey: .softMatch))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(action, forKey: .action)
    try container.encode(reason, forKey: .reason)
    try container.encode(explanation, forKey: .explanation)
    try container.encodeIfPresent(cloud, forKey: .cloud)
    try container.encodeIfPresent(directory, forKey: .directory)
    try container.encodeIfPresent(matchedBy, forKey: .matchedBy)
    try container.encodeIfPresent(immutableId, forKey: .immutableId)
    try container.encodeIfPresent(before, forKey: .before)
    try container.encode(steps, forKey: .steps)
    try container.encode(involved, forKey: .involved)
    try container.encode(diagnostics, forKey: .diagnostics)
    try container.encodeIfPresent(softMatch, forKey: .softMatch)
  }

  public init(
    action: PlanAction, reason: DiagnosticCode, explanation: String, cloud: CloudObjectRef? = nil,
    directory: DirectoryObjectRef? = nil, matchedBy: MatchRule? = nil,
    immutableId: SourceAnchor? = nil,
    before: BeforeImage? = nil, steps: [PlanStep] = [], involved: [PlanObjectRef] = [],
    diagnostics: [Diagnostic] = [], softMatch: SoftMatchReadiness? = nil
  ) {
    self.action = action
    self.reason = reason
    self.explanation = explanation
    self.matchedBy = matchedBy
    self.anchor = immutableId
    self.involved = involved
    self.diagnostics = diagnostics
    self.softMatchStorage = softMatch.map { [$0] } ?? []
    self.sides = .held(HeldSides(cloud: cloud, directory: directory, before: before, steps: steps))
    compactBefore()
  }

  /// An item of `HardMatchPlanner` that reads its sides from `inputs` (see `Sides.inputs`).
  init(
    action: PlanAction, reason: DiagnosticCode, explanation: String, inputs: PlanInputs,
    directory: Int32, cloud: Int32 = -1, derived: DerivedSides = .none,
    matchedBy: MatchRule? = nil, immutableId: SourceAnchor? = nil,
    involved: [PlanObjectRef] = [], diagnostics: [Diagnostic] = []
  ) {
    self.action = action
    self.reason = reason
    self.explanation = explanation
    self.matchedBy = matchedBy
    self.anchor = immutableId
    self.involved = involved
    self.diagnostics = diagnostics
    self.sides = .inputs(inputs, directory: directory, cloud: cloud, derived: derived)
  }

  /// The deterministic order of items: by directory objectGUID, items without a directory side
  /// last by cloud id, then by reason (GUIDs compare as two words, not as bytes).
  static func precedes(_ lhs: PlanItem, _ rhs: PlanItem) -> Bool {
    switch (lhs.directory?.objectGuid, rhs.directory?.objectGuid) {
    case (let left?, let right?) where left != right: return left < right
    case (.some, nil): return true
    case (nil, .some): return false
    default: break
    }
    let leftId = lhs.cloud?.id ?? ""
    let rightId = rhs.cloud?.id ?? ""
    if leftId != rightId { return leftId < rightId }
    return lhs.reason.rawValue < rhs.reason.rawValue
  }
}

extension PlanItem {
  /// Drops the stored before-image when the first step already carries the same one.
  mutating func compactBefore() {
    guard case .held(var held) = sides, let stored = held.storedBefore,
      let first = held.steps.first?.expect, stored == first
    else { return }
    held.storedBefore = nil
    sides = .held(held)
  }

  /// Makes the item hold its sides (read from the inputs until now), then applies `change`.
  private mutating func modifyHeld(_ change: (inout HeldSides) -> Void) {
    var held = sides.held(immutableId: anchor)
    change(&held)
    sides = .held(held)
  }

  /// Sorts items into the deterministic plan order (`precedes`). Sorting the large structs
  /// directly would move and retain them on every swap; this sorts compact keys and permutes once.
  static func sortDeterministically(_ items: inout [PlanItem]) {
    struct Key {
      var high: UInt64
      var low: UInt64
      var hasDirectory: Bool
      var index: Int32
    }
    var keys: [Key] = []
    keys.reserveCapacity(items.count)
    items.withUnsafeBufferPointer { buffer in
      // Through the buffer: reading `items[index].directory` would copy the whole item (every string).
      for index in buffer.indices {
        if let words = buffer[index].directory?.objectGuid.words {
          keys.append(Key(high: words.0, low: words.1, hasDirectory: true, index: Int32(index)))
        } else {
          keys.append(Key(high: 0, low: 0, hasDirectory: false, index: Int32(index)))
        }
      }
    }
    items.withUnsafeBufferPointer { buffer in
      keys.sort { lhs, rhs in
        if lhs.hasDirectory != rhs.hasDirectory { return lhs.hasDirectory }
        if lhs.hasDirectory && (lhs.high, lhs.low) != (rhs.high, rhs.low) {
          return (lhs.high, lhs.low) < (rhs.high, rhs.low)
        }
        return precedes(buffer[Int(lhs.index)], buffer[Int(rhs.index)])
      }
    }
    // Apply the permutation in place by following its cycles: swaps move items without copying.
    var done = [Bool](repeating: false, count: items.count)
    items.withUnsafeMutableBufferPointer { buffer in
      // The buffer's swapAt moves memory; Array.swapAt copies (retaining every string).
      for start in 0..<buffer.count where !done[start] {
        var current = start
        while true {
          done[current] = true
          let next = Int(keys[current].index)
          if next == start { break }
          buffer.swapAt(current, next)
          current = next
        }
      }
    }
  }
}

extension PlanItem {
  /// Directory positions in plan order: by objectGUID, input order among equal GUIDs; and the
  /// ranges of that order where GUIDs are equal. Items built in this order are in `precedes`
  /// order once those ranges are sorted by it (stably, as `sortDeterministically` does).
  static func directoryOrder(_ users: [DirectoryUser]) -> (order: [Int32], ties: [Range<Int>]) {
    let (keys, ties) = directoryKeys(users)
    return (keys.map(\.position), ties)
  }

  /// `directoryOrder` with each position's objectGUID (the sorted keys themselves).
  static func directoryKeys(_ users: [DirectoryUser]) -> (keys: [GUIDKey], ties: [Range<Int>]) {
    var keys: [GUIDKey] = []
    keys.reserveCapacity(users.count)
    users.withUnsafeBufferPointer { users in
      for index in users.indices {
        let words = users[index].objectGUID.words
        keys.append(GUIDKey(high: words.0, low: words.1, position: Int32(index)))
      }
    }
    sortByGUID(&keys)
    var ties: [Range<Int>] = []
    var start = 0
    while start < keys.count {
      var end = start + 1
      while end < keys.count && keys[end].high == keys[start].high
        && keys[end].low == keys[start].low
      {
        end += 1
      }
      if end - start > 1 { ties.append(start..<end) }
      start = end
    }
    return (keys, ties)
  }
}

public struct CloudObjectRef: Hashable, Sendable, Codable {
  public var id: String
  public var userPrincipalName: String
  public init(id: String, userPrincipalName: String) {
    self.id = id
    self.userPrincipalName = userPrincipalName
  }
}

public struct DirectoryObjectRef: Hashable, Sendable, Codable {
  public var source: String
  public var distinguishedName: String
  /// objectGUID, written as its canonical GUID string.
  public var objectGuid: ObjectGUID
  public var userPrincipalName: String?

  public init(
    source: String, distinguishedName: String, objectGuid: ObjectGUID, userPrincipalName: String?
  ) {
    self.source = source
    self.distinguishedName = distinguishedName
    self.objectGuid = objectGuid
    self.userPrincipalName = userPrincipalName
  }
}

/// An object named in a conflict: `side` says whether `id` is a cloud object id or a DN.
public struct PlanObjectRef: Hashable, Sendable, Codable {
  public enum Side: String, Hashable, Sendable, Codable { case cloud, directory }
  public var side: Side
  public var id: String
  public var userPrincipalName: String?
  public var immutableId: SourceAnchor?

  /// Directory objects first, then by id: involved lists do not depend on input order.
  static func precedes(_ lhs: PlanObjectRef, _ rhs: PlanObjectRef) -> Bool {
    if lhs.side != rhs.side { return lhs.side == .directory }
    return lhs.id < rhs.id
  }

  public init(side: Side, id: String, userPrincipalName: String?, immutableId: SourceAnchor?) {
    self.side = side
    self.id = id
    self.userPrincipalName = userPrincipalName
    self.immutableId = immutableId
  }
}

/// What the executor must read back before a write; any difference means the plan is stale.
/// nil values are expectations too (an ImmutableID that must still be unset), written as JSON null.
public struct BeforeImage: Hashable, Sendable, Codable {
  public var immutableId: SourceAnchor?
  public var userPrincipalName: String
  public var onPremisesSyncEnabled: Bool?

  public init(immutableId: SourceAnchor?, userPrincipalName: String, onPremisesSyncEnabled: Bool?) {
    self.immutableId = immutableId
    self.userPrincipalName = userPrincipalName
    self.onPremisesSyncEnabled = onPremisesSyncEnabled
  }
}

public enum PlanStepKind: String, Hashable, Sendable, Codable, CaseIterable {
  case setImmutableId
  case clearImmutableId
  case setUserPrincipalName
  /// Move the UPN back into a federated domain in the same request as the ImmutableID.
  case setUserPrincipalNameAndImmutableId
}

/// One write, with the state it expects to find (so a crash mid-sequence can resume safely).
public struct PlanStep: Hashable, Sendable, Codable {
  public var kind: PlanStepKind
  public var userPrincipalName: String?
  public var immutableId: SourceAnchor?
  public var expect: BeforeImage

  public init(
    kind: PlanStepKind, userPrincipalName: String? = nil, immutableId: SourceAnchor? = nil,
    expect: BeforeImage
  ) {
    self.kind = kind
    self.userPrincipalName = userPrincipalName
    self.immutableId = immutableId
    self.expect = expect
  }
}

/// Clear mode: the predicted outcome of Entra's soft match when the new forest's object arrives.
public struct SoftMatchReadiness: Hashable, Sendable, Codable {
  public enum Outcome: String, Hashable, Sendable, Codable {
    case willSoftMatch
    case blocked
    case noTwin
  }
  public var outcome: Outcome
  public var by: MatchRule?
  public var directory: DirectoryObjectRef?
  public var reason: DiagnosticCode?

  public init(
    outcome: Outcome, by: MatchRule? = nil, directory: DirectoryObjectRef? = nil,
    reason: DiagnosticCode? = nil
  ) {
    self.outcome = outcome
    self.by = by
    self.directory = directory
    self.reason = reason
  }
}
