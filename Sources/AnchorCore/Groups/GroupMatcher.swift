/// How an AD group found its cloud twin.
public enum GroupMatchRule: String, Hashable, Sendable, Codable, CaseIterable {
  /// A synced cloud group's `onPremisesSecurityIdentifier` is the AD group's objectSid.
  case objectSid
  /// The AD group's primary SMTP address is the cloud group's primary SMTP address.
  case primarySmtp
  /// One of the AD group's SMTP addresses is one of the cloud group's (mail or proxyAddresses).
  case proxyAddresses
  /// AD mailNickname (else sAMAccountName) equals the cloud mailNickname.
  case mailNickname
  /// AD displayName (else sAMAccountName) equals the cloud displayName.
  case displayName

  /// The order for cloud-only groups (objectSid always comes first and only finds synced groups).
  public static let defaultOrder: [GroupMatchRule] = [
    .primarySmtp, .proxyAddresses, .mailNickname, .displayName,
  ]
}

/// What the matcher found for one AD group.
public enum GroupMatchOutcome: Hashable, Sendable {
  /// Its synced twin (position in the cloud groups).
  case synced(Int)
  /// A cloud group that came from this AD group (same objectSid) but is cloud-managed now (Group
  /// Source of Authority, or sync turned off): it is the twin already, never to be deleted.
  case cloudManaged(Int)
  /// A cloud-only twin found by `rule`.
  case matched(Int, GroupMatchRule)
  /// Several cloud groups qualify under `rule`: nothing is decided.
  case ambiguous(GroupMatchRule, [Int])
  /// Its twin is also the twin of the other AD groups listed (positions in the directory groups).
  case claimedTwice(Int, GroupMatchRule, others: [Int])
  case none
}

/// Pairs AD groups with cloud groups: synced ones by objectSid, cloud-only ones by primary SMTP,
/// SMTP proxy addresses, mailNickname or displayName in the configured order. Like the user matcher
/// it never guesses: several candidates, or one cloud group wanted by several AD groups, are
/// reported with every object involved. Pure; case-insensitive comparisons.
public struct GroupMatcher: Sendable {
  public var order: [GroupMatchRule]

  public init(order: [GroupMatchRule] = GroupMatchRule.defaultOrder) {
    self.order = order.filter { $0 != .objectSid }
  }

  public struct Result: Sendable {
    /// One outcome per directory group, in the input order.
    public var outcomes: [GroupMatchOutcome]
    /// Duplicates within AD or within the tenant, and cloud-only groups shadowing synced ones.
    public var diagnostics: [Diagnostic]
  }

  public func match(directory: [DirectoryGroup], cloud: [CloudGroup]) -> Result {
    var diagnostics: [Diagnostic] = []
    let bySid = Self.index(cloud.indices.filter { cloud[$0].isSynced }) {
      cloud[$0].onPremisesSecurityIdentifier.map { [$0] } ?? []
    }
    // Not synced but carrying an objectSid: it came from AD. Only its own AD group may claim it.
    let converted = Self.index(
      cloud.indices.filter { !cloud[$0].isSynced && cloud[$0].onPremisesSecurityIdentifier != nil }
    ) { cloud[$0].onPremisesSecurityIdentifier.map { [$0] } ?? [] }
    let cloudOnly = cloud.indices.filter {
      !cloud[$0].isSynced && cloud[$0].onPremisesSecurityIdentifier == nil
    }
    var indexes: [GroupMatchRule: [CaseInsensitiveKey: [Int]]] = [:]
    for rule in order {
      indexes[rule] = Self.index(cloudOnly) { Self.keys(cloud[$0], rule) }
    }

    var outcomes: [GroupMatchOutcome] = []
    for group in directory {
      if let sid = group.objectSid, let twins = bySid[CaseInsensitiveKey(sid)] {
        outcomes.append(twins.count == 1 ? .synced(twins[0]) : .ambiguous(.objectSid, twins))
        for rule in order {
          let shadows = Self.candidates(Self.keys(group, rule), in: indexes[rule] ?? [:])
          for shadow in shadows {
            diagnostics.append(
              Diagnostic(
                .warning, .cloudGroupShadowsSyncedGroup, subject: cloud[shadow].id,
                "cloud-only group '\(cloud[shadow].displayName)' has the same \(rule.rawValue) as "
                  + "\(group.distinguishedName), which is already synced as \(cloud[twins[0]].id)"))
          }
          if !shadows.isEmpty { break }
        }
        continue
      }
      if let sid = group.objectSid, let twins = converted[CaseInsensitiveKey(sid)] {
        outcomes.append(
          twins.count == 1 ? .cloudManaged(twins[0]) : .ambiguous(.objectSid, twins))
        continue
      }
      var outcome = GroupMatchOutcome.none
      for rule in order {
        let found = Self.candidates(Self.keys(group, rule), in: indexes[rule] ?? [:])
        if found.count == 1 {
          outcome = .matched(found[0], rule)
          break
        }
        if found.count > 1 {
          outcome = .ambiguous(rule, found)
          break
        }
      }
      outcomes.append(outcome)
    }

    // A cloud-only group claimed by several AD groups is a conflict for each of them.
    var claims: [Int: [Int]] = [:]
    for (position, outcome) in outcomes.enumerated() {
      if case .matched(let twin, _) = outcome { claims[twin, default: []].append(position) }
    }
    for (twin, claimants) in claims where claimants.count > 1 {
      for position in claimants {
        guard case .matched(_, let rule) = outcomes[position] else { continue }
        outcomes[position] = .claimedTwice(twin, rule, others: claimants.filter { $0 != position })
      }
    }

    diagnostics += Self.duplicates(
      directory.map { ($0.distinguishedName, $0.primarySmtp) }, side: "directory")
    diagnostics += Self.duplicates(cloud.map { ($0.id, $0.primarySmtp) }, side: "tenant")
    return Result(outcomes: outcomes, diagnostics: diagnostics)
  }

  // MARK: Keys

  static func keys(_ group: CloudGroup, _ rule: GroupMatchRule) -> [String] {
    switch rule {
    case .objectSid: group.onPremisesSecurityIdentifier.map { [$0] } ?? []
    case .primarySmtp: group.primarySmtp.map { [$0] } ?? []
    case .proxyAddresses: smtpAddresses(group.proxyAddresses, mail: group.mail)
    case .mailNickname: group.mailNickname.map { [$0] } ?? []
    case .displayName: [group.displayName]
    }
  }

  static func keys(_ group: DirectoryGroup, _ rule: GroupMatchRule) -> [String] {
    switch rule {
    case .objectSid: group.objectSid.map { [$0] } ?? []
    case .primarySmtp: group.primarySmtp.map { [$0] } ?? []
    case .proxyAddresses: smtpAddresses(group.proxyAddresses, mail: group.mail)
    case .mailNickname: (group.mailNickname ?? group.samAccountName).map { [$0] } ?? []
    case .displayName: (group.displayName ?? group.samAccountName).map { [$0] } ?? []
    }
  }

  /// Every SMTP address (primary or secondary, prefix removed) and `mail`.
  static func smtpAddresses(_ proxyAddresses: [String], mail: String?) -> [String] {
    var addresses = proxyAddresses.compactMap { address -> String? in
      guard address.count > 5, address.prefix(5).lowercased() == "smtp:" else { return nil }
      return String(address.dropFirst(5))
    }
    if let mail { addresses.append(mail) }
    return addresses
  }

  private static func index(_ positions: [Int], keys: (Int) -> [String]) -> [CaseInsensitiveKey:
    [Int]]
  {
    var index: [CaseInsensitiveKey: [Int]] = [:]
    for position in positions {
      for key in Set(keys(position).map(CaseInsensitiveKey.init)) where !key.text.isEmpty {
        index[key, default: []].append(position)
      }
    }
    return index
  }

  private static func candidates(_ keys: [String], in index: [CaseInsensitiveKey: [Int]]) -> [Int] {
    var found: [Int] = []
    for key in keys {
      for position in index[CaseInsensitiveKey(key)] ?? [] where !found.contains(position) {
        found.append(position)
      }
    }
    return found.sorted()
  }

  private static func duplicates(_ entries: [(String, String?)], side: String) -> [Diagnostic] {
    var holders: [CaseInsensitiveKey: [String]] = [:]
    for (subject, smtp) in entries {
      if let smtp { holders[CaseInsensitiveKey(smtp), default: []].append(subject) }
    }
    return holders.filter { $0.value.count > 1 }
      .map { key, subjects in
        Diagnostic(
          .warning, .duplicateGroupSmtp, subject: key.text,
          "\(subjects.count) \(side) groups have primary SMTP \(key.text): "
            + subjects.sorted().joined(separator: ", "))
      }
      .sorted { $0.subject < $1.subject }
  }
}
