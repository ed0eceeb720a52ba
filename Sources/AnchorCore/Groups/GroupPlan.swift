/// A reviewed group plan (`Schemas/groups-plan.schema.json`): for each AD group in scope, its cloud
/// twin and what moving the group's source of authority takes, step by step, without losing
/// members, owners, parents, app role assignments, licences or addresses.
///
/// Deterministic: the planner reads no clock (creation time is an input) and sorts its items by
/// AD distinguished name, so the same inputs give the same plan.
public struct GroupPlan: Hashable, Sendable, Codable {
  public static let currentFormatVersion = 1

  public var formatVersion: Int
  /// Always `groups` (the user plans' kinds are `users` and `anchorWriteback`).
  public var kind: String
  public var direction: GroupDirection
  public var createdAt: String
  public var tenant: String
  /// `sha256:` of the inputs (AD groups, cloud groups, snapshots, user pairs, settings).
  public var inputFingerprint: String
  public var matchOrder: [GroupMatchRule]
  /// Count of items per action.
  public var summary: [String: Int]
  public var diagnostics: [Diagnostic]
  public var items: [GroupPlanItem]

  public init(
    direction: GroupDirection, createdAt: String, tenant: String, inputFingerprint: String,
    matchOrder: [GroupMatchRule], diagnostics: [Diagnostic], items: [GroupPlanItem]
  ) {
    formatVersion = Self.currentFormatVersion
    kind = "groups"
    self.direction = direction
    self.createdAt = createdAt
    self.tenant = tenant
    self.inputFingerprint = inputFingerprint
    self.matchOrder = matchOrder
    self.diagnostics = diagnostics
    self.items = items
    var summary: [String: Int] = [:]
    for item in items { summary[item.action.rawValue, default: 0] += 1 }
    self.summary = summary
  }

  public func items(_ action: GroupAction) -> [GroupPlanItem] {
    items.filter { $0.action == action }
  }
}

public enum GroupDirection: String, Hashable, Sendable, Codable {
  /// Cloud-only groups become the synced twins of their AD groups (delete → sync → restore).
  case toDirectory
  /// Synced groups become cloud-managed (Group Source of Authority, else copy in the cloud).
  case toCloud
}

public enum GroupAction: String, Hashable, Sendable, Codable, CaseIterable {
  /// Delete the cloud-only group so sync creates the AD twin in its place (toDirectory).
  case migrate
  /// `PATCH onPremisesSyncBehavior {isCloudManaged: true}` (toCloud, tenant supports SOA).
  case switchSourceOfAuthority
  /// Copy the synced group as a cloud-only group, then take the AD group out of sync (toCloud).
  case recreateInCloud
  /// Already in the wanted state.
  case noop
  /// A twin was found but moving it would lose something; `reason` says what.
  case blocked
  /// Several candidates, or one cloud group wanted by several AD groups.
  case conflict
  /// No twin: nothing to do.
  case skip
}

/// Who performs a step.
public enum GroupStepActor: String, Hashable, Sendable, Codable {
  /// `anchorbridge groups apply|verify|restore`, journaled.
  case anchorbridge
  /// The generated Exchange Online script (Graph cannot write distribution lists / MESGs).
  case exchangeScript
  /// Entra Connect (or Cloud Sync): the next sync cycle.
  case sync
}

public struct GroupStep: Hashable, Sendable, Codable {
  public enum Name: String, Hashable, Sendable, Codable, CaseIterable {
    case snapshot, prepareDirectory, deleteCloudGroup, waitForSync, verify, restoreAccess
    case switchSourceOfAuthority, createCloudGroup, removeFromSyncScope
  }

  public var number: Int
  public var name: Name
  public var actor: GroupStepActor
  /// The command or cmdlet that performs it, for the reviewer.
  public var command: String
  public var detail: String

  public init(number: Int, name: Name, actor: GroupStepActor, command: String, detail: String) {
    self.number = number
    self.name = name
    self.actor = actor
    self.command = command
    self.detail = detail
  }
}

public struct GroupDirectoryRef: Hashable, Sendable, Codable {
  public var source: String
  public var distinguishedName: String
  public var objectGuid: ObjectGUID
  public var objectSid: String?
  /// `security` | `distribution`
  public var groupKind: GroupType.Kind
  public var primarySmtp: String?

  public init(_ group: DirectoryGroup) {
    source = group.source
    distinguishedName = group.distinguishedName
    objectGuid = group.objectGUID
    objectSid = group.objectSid
    groupKind = group.groupType.kind
    primarySmtp = group.primarySmtp
  }
}

public struct GroupCloudRef: Hashable, Sendable, Codable {
  public var id: String
  public var displayName: String
  public var kind: CloudGroupKind
  public var primarySmtp: String?
  public var synced: Bool

  public init(_ group: CloudGroup) {
    id = group.id
    displayName = group.displayName
    kind = group.kind
    primarySmtp = group.primarySmtp
    synced = group.isSynced
  }
}

/// A cloud member and its AD twin.
public struct MemberPair: Hashable, Sendable, Codable {
  public var cloudId: String
  public var type: SnapshotObject.ObjectType
  public var label: String
  public var distinguishedName: String
  /// Groups only: the AD twin's objectSid (`groups verify` finds its synced group by it).
  public var objectSid: String?

  public init(
    cloudId: String, type: SnapshotObject.ObjectType, label: String, distinguishedName: String,
    objectSid: String? = nil
  ) {
    self.cloudId = cloudId
    self.type = type
    self.label = label
    self.distinguishedName = distinguishedName
    self.objectSid = objectSid
  }
}

/// The cloud group's members against the AD group's.
public struct MembershipComparison: Hashable, Sendable, Codable {
  /// Cloud members whose AD twin is already a member of the AD group.
  public var inBoth: [MemberPair]
  /// Cloud members whose AD twin must be added to the AD group before cut-over.
  public var addToDirectory: [MemberPair]
  /// Cloud members with no AD twin: deleting the cloud group loses them (blocking).
  public var withoutDirectoryTwin: [SnapshotObject]
  /// AD members the cloud group does not have (the synced twin will have them too).
  public var directoryOnly: [String]

  public init(
    inBoth: [MemberPair] = [], addToDirectory: [MemberPair] = [],
    withoutDirectoryTwin: [SnapshotObject] = [], directoryOnly: [String] = []
  ) {
    self.inBoth = inBoth
    self.addToDirectory = addToDirectory
    self.withoutDirectoryTwin = withoutDirectoryTwin
    self.directoryOnly = directoryOnly
  }
}

/// Step 2: what the AD group needs before the cloud group goes (LDAP modify with `--write-ad`).
public struct DirectoryPreparation: Hashable, Sendable, Codable {
  /// Cloud proxyAddresses the AD group lacks (the X500 of the cloud legacyExchangeDN comes from
  /// the Exchange capture: see `needsExchangeCapture`).
  public var addProxyAddresses: [String]
  /// DNs to add to the AD group's `member`.
  public var addMembers: [String]
  /// DN for AD `managedBy` when it is empty (the first owner with an AD twin).
  public var managedBy: String?
  /// AD `mail` when the AD group has no address yet (with the cloud addresses it becomes
  /// mail-enabled when synced).
  public var setMail: String?
  /// DNs of AD groups (twins of synced cloud parents) the AD group must join.
  public var joinGroups: [String]
  /// The cloud group has a mailbox-side twin in Exchange Online (distribution list, mail-enabled
  /// security group, Microsoft 365 group): its legacyExchangeDN (only Exchange shows it) must be
  /// added as `X500:` from the capture file the script writes.
  public var needsExchangeCapture: Bool

  public init(
    addProxyAddresses: [String] = [], addMembers: [String] = [], managedBy: String? = nil,
    setMail: String? = nil, joinGroups: [String] = [], needsExchangeCapture: Bool = false
  ) {
    self.addProxyAddresses = addProxyAddresses
    self.addMembers = addMembers
    self.managedBy = managedBy
    self.setMail = setMail
    self.joinGroups = joinGroups
    self.needsExchangeCapture = needsExchangeCapture
  }

  public var isEmpty: Bool {
    addProxyAddresses.isEmpty && addMembers.isEmpty && managedBy == nil && setMail == nil
      && joinGroups.isEmpty
  }
}

/// Step 6: access to grant the new (synced or cloud) group.
public struct AccessRestoration: Hashable, Sendable, Codable {
  public enum Via: String, Hashable, Sendable, Codable {
    case graph, exchangeScript, directory
  }

  public struct Parent: Hashable, Sendable, Codable {
    public var id: String
    public var displayName: String?
    public var via: Via
    /// For `directory`: the parent's AD twin.
    public var distinguishedName: String?

    public init(id: String, displayName: String?, via: Via, distinguishedName: String? = nil) {
      self.id = id
      self.displayName = displayName
      self.via = via
      self.distinguishedName = distinguishedName
    }
  }

  public var parents: [Parent]
  public var appRoleAssignments: [SnapshotAppRoleAssignment]
  public var licenses: [SnapshotLicense]

  public init(
    parents: [Parent] = [], appRoleAssignments: [SnapshotAppRoleAssignment] = [],
    licenses: [SnapshotLicense] = []
  ) {
    self.parents = parents
    self.appRoleAssignments = appRoleAssignments
    self.licenses = licenses
  }
}

public struct GroupPlanItem: Hashable, Sendable, Codable {
  public var action: GroupAction
  public var reason: DiagnosticCode
  public var explanation: String
  public var directory: GroupDirectoryRef?
  public var cloud: GroupCloudRef?
  public var matchedBy: GroupMatchRule?
  /// What the twin becomes after sync (toDirectory) or stays as (toCloud).
  public var resultingKind: CloudGroupKind?
  /// `sha256:` of the snapshot stored in the journal (the executor refuses another one).
  public var snapshotDigest: String?
  public var members: MembershipComparison?
  public var prepareDirectory: DirectoryPreparation?
  public var restoreAccess: AccessRestoration?
  public var steps: [GroupStep]
  /// Every object of a conflict (cloud ids and DNs).
  public var involved: [String]
  public var diagnostics: [Diagnostic]

  public init(
    action: GroupAction, reason: DiagnosticCode, explanation: String,
    directory: GroupDirectoryRef? = nil, cloud: GroupCloudRef? = nil,
    matchedBy: GroupMatchRule? = nil, resultingKind: CloudGroupKind? = nil,
    snapshotDigest: String? = nil, members: MembershipComparison? = nil,
    prepareDirectory: DirectoryPreparation? = nil, restoreAccess: AccessRestoration? = nil,
    steps: [GroupStep] = [], involved: [String] = [], diagnostics: [Diagnostic] = []
  ) {
    self.action = action
    self.reason = reason
    self.explanation = explanation
    self.directory = directory
    self.cloud = cloud
    self.matchedBy = matchedBy
    self.resultingKind = resultingKind
    self.snapshotDigest = snapshotDigest
    self.members = members
    self.prepareDirectory = prepareDirectory
    self.restoreAccess = restoreAccess
    self.steps = steps
    self.involved = involved
    self.diagnostics = diagnostics
  }
}
