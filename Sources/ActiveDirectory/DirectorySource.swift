import AnchorCore
import LDAPClient

/// One directory source (a domain): how to reach it, what to read, and how users are anchored.
public struct DirectorySource: Sendable {
  public struct Scope: Sendable, Hashable {
    public var bases: [String]
    public var filter: String
    public init(bases: [String], filter: String) {
      self.bases = bases
      self.filter = filter
    }
  }

  public var name: String
  public var connection: LDAPConfiguration
  public var users: Scope
  public var groups: Scope
  public var anchor: AnchorPolicy
  /// Entries per paged-results page (1...1000).
  public var pageSize: Int
  /// Values per ranged `member` window. AD's MaxValRange is 1500 (1000 on Windows 2000).
  public var rangeWindow: Int
  /// Connections a full read of the users uses at once (1...4), each reading one uSNChanged range:
  /// a DC serves them in parallel.
  public var readConnections: Int

  public init(
    name: String, connection: LDAPConfiguration,
    users: Scope = Scope(bases: [], filter: "(&(objectCategory=person)(objectClass=user))"),
    groups: Scope = Scope(bases: [], filter: "(objectClass=group)"),
    anchor: AnchorPolicy = .consistencyGuid, pageSize: Int = 500, rangeWindow: Int = 1500,
    readConnections: Int = 1
  ) {
    self.name = name
    self.connection = connection
    self.users = users
    self.groups = groups
    self.anchor = anchor
    self.pageSize = pageSize
    self.rangeWindow = rangeWindow
    self.readConnections = min(max(readConnections, 1), 4)
  }
}

/// A slice of the directory by uSNChanged, for reading in parallel: `(after, through]`, open above
/// when `through` is nil.
public struct USNRange: Sendable, Hashable {
  public var after: Int64?
  public var through: Int64?

  public init(after: Int64?, through: Int64?) {
    self.after = after
    self.through = through
  }

  /// `count` ranges splitting `(after, highest]` into equal parts, the last one open above, so an
  /// entry changed during the read (its uSNChanged only grows, past `highest`) is never missed; it
  /// may be read twice, once in its old range and once in the last.
  public static func split(after: Int64?, highest: Int64, count: Int) -> [USNRange] {
    let start = after ?? 0
    // Checked before dividing: a negative or absurd bound (a damaged watermark) gets one range.
    let (span, overflow) = highest.subtractingReportingOverflow(start)
    guard count > 1, !overflow, span > 0 else { return [USNRange(after: after, through: nil)] }
    let step = max(span / Int64(count), 1)
    var ranges: [USNRange] = []
    var low = after
    for index in 0..<count {
      let high: Int64? = index == count - 1 ? nil : start + step * Int64(index + 1)
      ranges.append(USNRange(after: low, through: high))
      low = high
    }
    return ranges
  }
}

/// Where an incremental read left off on one domain controller. uSNChanged is per DC, so the
/// watermark names the DC and its database instance (invocationId); after a restore the
/// invocationId changes and the next read must be full.
public struct USNWatermark: Codable, Sendable, Hashable {
  public var source: String
  public var dcHostName: String
  public var invocationId: String
  public var highestCommittedUSN: Int64

  /// The USNs a DC can hold: a per-DC count of changes from zero. The ceiling is far above any real
  /// DC and leaves room to add to a USN without overflow; a server or file outside it is wrong.
  public static let plausibleUSNs: ClosedRange<Int64> = 0...(1 << 62)

  public init(source: String, dcHostName: String, invocationId: String, highestCommittedUSN: Int64)
  {
    self.source = source
    self.dcHostName = dcHostName
    self.invocationId = invocationId
    self.highestCommittedUSN = highestCommittedUSN
  }
}
