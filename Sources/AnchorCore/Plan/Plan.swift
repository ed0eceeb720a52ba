/// A reviewed plan: what the executor will write, to which object, and what it must find first.
///
/// Produced by `HardMatchPlanner` (mode `link`) or `ClearPlanner` (mode `clear`); written as JSON with
/// `Plan.encodeJSON()` and read back with `Plan.decode(json:)`, which refuses a tampered file. The
/// same inputs give byte-identical JSON: creation time and tenant are inputs, items are sorted.
public struct Plan: Hashable, Sendable, Codable {
  /// Bumped on any incompatible change of the file format.
  public static let currentFormatVersion = 1

  public var formatVersion: Int
  /// What the plan writes: cloud users' ImmutableIDs, or AD objects' mS-DS-ConsistencyGuid.
  public var kind: PlanKind
  public var mode: PlanMode
  /// RFC 3339 UTC creation time, supplied by the caller (the planner reads no clock).
  public var createdAt: String
  /// The tenant id the snapshot came from; the executor refuses another tenant.
  public var tenant: String
  /// `sha256:` of the canonical inputs (directory users, tenant snapshot, mapping, settings).
  public var inputFingerprint: String
  public var settings: PlanSettings
  /// Count of items per action (`link`, `blocked`, ...).
  public var summary: [String: Int]
  /// Findings about the inputs as a whole (unresolved mapping lines, unknown tenant flags, ...).
  public var diagnostics: [Diagnostic]
  public var items: [PlanItem]

  public init(
    kind: PlanKind = .users, mode: PlanMode, createdAt: String, tenant: String,
    inputFingerprint: String, settings: PlanSettings, diagnostics: [Diagnostic] = [],
    items: [PlanItem]
  ) {
    self.diagnostics = diagnostics
    self.formatVersion = Plan.currentFormatVersion
    self.kind = kind
    self.mode = mode
    self.createdAt = createdAt
    self.tenant = tenant
    self.inputFingerprint = inputFingerprint
    self.settings = settings
    self.items = items
    // Counted in an array first, so the string-keyed summary is written once per action.
    var counts = [Int](repeating: 0, count: PlanAction.allCases.count)
    items.withUnsafeBufferPointer { items in
      for index in items.indices { counts[items[index].action.ordinal] += 1 }
    }
    var summary: [String: Int] = [:]
    for (action, count) in zip(PlanAction.allCases, counts) where count > 0 {
      summary[action.rawValue] = count
    }
    self.summary = summary
  }

  /// Items of one action.
  public func items(_ action: PlanAction) -> [PlanItem] { items.filter { $0.action == action } }
}

public enum PlanKind: String, Hashable, Sendable, Codable, CaseIterable {
  /// Writes to cloud users (ImmutableIDs, UPNs) through the tenant.
  case users
  /// Writes to directory objects: the cloud ImmutableID's 16 bytes into the AD twin's
  /// mS-DS-ConsistencyGuid (`WritebackPlanner`). Items address the twin: `before` and each step's
  /// `expect` hold the anchor its mS-DS-ConsistencyGuid carries as `immutableId` (null = absent)
  /// and the twin's UPN; `setImmutableId` writes the bytes, `clearImmutableId` removes the value.
  case anchorWriteback
}

public enum PlanMode: String, Hashable, Sendable, Codable {
  /// Link directory users to their cloud twins (set or replace ImmutableIDs).
  case link
  /// Clear ImmutableIDs of cloud-only users before re-syncing the tenant to a new forest.
  case clear
}

/// What happens to one object.
public enum PlanAction: String, Hashable, Sendable, Codable, CaseIterable {
  /// Set the ImmutableID on a cloud user that has none.
  case link
  /// Replace a different ImmutableID (only with `allowRelink`).
  case relink
  /// Remove the ImmutableID.
  case clear
  /// Already in the wanted state.
  case noop
  /// A twin was found but Entra or policy forbids the write; `reason` says which and the remedy.
  case blocked
  /// The inputs disagree (ambiguous or duplicate matches); `involved` lists every object.
  case conflict
  /// Nothing to do by policy or for lack of a twin (disabled user, no cloud twin, synced user).
  case skip
}

extension PlanAction {
  /// The case's index in `allCases`.
  var ordinal: Int {
    switch self {
    case .link: 0
    case .relink: 1
    case .clear: 2
    case .noop: 3
    case .blocked: 4
    case .conflict: 5
    case .skip: 6
    }
  }
}

/// The planner settings that shaped the plan, recorded for the reviewer.
public struct PlanSettings: Hashable, Sendable, Codable {
  public var matchOrder: [MatchRule]
  public var allowRelink: Bool
  public var includeDisabled: Bool
  public var allowFederatedClear: Bool
  /// Anchor writeback only: replace a twin's mS-DS-ConsistencyGuid that holds another value
  /// (config `writeback.allowReplace`). Written to the plan only when true.
  public var allowReplace: Bool

  public init(
    matchOrder: [MatchRule] = MatchRule.defaultOrder, allowRelink: Bool = false,
    includeDisabled: Bool = false, allowFederatedClear: Bool = false, allowReplace: Bool = false
  ) {
    self.matchOrder = matchOrder
    self.allowRelink = allowRelink
    self.includeDisabled = includeDisabled
    self.allowFederatedClear = allowFederatedClear
    self.allowReplace = allowReplace
  }

  private enum CodingKeys: String, CodingKey {
    case matchOrder, allowRelink, includeDisabled, allowFederatedClear, allowReplace
  }

  // By hand: `allowReplace` is optional in the file (absent = false, as `Plan.decode` reads it).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      matchOrder: try container.decode([MatchRule].self, forKey: .matchOrder),
      allowRelink: try container.decode(Bool.self, forKey: .allowRelink),
      includeDisabled: try container.decode(Bool.self, forKey: .includeDisabled),
      allowFederatedClear: try container.decode(Bool.self, forKey: .allowFederatedClear),
      allowReplace: try container.decodeIfPresent(Bool.self, forKey: .allowReplace) ?? false)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(matchOrder, forKey: .matchOrder)
    try container.encode(allowRelink, forKey: .allowRelink)
    try container.encode(includeDisabled, forKey: .includeDisabled)
    try container.encode(allowFederatedClear, forKey: .allowFederatedClear)
    if allowReplace { try container.encode(true, forKey: .allowReplace) }
  }
}

/// How a directory user found its cloud twin.
public enum MatchRule: String, Hashable, Sendable, Codable, CaseIterable {
  /// The cloud user's ImmutableID already equals the directory user's anchor.
  case immutableId
  /// A line of the explicit mapping file.
  case mapping
  /// Same UPN, case-insensitively.
  case userPrincipalName
  /// The directory user's primary SMTP address is the cloud user's mail or one of its SMTP addresses.
  case primarySmtp

  public static let defaultOrder: [MatchRule] = [
    .immutableId, .mapping, .userPrincipalName, .primarySmtp,
  ]
}
