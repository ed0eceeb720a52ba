/// Before clearing ImmutableIDs for a re-sync to a new forest: for every directory user in scope,
/// what Entra Connect's soft match will do with it when it arrives. Entra soft-matches an incoming
/// user to exactly one cloud user with the same UPN or whose SMTP addresses hold its primary SMTP,
/// never to a role holder or a synced user; with no candidate it creates a new cloud user (a
/// duplicate of the person when one exists under another name).
public struct SoftMatchReport: Hashable, Sendable {
  public enum Outcome: String, Hashable, Sendable, CaseIterable {
    case willSoftMatch
    case createsNewUser
    case blocked
  }

  public struct Row: Hashable, Sendable {
    public var directory: DirectoryObjectRef
    public var outcome: Outcome
    /// How the match is found (willSoftMatch, and blocked rows with a single candidate).
    public var by: MatchRule?
    /// The cloud candidate(s).
    public var cloud: [CloudObjectRef]
    /// Why the row is blocked (or `noCloudTwin` for createsNewUser).
    public var reason: DiagnosticCode?
    public var explanation: String
  }

  public var tenant: String
  /// The tenant's `blockSoftMatchEnabled`; nil when the token could not read it.
  public var blockSoftMatchEnabled: Bool?
  /// Sorted by DN.
  public var rows: [Row]

  /// Rows per outcome.
  public var counts: [Outcome: Int] {
    var counts: [Outcome: Int] = [:]
    for row in rows { counts[row.outcome, default: 0] += 1 }
    return counts
  }

  /// True when clearing now would not lead to a clean soft match for everyone: a blocked row, or
  /// the tenant flag that turns soft match off.
  public var isBlocking: Bool {
    blockSoftMatchEnabled == true || rows.contains { $0.outcome == .blocked }
  }

  public init(directoryUsers: [DirectoryUser], tenant: TenantSnapshot) {
    self.tenant = tenant.tenantId
    blockSoftMatchEnabled = tenant.flags.blockSoftMatchEnabled
    let cloud = TenantIndex(tenant)
    let directory = DirectoryIndex(directoryUsers, includeMappingKeys: false)
    var candidatesOf: [[(Int32, MatchRule)]] = []
    var claims: [Int32: Int] = [:]
    for offset in directoryUsers.indices {
      var candidates: [(Int32, MatchRule)] = []
      if let upn = directoryUsers[offset].userPrincipalName, !upn.isEmpty {
        for hit in cloud.byUPN.lookup(upn).positions {
          candidates.append((hit, .userPrincipalName))
        }
      }
      if let smtp = directory.primarySmtp[offset], !smtp.isEmpty {
        for hit in cloud.bySMTP.lookup(smtp).positions
        where !candidates.contains(where: { $0.0 == hit }) {
          candidates.append((hit, .primarySmtp))
        }
      }
      if candidates.count == 1 { claims[candidates[0].0, default: 0] += 1 }
      candidatesOf.append(candidates)
    }
    var rows: [Row] = []
    for offset in directoryUsers.indices {
      let candidates = candidatesOf[offset]
      var row = Row(
        directory: directory.ref(Int32(offset)), outcome: .willSoftMatch, by: nil,
        cloud: candidates.map { cloud.ref($0.0) }, reason: nil, explanation: "")
      switch candidates.count {
      case 0:
        row.outcome = .createsNewUser
        row.reason = .noCloudTwin
        row.explanation =
          "no cloud user has this UPN or primary SMTP address: Entra Connect creates a new cloud user"
      case 1:
        let (position, rule) = candidates[0]
        let user = cloud.users[Int(position)]
        row.by = rule
        if user.holdsDirectoryRole {
          row.outcome = .blocked
          row.reason = .cloudUserHoldsRole
          row.explanation =
            "\(user.userPrincipalName) holds a directory role: Entra never soft-matches role holders (remove the role for the matching window)"
        } else if user.isSynced {
          row.outcome = .blocked
          row.reason = .softMatchTargetSynced
          row.explanation =
            "\(user.userPrincipalName) is synced (onPremisesSyncEnabled=true): soft match only takes cloud-only users"
        } else if claims[position, default: 0] > 1 {
          row.outcome = .blocked
          row.reason = .duplicateMatch
          row.explanation =
            "\(claims[position, default: 0]) directory users match \(user.userPrincipalName): the second one fails with a duplicate attribute error"
        } else {
          row.explanation = "soft-matches \(user.userPrincipalName) by \(rule.rawValue)"
        }
      default:
        row.outcome = .blocked
        row.reason = .duplicateMatch
        row.explanation =
          "matches \(candidates.count) cloud users ("
          + candidates.map { cloud.users[Int($0.0)].userPrincipalName }.sorted().joined(
            separator: ", ") + "): Entra Connect reports a duplicate attribute error"
      }
      rows.append(row)
    }
    rows.sort {
      $0.directory.distinguishedName.lowercased() < $1.directory.distinguishedName.lowercased()
    }
    self.rows = rows
  }
}
