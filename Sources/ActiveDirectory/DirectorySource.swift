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

  public init(
    name: String, connection: LDAPConfiguration,
    users: Scope = Scope(bases: [], filter: "(&(objectCategory=person)(objectClass=user))"),
    groups: Scope = Scope(bases: [], filter: "(objectClass=group)"),
    anchor: AnchorPolicy = .consistencyGuid, pageSize: Int = 500, rangeWindow: Int = 1500
  ) {
    self.name = name
    self.connection = connection
    self.users = users
    self.groups = groups
    self.anchor = anchor
    self.pageSize = pageSize
    self.rangeWindow = rangeWindow
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

  public init(source: String, dcHostName: String, invocationId: String, highestCommittedUSN: Int64)
  {
    self.source = source
    self.dcHostName = dcHostName
    self.invocationId = invocationId
    self.highestCommittedUSN = highestCommittedUSN
  }
}
