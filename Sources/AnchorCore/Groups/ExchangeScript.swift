/// The Exchange Online PowerShell that does what Graph cannot: capture and remove distribution
/// lists and mail-enabled security groups, re-add the new group to distribution-list parents, and
/// (for `groups restore`) recreate a removed list from its snapshot and capture.
///
/// Every value is written as a single-quoted PowerShell literal (`'` doubled), so no name or
/// address from the tenant can change the script's meaning.
public enum ExchangeScript {
  /// The migration script for a plan: `-Capture` (default) saves each group's Exchange settings to
  /// `<CaptureDirectory>/<id>.json`; `-Remove` removes each group whose capture file exists;
  /// `-RestoreAccess` (after sync and `groups verify`) adds the synced group to its
  /// distribution-list parents.
  public static func migration(_ plan: GroupPlan) -> String {
    let groups = plan.items.filter {
      $0.action == .migrate && ($0.cloud?.kind.isExchangeManaged ?? false)
    }
    let unified = plan.items.filter { $0.action == .migrate && $0.cloud?.kind == .microsoft365 }
    let parents = plan.items.filter { $0.action == .migrate }.flatMap { item in
      (item.restoreAccess?.parents ?? []).filter { $0.via == .exchangeScript }.map { (item, $0) }
    }
    var lines = header(
      "groups migration plan \(plan.inputFingerprint) for tenant \(plan.tenant), created "
        + plan.createdAt)
    lines += [
      "param(",
      "  [string]$CaptureDirectory = '.\\anchorbridge-capture',",
      "  [switch]$Remove,",
      "  [switch]$RestoreAccess",
      ")",
      "$ErrorActionPreference = 'Stop'",
      "New-Item -ItemType Directory -Force -Path $CaptureDirectory | Out-Null",
      "",
    ]
    lines += captureFunction
    lines += [
      "",
      "# Distribution lists and mail-enabled security groups in this plan: \(groups.count); "
        + "Microsoft 365 groups (captured only: Graph deletes them): \(unified.count)",
    ]
    lines += ["if (-not $Remove -and -not $RestoreAccess) {"]
    for item in groups + unified {
      guard let cloud = item.cloud else { continue }
      lines.append(
        "  Save-AnchorBridgeCapture -Id \(literal(cloud.id)) -ExpectedSmtp "
          + "\(literal(cloud.primarySmtp ?? ""))"
          + (cloud.kind == .microsoft365 ? " -Unified" : "")
          + "  # \(comment(cloud.displayName))")
    }
    lines += ["}", "if ($Remove) {"]
    for item in groups {
      guard let cloud = item.cloud else { continue }
      let file = "(Join-Path $CaptureDirectory \(literal(cloud.id + ".json")))"
      lines += [
        "  if (Get-DistributionGroup -Identity \(literal(cloud.id)) -ErrorAction SilentlyContinue) {",
        "    if (-not (Test-Path \(file))) { throw \(literal("no capture for \(cloud.id): run the script without -Remove first")) }",
        "    Remove-DistributionGroup -Identity \(literal(cloud.id)) -BypassSecurityGroupManagerCheck -Confirm:$false",
        "  }",
      ]
    }
    lines += ["}", "if ($RestoreAccess) {"]
    for (item, parent) in parents {
      guard let smtp = item.directory?.primarySmtp ?? item.cloud?.primarySmtp else { continue }
      lines += [
        "  if (-not @(Get-DistributionGroupMember -Identity \(literal(parent.id)) -ResultSize Unlimited | "
          + "Where-Object { [string]$_.PrimarySmtpAddress -eq \(literal(smtp)) }).Count) {"
          + "  # \(comment(parent.displayName ?? parent.id))",
        "    Add-DistributionGroupMember -Identity \(literal(parent.id)) -Member \(literal(smtp)) "
          + "-BypassSecurityGroupManagerCheck",
        "  }",
      ]
    }
    lines.append("}")
    return lines.joined(separator: "\n") + "\n"
  }

  /// Recreates a removed distribution list or mail-enabled security group (the rollback of a
  /// migration): `New-DistributionGroup` with its name, alias, addresses and members, then every
  /// captured setting, the X500 of its old legacyExchangeDN, Send-As and its parents.
  public static func restore(_ snapshot: GroupSnapshot, capture: ExchangeCapture?) -> String {
    let group = snapshot.group
    let smtp = capture?.primarySmtpAddress ?? group.primarySmtp ?? group.mail ?? ""
    let alias = capture?.alias ?? group.mailNickname ?? ""
    var lines = header("restore of \(group.id) (\(group.displayName)) from its snapshot")
    lines += ["$ErrorActionPreference = 'Stop'"]
    let type = group.securityEnabled ? "Security" : "Distribution"
    let members = snapshot.members.map { $0.userPrincipalName ?? $0.id }
    var create =
      "$group = New-DistributionGroup -Name \(literal(capture?.name ?? group.displayName)) "
      + "-DisplayName \(literal(capture?.displayName ?? group.displayName)) -Alias \(literal(alias)) "
      + "-PrimarySmtpAddress \(literal(smtp)) -Type \(type)"
    if !members.isEmpty { create += " -Members \(array(members))" }
    let captured = capture?.notes.flatMap { $0.isEmpty ? nil : $0 }
    if let notes = captured ?? group.description { create += " -Notes \(literal(notes))" }
    lines.append(create)

    var addresses = group.proxyAddresses.filter { !$0.hasPrefix("SMTP:") }
    for address in capture?.emailAddresses ?? [] where !address.hasPrefix("SMTP:") {
      if !addresses.contains(address) { addresses.append(address) }
    }
    if let x500 = capture?.x500Address, !addresses.contains(x500) { addresses.append(x500) }
    var settings: [String] = []
    if !addresses.isEmpty { settings.append("-EmailAddresses @{Add=\(array(addresses))}") }
    if let capture {
      func list(_ name: String, _ values: [String]?) {
        if let values, !values.isEmpty { settings.append("-\(name) \(array(values))") }
      }
      func flag(_ name: String, _ value: Bool?) {
        if let value { settings.append("-\(name) $\(value)") }
      }
      func text(_ name: String, _ value: String?) {
        if let value, !value.isEmpty { settings.append("-\(name) \(literal(value))") }
      }
      list("ManagedBy", capture.managedBy)
      text("MemberJoinRestriction", capture.memberJoinRestriction)
      text("MemberDepartRestriction", capture.memberDepartRestriction)
      flag("RequireSenderAuthenticationEnabled", capture.requireSenderAuthenticationEnabled)
      flag("HiddenFromAddressListsEnabled", capture.hiddenFromAddressListsEnabled)
      list("AcceptMessagesOnlyFromSendersOrMembers", capture.acceptMessagesOnlyFromSendersOrMembers)
      list("RejectMessagesFromSendersOrMembers", capture.rejectMessagesFromSendersOrMembers)
      flag("ModerationEnabled", capture.moderationEnabled)
      list("ModeratedBy", capture.moderatedBy)
      list("BypassModerationFromSendersOrMembers", capture.bypassModerationFromSendersOrMembers)
      text("SendModerationNotifications", capture.sendModerationNotifications)
      list("GrantSendOnBehalfTo", capture.grantSendOnBehalfTo)
    } else {
      settings.append(
        "# no Exchange capture: ManagedBy, delivery restrictions and moderation are not restored")
    }
    let real = settings.filter { !$0.hasPrefix("#") }
    if !real.isEmpty {
      lines.append(
        "Set-DistributionGroup -Identity $group.Identity -BypassSecurityGroupManagerCheck "
          + real.joined(separator: " "))
    }
    lines += settings.filter { $0.hasPrefix("#") }
    for trustee in capture?.sendAs ?? [] {
      lines.append(
        "Add-RecipientPermission -Identity $group.Identity -Trustee \(literal(trustee)) "
          + "-AccessRights SendAs -Confirm:$false")
    }
    for parent in snapshot.parents where parent.type == .group {
      if parent.groupKind?.isExchangeManaged ?? false {
        lines.append(
          "Add-DistributionGroupMember -Identity \(literal(parent.id)) -Member $group.Identity "
            + "-BypassSecurityGroupManagerCheck  # \(comment(parent.label))")
      } else {
        lines.append(
          "# parent \(comment(parent.label)) (\(parent.id)) is not an Exchange group: "
            + "anchorbridge groups restore adds the new group to it through Graph")
      }
    }
    lines.append("$group.ExternalDirectoryObjectId")
    return lines.joined(separator: "\n") + "\n"
  }

  /// After `groups restore` recreated a Microsoft 365 group through Graph (which sets only its
  /// nickname@default-domain address): its original primary address, its other addresses, the X500
  /// of its old legacyExchangeDN and the captured Exchange settings. Nil when there is nothing to set.
  public static func restoreUnified(
    _ snapshot: GroupSnapshot, capture: ExchangeCapture?, newGroupId: String, newMail: String?
  ) -> String? {
    let group = snapshot.group
    var settings: [String] = []
    if let smtp = group.primarySmtp, !CaseFolding.equal(smtp, newMail ?? "") {
      settings.append("-PrimarySmtpAddress \(literal(smtp))")
    }
    var addresses = group.proxyAddresses.filter { !$0.hasPrefix("SMTP:") }
    if let x500 = capture?.x500Address, !addresses.contains(x500) { addresses.append(x500) }
    if !addresses.isEmpty { settings.append("-EmailAddresses @{Add=\(array(addresses))}") }
    if let hidden = capture?.hiddenFromAddressListsEnabled, hidden {
      settings.append("-HiddenFromAddressListsEnabled $true")
    }
    if let accept = capture?.acceptMessagesOnlyFromSendersOrMembers, !accept.isEmpty {
      settings.append("-AcceptMessagesOnlyFromSendersOrMembers \(array(accept))")
    }
    if let require = capture?.requireSenderAuthenticationEnabled {
      settings.append("-RequireSenderAuthenticationEnabled $\(require)")
    }
    guard !settings.isEmpty || !(capture?.sendAs ?? []).isEmpty else { return nil }
    var lines = header("addresses and settings of \(group.displayName), recreated as \(newGroupId)")
    lines.append("$ErrorActionPreference = 'Stop'")
    if !settings.isEmpty {
      lines.append(
        "Set-UnifiedGroup -Identity \(literal(newGroupId)) " + settings.joined(separator: " "))
    }
    for trustee in capture?.sendAs ?? [] {
      lines.append(
        "Add-RecipientPermission -Identity \(literal(newGroupId)) -Trustee \(literal(trustee)) "
          + "-AccessRights SendAs -Confirm:$false")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  // MARK: Text

  /// A single-quoted PowerShell literal: `'` is doubled, and so are the typographic quotes
  /// PowerShell also treats as quote characters.
  public static func literal(_ value: String) -> String {
    var out = "'"
    for character in value {
      switch character {
      case "'", "\u{2018}", "\u{2019}", "\u{201A}", "\u{201B}":
        out.append(character)
        out.append(character)
      case "\n", "\r":
        out.append(" ")
      default:
        out.append(character)
      }
    }
    return out + "'"
  }

  static func array(_ values: [String]) -> String {
    "@(" + values.map(literal).joined(separator: ",") + ")"
  }

  /// Text after `#`: one line, no characters that end a comment.
  static func comment(_ value: String) -> String {
    String(value.map { $0.isNewline ? " " : $0 })
  }

  static func header(_ title: String) -> [String] {
    [
      "# Generated by AnchorBridge: \(comment(title)).",
      "# Run in Exchange Online PowerShell (Connect-ExchangeOnline) as an Exchange administrator.",
      "# Review before running; every value is a quoted literal from the plan or snapshot.",
      "",
    ]
  }

  static let captureFunction = [
    "function Save-AnchorBridgeCapture {",
    "  param([string]$Id, [string]$ExpectedSmtp, [switch]$Unified)",
    "  if ($Unified) { $g = Get-UnifiedGroup -Identity $Id } else { $g = Get-DistributionGroup -Identity $Id }",
    "  if ([string]$g.PrimarySmtpAddress -ne $ExpectedSmtp) {",
    "    throw \"${Id} has primary SMTP $($g.PrimarySmtpAddress), the plan expected ${ExpectedSmtp}: plan again\"",
    "  }",
    "  if ($Unified) {",
    "    $members = @(Get-UnifiedGroupLinks -Identity $Id -LinkType Members -ResultSize Unlimited | ForEach-Object { [string]$_.PrimarySmtpAddress })",
    "  } else {",
    "    $members = @(Get-DistributionGroupMember -Identity $Id -ResultSize Unlimited | ForEach-Object { [string]$_.PrimarySmtpAddress })",
    "  }",
    "  $sendAs = @(Get-RecipientPermission -Identity $Id -AccessRights SendAs | Where-Object { -not $_.IsInherited } | ForEach-Object { [string]$_.Trustee })",
    "  $notes = [string](Get-Group -Identity $Id).Notes",
    "  # @(...) keeps one value an array: ConvertTo-Json writes every list as a JSON array.",
    "  [ordered]@{",
    "    ExternalDirectoryObjectId = [string]$g.ExternalDirectoryObjectId",
    "    Name = [string]$g.Name; Alias = [string]$g.Alias; DisplayName = [string]$g.DisplayName",
    "    PrimarySmtpAddress = [string]$g.PrimarySmtpAddress",
    "    EmailAddresses = @($g.EmailAddresses | ForEach-Object { [string]$_ })",
    "    LegacyExchangeDN = [string]$g.LegacyExchangeDN",
    "    GroupType = $(if ($Unified) { 'Unified' } elseif ([string]$g.RecipientTypeDetails -like '*Security*') { 'Security' } else { 'Distribution' })",
    "    ManagedBy = @($g.ManagedBy | ForEach-Object { [string]$_ })",
    "    Members = $members",
    "    MemberJoinRestriction = [string]$g.MemberJoinRestriction",
    "    MemberDepartRestriction = [string]$g.MemberDepartRestriction",
    "    RequireSenderAuthenticationEnabled = [bool]$g.RequireSenderAuthenticationEnabled",
    "    HiddenFromAddressListsEnabled = [bool]$g.HiddenFromAddressListsEnabled",
    "    AcceptMessagesOnlyFromSendersOrMembers = @($g.AcceptMessagesOnlyFromSendersOrMembers | ForEach-Object { [string]$_ })",
    "    RejectMessagesFromSendersOrMembers = @($g.RejectMessagesFromSendersOrMembers | ForEach-Object { [string]$_ })",
    "    ModerationEnabled = [bool]$g.ModerationEnabled",
    "    ModeratedBy = @($g.ModeratedBy | ForEach-Object { [string]$_ })",
    "    BypassModerationFromSendersOrMembers = @($g.BypassModerationFromSendersOrMembers | ForEach-Object { [string]$_ })",
    "    SendModerationNotifications = [string]$g.SendModerationNotifications",
    "    GrantSendOnBehalfTo = @($g.GrantSendOnBehalfTo | ForEach-Object { [string]$_ })",
    "    SendAs = $sendAs",
    "    Notes = $notes",
    "  } | ConvertTo-Json -Depth 4 | Set-Content -Encoding UTF8 -Path (Join-Path $CaptureDirectory \"$Id.json\")",
    "}",
  ]
}
