import Foundation
import Testing

@testable import AnchorCore

/// A small tenant: AD groups 100.., users 1..; cloud users u1.., groups named by role.
enum GroupFixture {
  static let dl = "g-dl-0000-0000-0000-000000000001"
  static let mesg = "g-mesg-000-0000-0000-000000000002"
  static let security = "g-sec-0000-0000-0000-000000000003"
  static let m365 = "g-m365-000-0000-0000-000000000004"
  static let syncedParent = "g-syncp-00-0000-0000-000000000005"
  static let parentId = "g-cldp-000-0000-0000-000000000006"
  static let dlParent = "g-dlp-0000-0000-0000-000000000007"
  static let synced = "g-synced-0-0000-0000-000000000008"

  static func adGroup(
    _ n: Int, cn: String, kind: GroupType.Kind, mail: String? = nil, proxy: [String] = [],
    sid: String? = nil, members: [Int] = [], managedBy: String? = nil
  ) -> DirectoryGroup {
    DirectoryGroup(
      source: "corp", distinguishedName: "CN=\(cn),OU=Groups,DC=corp,DC=example",
      objectGUID: Fixture.guid(n), objectSid: sid ?? "S-1-5-21-1-2-3-\(n)",
      groupType: GroupType(rawValue: kind == .security ? Int32(bitPattern: 0x8000_0008) : 8),
      samAccountName: cn, mail: mail, proxyAddresses: proxy, displayName: cn,
      managedBy: managedBy, members: members.map(Fixture.guid))
  }

  static func twin(_ n: Int) -> DirectoryObjectRef {
    DirectoryObjectRef(
      source: "corp", distinguishedName: "CN=user\(n),OU=Users,DC=corp,DC=example",
      objectGuid: Fixture.guid(n), userPrincipalName: "user\(n)@contoso.com")
  }

  static let userTwins = ["u1": twin(1), "u2": twin(2), "u3": twin(3)]
  static let users = (1...3).map { Fixture.ad($0, upn: "user\($0)@contoso.com") }

  static func member(_ id: String, _ type: SnapshotObject.ObjectType = .user) -> SnapshotObject {
    SnapshotObject(
      id: id, type: type, displayName: id,
      userPrincipalName: type == .user ? "\(id)@contoso.com" : nil)
  }

  static func snapshot(
    _ group: CloudGroup, members: [SnapshotObject] = [], owners: [SnapshotObject] = [],
    parents: [SnapshotObject] = [], roles: [SnapshotAppRoleAssignment] = [],
    licenses: [SnapshotLicense] = [], team: Bool = false, rule: String? = nil
  ) -> GroupSnapshot {
    GroupSnapshot(
      takenAt: "2026-11-29T07:00:00Z",
      group: GroupProperties(
        id: group.id, displayName: group.displayName, mail: group.mail,
        mailNickname: group.mailNickname, proxyAddresses: group.proxyAddresses,
        groupTypes: group.groupTypes, mailEnabled: group.mailEnabled,
        securityEnabled: group.securityEnabled, membershipRule: rule,
        resourceProvisioningOptions: team ? ["Team"] : []),
      members: members, owners: owners, parents: parents, appRoleAssignments: roles,
      assignedLicenses: licenses)
  }

  static let cloudDL = CloudGroup(
    id: dl, displayName: "Announcements", mail: "announce@contoso.com", mailEnabled: true,
    securityEnabled: false, proxyAddresses: ["SMTP:announce@contoso.com", "smtp:news@contoso.com"],
    mailNickname: "announce")
  static let cloudSecurity = CloudGroup(
    id: security, displayName: "VPN Users", mailNickname: "vpnusers")
  static let adDL = adGroup(
    100, cn: "DL-Announce", kind: .distribution, mail: "announce@contoso.com",
    proxy: ["SMTP:announce@contoso.com"], members: [1])
  static let adSecurity = adGroup(101, cn: "VPN Users", kind: .security, members: [1, 2])
  static let adSyncedParent = adGroup(102, cn: "All Staff", kind: .security, members: [])
  static let cloudSyncedParent = CloudGroup(
    id: syncedParent, displayName: "All Staff", onPremisesSyncEnabled: true,
    onPremisesSecurityIdentifier: "S-1-5-21-1-2-3-102")
  static let cloudParent = CloudGroup(id: parentId, displayName: "Cloud Apps Access")
  static let cloudDLParent = CloudGroup(
    id: dlParent, displayName: "Everyone DL", mail: "everyone@contoso.com", mailEnabled: true,
    securityEnabled: false, proxyAddresses: ["SMTP:everyone@contoso.com"])

  static func plan(
    ad: [DirectoryGroup], cloud: [CloudGroup], snapshots: [GroupSnapshot],
    planner: GroupPlanner = GroupPlanner()
  ) -> GroupPlan {
    planner.plan(
      GroupPlanner.Inputs(
        directoryGroups: ad, directoryUsers: users, cloudGroups: cloud,
        snapshots: Dictionary(uniqueKeysWithValues: snapshots.map { ($0.group.id, $0) }),
        userTwins: userTwins, tenant: "t1", createdAt: "2026-11-29T07:00:00Z"))
  }
}

@Suite("Group matching")
struct GroupMatcherTests {
  typealias F = GroupFixture

  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var ad: DirectoryGroup
    var cloud: [CloudGroup]
    var order: [GroupMatchRule] = GroupMatchRule.defaultOrder
    var expected: GroupMatchOutcome
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "synced twin by objectSid", ad: F.adSyncedParent, cloud: [F.cloudSyncedParent],
      expected: .synced(0)),
    Case(
      name: "primary SMTP", ad: F.adDL, cloud: [F.cloudSecurity, F.cloudDL],
      expected: .matched(1, .primarySmtp)),
    Case(
      name: "secondary address",
      ad: F.adGroup(1, cn: "x", kind: .distribution, proxy: ["SMTP:news@contoso.com"]),
      cloud: [F.cloudDL], expected: .matched(0, .proxyAddresses)),
    Case(
      name: "mailNickname falls back to sAMAccountName",
      ad: F.adGroup(2, cn: "vpnusers", kind: .security), cloud: [F.cloudSecurity],
      expected: .matched(0, .mailNickname)),
    Case(
      name: "displayName", ad: F.adSecurity, cloud: [F.cloudSecurity],
      expected: .matched(0, .displayName)),
    Case(
      name: "configured order: displayName only", ad: F.adDL, cloud: [F.cloudDL],
      order: [.displayName], expected: .none),
    Case(
      name: "two cloud groups with the name", ad: F.adSecurity,
      cloud: [F.cloudSecurity, CloudGroup(id: "g-other", displayName: "vpn users")],
      expected: .ambiguous(.displayName, [0, 1])),
    Case(
      name: "synced groups never match by name", ad: F.adGroup(3, cn: "All Staff", kind: .security),
      cloud: [F.cloudSyncedParent], expected: .none),
  ]

  @Test(arguments: cases) func outcome(_ scenario: Case) {
    let result = GroupMatcher(order: scenario.order).match(
      directory: [scenario.ad], cloud: scenario.cloud)
    #expect(result.outcomes == [scenario.expected])
  }

  @Test func oneCloudGroupWantedByTwoADGroupsIsAConflictForBoth() {
    let other = F.adGroup(7, cn: "Announce copy", kind: .distribution, mail: "announce@contoso.com")
    let result = GroupMatcher().match(directory: [F.adDL, other], cloud: [F.cloudDL])
    #expect(
      result.outcomes == [
        .claimedTwice(0, .primarySmtp, others: [1]), .claimedTwice(0, .primarySmtp, others: [0]),
      ])
    #expect(
      result.diagnostics.contains {
        $0.code == .duplicateGroupSmtp && $0.subject == "announce@contoso.com"
      })
  }

  @Test func cloudOnlyCopyOfASyncedGroupIsReported() {
    let copy = CloudGroup(id: "g-copy", displayName: "All Staff")
    let result = GroupMatcher().match(
      directory: [F.adSyncedParent], cloud: [F.cloudSyncedParent, copy])
    #expect(result.outcomes == [.synced(0)])
    #expect(result.diagnostics.map(\.code) == [.cloudGroupShadowsSyncedGroup])
  }
}

@Suite("Group plans")
struct GroupPlannerTests {
  typealias F = GroupFixture

  @Test func distributionListMigrationCarriesMembersAddressesOwnerAndParents() throws {
    let snapshot = F.snapshot(
      F.cloudDL, members: [F.member("u1"), F.member("u2")], owners: [F.member("u3")],
      parents: [
        SnapshotObject(id: F.syncedParent, type: .group, displayName: "All Staff"),
        SnapshotObject(id: F.dlParent, type: .group, displayName: "Everyone DL"),
      ])
    let plan = F.plan(
      ad: [F.adDL, F.adSyncedParent], cloud: [F.cloudDL, F.cloudSyncedParent, F.cloudDLParent],
      snapshots: [snapshot])
    let item = try #require(plan.items.first { $0.cloud?.id == F.dl })
    #expect(item.action == .migrate)
    #expect(item.matchedBy == .primarySmtp)
    #expect(item.resultingKind == .distribution)
    #expect(item.members?.inBoth.map(\.cloudId) == ["u1"])
    #expect(item.members?.addToDirectory.map(\.distinguishedName) == [F.twin(2).distinguishedName])
    let prepare = try #require(item.prepareDirectory)
    #expect(prepare.addProxyAddresses == ["smtp:news@contoso.com"])
    #expect(prepare.addMembers == [F.twin(2).distinguishedName])
    #expect(prepare.managedBy == F.twin(3).distinguishedName)
    #expect(prepare.joinGroups == [F.adSyncedParent.distinguishedName])
    #expect(prepare.needsExchangeCapture)
    #expect(item.restoreAccess?.parents.map(\.via) == [.exchangeScript, .directory])
    #expect(
      item.steps.map(\.name) == [
        .snapshot, .prepareDirectory, .deleteCloudGroup, .waitForSync, .verify, .restoreAccess,
      ])
    #expect(item.steps[2].actor == .exchangeScript)
    #expect(item.snapshotDigest == snapshot.digest)
    // The synced parent's AD twin is itself already synced: noop.
    #expect(plan.items.first { $0.cloud?.id == F.syncedParent }?.action == .noop)
  }

  @Test func membersWithoutATwinBlockUnlessLossIsAllowed() throws {
    let snapshot = F.snapshot(
      F.cloudSecurity,
      members: [F.member("u1"), F.member("guest9"), F.member("contact1", .orgContact)])
    let blocked = F.plan(ad: [F.adSecurity], cloud: [F.cloudSecurity], snapshots: [snapshot])
    let item = try #require(blocked.items.first)
    #expect(item.action == .blocked && item.reason == .membersWithoutDirectoryTwin)
    #expect(item.members?.withoutDirectoryTwin.map(\.id) == ["contact1", "guest9"])
    #expect(item.explanation.contains("guest9@contoso.com"))
    #expect(item.members?.directoryOnly == [F.twin(2).distinguishedName])

    let allowed = F.plan(
      ad: [F.adSecurity], cloud: [F.cloudSecurity], snapshots: [snapshot],
      planner: GroupPlanner(allowMemberLoss: true))
    #expect(allowed.items.first?.action == .migrate)
    #expect(allowed.items.first?.steps[2].actor == .anchorbridge)
  }

  @Test(arguments: [
    (DiagnosticCode.groupHasTeam, true, nil as String?),
    (DiagnosticCode.dynamicMembership, false, "user.department -eq \"Sales\""),
  ])
  func teamsAndDynamicGroupsAreBlocked(reason: DiagnosticCode, team: Bool, rule: String?) {
    let m365 = CloudGroup(
      id: F.m365, displayName: "VPN Users", mail: "vpn@contoso.com", mailEnabled: true,
      securityEnabled: false, groupTypes: ["Unified"], proxyAddresses: ["SMTP:vpn@contoso.com"])
    let plan = F.plan(
      ad: [F.adSecurity], cloud: [m365], snapshots: [F.snapshot(m365, team: team, rule: rule)])
    #expect(plan.items.first?.action == .blocked)
    #expect(plan.items.first?.reason == reason)
  }

  @Test func kindChangeIsAWarningOrABlockWhenAccessNeedsSecurity() {
    let m365 = CloudGroup(
      id: F.m365, displayName: "Announcements", mail: "announce@contoso.com", mailEnabled: true,
      securityEnabled: false, groupTypes: ["Unified"], proxyAddresses: ["SMTP:announce@contoso.com"]
    )
    let warned = F.plan(ad: [F.adDL], cloud: [m365], snapshots: [F.snapshot(m365)])
    #expect(warned.items.first?.action == .migrate)
    #expect(warned.items.first?.diagnostics.map(\.code) == [.groupKindChanges])
    let licensed = F.plan(
      ad: [F.adDL], cloud: [m365],
      snapshots: [F.snapshot(m365, licenses: [SnapshotLicense(skuId: "sku-1")])])
    #expect(licensed.items.first?.action == .blocked)
    #expect(licensed.items.first?.reason == .groupKindChanges)
  }

  @Test func cloudParentsAreRestoredThroughGraphAndAppRolesAndLicencesCarried() throws {
    let role = SnapshotAppRoleAssignment(id: "ra1", appRoleId: "r1", resourceId: "sp1")
    let snapshot = F.snapshot(
      F.cloudSecurity, members: [F.member("u1")],
      parents: [SnapshotObject(id: F.parentId, type: .group, displayName: "Cloud Apps Access")],
      roles: [role], licenses: [SnapshotLicense(skuId: "sku-1")])
    let plan = F.plan(
      ad: [F.adSecurity], cloud: [F.cloudSecurity, F.cloudParent], snapshots: [snapshot])
    let restore = try #require(plan.items.first?.restoreAccess)
    #expect(restore.parents.map(\.via) == [.graph])
    #expect(restore.appRoleAssignments == [role])
    #expect(restore.licenses.map(\.skuId) == ["sku-1"])
  }

  @Test func sameInputsInAnotherOrderGiveTheSamePlan() {
    let snapshots = [
      F.snapshot(F.cloudDL, members: [F.member("u1")]),
      F.snapshot(F.cloudSecurity, members: [F.member("u2")]),
    ]
    let a = F.plan(
      ad: [F.adDL, F.adSecurity], cloud: [F.cloudDL, F.cloudSecurity], snapshots: snapshots)
    let b = F.plan(
      ad: [F.adSecurity, F.adDL], cloud: [F.cloudSecurity, F.cloudDL],
      snapshots: snapshots.reversed())
    #expect(a == b)
    let changed = F.plan(
      ad: [F.adDL, F.adSecurity], cloud: [F.cloudDL, F.cloudSecurity],
      snapshots: [F.snapshot(F.cloudDL, members: [F.member("u1"), F.member("u3")]), snapshots[1]])
    #expect(changed.inputFingerprint != a.inputFingerprint)
  }

  @Test func missingSnapshotBlocks() {
    let plan = F.plan(ad: [F.adDL], cloud: [F.cloudDL], snapshots: [])
    #expect(plan.items.first?.reason == .snapshotMissing)
    #expect(
      GroupPlanner().snapshotTargets(directoryGroups: [F.adDL], cloudGroups: [F.cloudDL]) == [F.dl])
  }

  @Test func toCloudUsesSourceOfAuthorityWhereSupportedElseRecreates() throws {
    let snapshot = F.snapshot(F.cloudSyncedParent, members: [F.member("u1")])
    let soa = F.plan(
      ad: [F.adSyncedParent], cloud: [F.cloudSyncedParent], snapshots: [snapshot],
      planner: GroupPlanner(direction: .toCloud, sourceOfAuthoritySupported: true))
    #expect(soa.items.first?.action == .switchSourceOfAuthority)
    #expect(
      soa.items.first?.steps.map(\.name) == [
        .snapshot, .switchSourceOfAuthority, .waitForSync, .verify,
      ])
    let copy = F.plan(
      ad: [F.adSyncedParent], cloud: [F.cloudSyncedParent], snapshots: [snapshot],
      planner: GroupPlanner(direction: .toCloud))
    let item = try #require(copy.items.first)
    #expect(item.action == .recreateInCloud && item.reason == .sourceOfAuthorityUnsupported)
    #expect(
      item.steps.map(\.name) == [.snapshot, .removeFromSyncScope, .waitForSync, .createCloudGroup])
    #expect(
      GroupPlanner(direction: .toCloud).snapshotTargets(
        directoryGroups: [F.adSyncedParent], cloudGroups: [F.cloudSyncedParent]) == [F.syncedParent]
    )
  }
}

@Suite("Exchange Online script")
struct ExchangeScriptTests {
  typealias F = GroupFixture

  @Test func literalsDoubleQuotes() {
    #expect(ExchangeScript.literal("O'Brien") == "'O''Brien'")
    #expect(ExchangeScript.literal("a\u{2019}b") == "'a\u{2019}\u{2019}b'")
    #expect(ExchangeScript.literal("$(Remove-Item x)") == "'$(Remove-Item x)'")
    #expect(ExchangeScript.literal("line\nbreak") == "'line break'")
  }

  @Test func migrationScriptCapturesAndRemovesOnlyExchangeGroups() {
    let plan = F.plan(
      ad: [F.adDL, F.adSecurity], cloud: [F.cloudDL, F.cloudSecurity, F.cloudDLParent],
      snapshots: [
        F.snapshot(
          F.cloudDL, members: [F.member("u1")],
          parents: [SnapshotObject(id: F.dlParent, type: .group)]),
        F.snapshot(F.cloudSecurity, members: [F.member("u1")]),
      ])
    let script = ExchangeScript.migration(plan)
    #expect(
      script.contains("Save-AnchorBridgeCapture -Id '\(F.dl)' -ExpectedSmtp 'announce@contoso.com'")
    )
    #expect(
      script.contains(
        "Remove-DistributionGroup -Identity '\(F.dl)' -BypassSecurityGroupManagerCheck -Confirm:$false"
      ))
    #expect(!script.contains("-Identity '\(F.security)'"))
    #expect(
      script.contains(
        "Add-DistributionGroupMember -Identity '\(F.dlParent)' -Member 'announce@contoso.com'"))
    for field in [
      "LegacyExchangeDN", "ManagedBy", "AcceptMessagesOnlyFromSendersOrMembers",
      "RejectMessagesFromSendersOrMembers", "HiddenFromAddressListsEnabled",
      "RequireSenderAuthenticationEnabled", "ModerationEnabled", "GrantSendOnBehalfTo", "SendAs",
    ] {
      #expect(script.contains(field), "capture lacks \(field)")
    }
  }

  @Test func restoreScriptRebuildsFromSnapshotAndCapture() {
    var capture = ExchangeCapture(externalDirectoryObjectId: F.dl)
    capture.legacyExchangeDN =
      "/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=abc-announce"
    capture.managedBy = ["owner@contoso.com"]
    capture.hiddenFromAddressListsEnabled = true
    capture.sendAs = ["sender@contoso.com"]
    let snapshot = F.snapshot(F.cloudDL, members: [F.member("u1")])
    let script = ExchangeScript.restore(snapshot, capture: capture)
    #expect(
      script.contains(
        "New-DistributionGroup -Name 'Announcements' -DisplayName 'Announcements' -Alias 'announce' -PrimarySmtpAddress 'announce@contoso.com' -Type Distribution -Members @('u1@contoso.com')"
      ))
    #expect(
      script.contains(
        "'X500:/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=abc-announce'"
      ))
    #expect(script.contains("'smtp:news@contoso.com'"))
    #expect(script.contains("-ManagedBy @('owner@contoso.com')"))
    #expect(script.contains("-HiddenFromAddressListsEnabled $true"))
    #expect(
      script.contains(
        "Add-RecipientPermission -Identity $group.Identity -Trustee 'sender@contoso.com' -AccessRights SendAs"
      ))
    let bare = ExchangeScript.restore(snapshot, capture: nil)
    #expect(bare.contains("# no Exchange capture"))
  }
}

@Suite("Group plans: what must not be lost")
struct GroupPlannerSafetyTests {
  typealias F = GroupFixture

  @Test func aDifferentPrimaryAddressInADBlocks() {
    let ad = F.adGroup(
      100, cn: "DL-Announce", kind: .distribution, mail: "other@contoso.com",
      proxy: ["SMTP:other@contoso.com", "smtp:news@contoso.com"])
    let plan = F.plan(ad: [ad], cloud: [F.cloudDL], snapshots: [F.snapshot(F.cloudDL)])
    #expect(plan.items.first?.matchedBy == .proxyAddresses)
    #expect(plan.items.first?.action == .blocked)
    #expect(plan.items.first?.reason == .primarySmtpDiffers)
  }

  @Test func anADGroupWithoutAddressGetsTheCloudOnes() throws {
    let ad = F.adGroup(100, cn: "announce", kind: .distribution)
    let plan = F.plan(ad: [ad], cloud: [F.cloudDL], snapshots: [F.snapshot(F.cloudDL)])
    let prepare = try #require(plan.items.first?.prepareDirectory)
    #expect(plan.items.first?.matchedBy == .mailNickname)
    #expect(prepare.setMail == "announce@contoso.com")
    #expect(prepare.addProxyAddresses == ["SMTP:announce@contoso.com", "smtp:news@contoso.com"])
    #expect(plan.items.first?.resultingKind == .distribution)
  }

  @Test func aConvertedTwinIsNeverDeleted() {
    // Same objectSid as the AD group, no longer synced (Group SOA): the twin already.
    let converted = CloudGroup(
      id: "g-conv", displayName: "VPN Users", onPremisesSyncEnabled: nil,
      onPremisesSecurityIdentifier: F.adSecurity.objectSid, mailNickname: "vpn")
    let toDirectory = F.plan(ad: [F.adSecurity], cloud: [converted], snapshots: [])
    #expect(toDirectory.items.first?.action == .blocked)
    #expect(toDirectory.items.first?.reason == .groupIsConvertedTwin)
    let toCloud = F.plan(
      ad: [F.adSecurity], cloud: [converted], snapshots: [],
      planner: GroupPlanner(direction: .toCloud))
    #expect(toCloud.items.first?.action == .noop)
    // No other AD group can claim it by name.
    let other = F.adGroup(9, cn: "VPN Users", kind: .security)
    #expect(
      GroupMatcher().match(directory: [other], cloud: [converted]).outcomes == [.none])
  }

  @Test func aParentMovingToADIsJoinedThroughItsTwinAndOthersAreReported() throws {
    let snapshot = F.snapshot(
      F.cloudSecurity, members: [F.member("u1")],
      parents: [
        SnapshotObject(id: F.dl, type: .group, displayName: "Announcements"),
        SnapshotObject(id: "au-1", type: .other, displayName: "Sales AU"),
      ])
    let plan = F.plan(
      ad: [F.adDL, F.adSecurity], cloud: [F.cloudDL, F.cloudSecurity],
      snapshots: [snapshot, F.snapshot(F.cloudDL, members: [F.member("u1")])])
    let item = try #require(plan.items.first { $0.cloud?.id == F.security })
    #expect(item.restoreAccess?.parents.map(\.via) == [.directory])
    #expect(item.prepareDirectory?.joinGroups == [F.adDL.distinguishedName])
    #expect(item.diagnostics.contains { $0.code == .parentNotAGroup && $0.subject == "au-1" })
  }

  @Test func microsoft365GroupsNeedTheirX500FromExchange() {
    let m365 = CloudGroup(
      id: F.m365, displayName: "Announcements", mail: "announce@contoso.com", mailEnabled: true,
      securityEnabled: false, groupTypes: ["Unified"],
      proxyAddresses: ["SMTP:announce@contoso.com"])
    let plan = F.plan(ad: [F.adDL], cloud: [m365], snapshots: [F.snapshot(m365)])
    #expect(plan.items.first?.prepareDirectory?.needsExchangeCapture == true)
    let script = ExchangeScript.migration(plan)
    #expect(
      script.contains(
        "Save-AnchorBridgeCapture -Id '\(F.m365)' -ExpectedSmtp 'announce@contoso.com' -Unified"))
    #expect(!script.contains("Remove-DistributionGroup -Identity '\(F.m365)'"))
  }
}

@Suite("Exchange Online script: PowerShell that parses and captures lists as lists")
struct ExchangeScriptSafetyTests {
  typealias F = GroupFixture

  /// `"...$name: ..."` is a parse error in PowerShell (a drive-qualified variable); every variable
  /// followed by a colon inside a double-quoted string must be written `${name}`.
  static func driveQualifiedVariables(_ script: String) -> [String] {
    var found: [String] = []
    for line in script.split(separator: "\n") {
      var inDouble = false
      var inSingle = false
      var chars = Array(line)
      chars.append(" ")
      var index = 0
      while index < chars.count - 1 {
        let c = chars[index]
        if c == "'" && !inDouble { inSingle.toggle() }
        if c == "\"" && !inSingle { inDouble.toggle() }
        if inDouble, c == "$", chars[index + 1].isLetter {
          var end = index + 1
          while end < chars.count, chars[end].isLetter || chars[end].isNumber { end += 1 }
          if end < chars.count, chars[end] == ":" { found.append(String(line)) }
        }
        index += 1
      }
    }
    return found
  }

  @Test func noDriveQualifiedVariablesInStrings() {
    let plan = F.plan(
      ad: [F.adDL], cloud: [F.cloudDL, F.cloudDLParent],
      snapshots: [F.snapshot(F.cloudDL, parents: [SnapshotObject(id: F.dlParent, type: .group)])])
    let scripts = [
      ExchangeScript.migration(plan),
      ExchangeScript.restore(F.snapshot(F.cloudDL), capture: nil),
    ]
    for script in scripts { #expect(Self.driveQualifiedVariables(script) == []) }
    #expect(Self.driveQualifiedVariables("throw \"$Id: x\"").count == 1)
    #expect(Self.driveQualifiedVariables("throw \"${Id}: x\" + '$a: b'").isEmpty)
  }

  @Test func everyListIsCapturedAsAnArray() {
    let function = ExchangeScript.captureFunction.joined(separator: "\n")
    for field in [
      "EmailAddresses", "ManagedBy", "AcceptMessagesOnlyFromSendersOrMembers",
      "RejectMessagesFromSendersOrMembers", "ModeratedBy", "GrantSendOnBehalfTo",
      "BypassModerationFromSendersOrMembers",
    ] {
      #expect(function.contains("\(field) = @("), "\(field) may be unwrapped to a string")
    }
  }

  @Test func captureFilesWithSingleValuesStillDecode() throws {
    let json = """
      {"ExternalDirectoryObjectId":"g1","ManagedBy":"owner@contoso.com","EmailAddresses":null,
       "SendAs":["a@contoso.com"],"HiddenFromAddressListsEnabled":true,"Notes":""}
      """
    let capture = try decode(json)
    #expect(capture.managedBy == ["owner@contoso.com"])
    #expect(capture.emailAddresses == nil)
    #expect(capture.sendAs == ["a@contoso.com"])
    // An empty Notes does not replace the snapshot's description.
    var snapshot = F.snapshot(F.cloudDL)
    snapshot.group.description = "All hands"
    #expect(ExchangeScript.restore(snapshot, capture: capture).contains("-Notes 'All hands'"))
  }

  @Test func recreatedMicrosoft365GroupsGetTheirAddressesBack() throws {
    var capture = ExchangeCapture(externalDirectoryObjectId: F.m365)
    capture.legacyExchangeDN = "/o=ExchangeLabs/cn=Recipients/cn=team"
    let m365 = CloudGroup(
      id: F.m365, displayName: "Team", mail: "team@contoso.com", mailEnabled: true,
      securityEnabled: false, groupTypes: ["Unified"],
      proxyAddresses: ["SMTP:team@contoso.com", "smtp:team-old@contoso.com"])
    let script = try #require(
      ExchangeScript.restoreUnified(
        F.snapshot(m365), capture: capture, newGroupId: "new-id",
        newMail: "team@contoso.onmicrosoft.com"))
    #expect(
      script.contains(
        "Set-UnifiedGroup -Identity 'new-id' -PrimarySmtpAddress 'team@contoso.com' "
          + "-EmailAddresses @{Add=@('smtp:team-old@contoso.com','X500:/o=ExchangeLabs/cn=Recipients/cn=team')}"
      ))
    let plain = CloudGroup(
      id: F.m365, displayName: "Team", mail: "team@contoso.com", mailEnabled: true,
      securityEnabled: false, groupTypes: ["Unified"], proxyAddresses: ["SMTP:team@contoso.com"])
    #expect(
      ExchangeScript.restoreUnified(
        F.snapshot(plain), capture: nil, newGroupId: "new-id", newMail: "team@contoso.com") == nil)
  }

  private func decode(_ json: String) throws -> ExchangeCapture {
    try JSONDecoder().decode(ExchangeCapture.self, from: Data(json.utf8))
  }
}
