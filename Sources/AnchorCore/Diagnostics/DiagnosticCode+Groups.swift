/// Reason codes of group plans (`GroupPlanner`) and the matcher's findings.
extension DiagnosticCode {
  // migrate
  /// A cloud-only group has an AD twin: delete it in the cloud and let sync create the twin.
  public static let cloudOnlyGroupWithDirectoryTwin: DiagnosticCode =
    "cloudOnlyGroupWithDirectoryTwin"
  // alreadySynced
  /// The AD group is already synced (its objectSid is a cloud group's onPremisesSecurityIdentifier).
  public static let groupAlreadySynced: DiagnosticCode = "groupAlreadySynced"
  // switchSourceOfAuthority / recreateInCloud
  /// The tenant supports Group Source of Authority: `onPremisesSyncBehavior.isCloudManaged = true`.
  public static let sourceOfAuthoritySupported: DiagnosticCode = "sourceOfAuthoritySupported"
  /// No Group SOA in this tenant: copy the group in the cloud, take the AD group out of sync scope.
  public static let sourceOfAuthorityUnsupported: DiagnosticCode = "sourceOfAuthorityUnsupported"
  /// Already cloud-managed (isCloudManaged, or onPremisesSyncEnabled no longer true).
  public static let groupAlreadyCloudManaged: DiagnosticCode = "groupAlreadyCloudManaged"
  // blocked
  /// Members with no AD twin would be lost when the cloud group is deleted.
  public static let membersWithoutDirectoryTwin: DiagnosticCode = "membersWithoutDirectoryTwin"
  /// Dynamic membership (membershipRule) cannot be carried by an AD group.
  public static let dynamicMembership: DiagnosticCode = "dynamicMembership"
  /// Role-assignable groups cannot be synced from AD.
  public static let roleAssignableGroup: DiagnosticCode = "roleAssignableGroup"
  /// The Microsoft 365 group has a team: deleting it deletes the team's conversations and files.
  public static let groupHasTeam: DiagnosticCode = "groupHasTeam"
  /// The cloud group came from this AD group and is cloud-managed now: return it to AD
  /// (`isCloudManaged = false`) instead of deleting it.
  public static let groupIsConvertedTwin: DiagnosticCode = "groupIsConvertedTwin"
  /// The AD group's primary SMTP address is another one: sync would change the group's address.
  public static let primarySmtpDiffers: DiagnosticCode = "primarySmtpDiffers"
  /// The cloud group's snapshot could not be read (no plan without a snapshot).
  public static let snapshotMissing: DiagnosticCode = "snapshotMissing"
  // noTwin / conflict
  // (no cloud group matches the AD group: `noCloudTwin`, shared with users)
  /// Several cloud groups match the AD group under one rule.
  public static let ambiguousGroupMatch: DiagnosticCode = "ambiguousGroupMatch"
  /// One cloud group is the twin of several AD groups.
  public static let cloudGroupClaimedTwice: DiagnosticCode = "cloudGroupClaimedTwice"
  // warnings
  /// The synced twin will be of another kind (e.g. a Microsoft 365 group becomes a distribution list).
  public static let groupKindChanges: DiagnosticCode = "groupKindChanges"
  /// Several groups on one side share a primary SMTP address.
  public static let duplicateGroupSmtp: DiagnosticCode = "duplicateGroupSmtp"
  /// A cloud-only group has the address or name of an AD group that is already synced.
  public static let cloudGroupShadowsSyncedGroup: DiagnosticCode = "cloudGroupShadowsSyncedGroup"
  /// Only one owner survives as AD managedBy (single-valued); the others are listed.
  public static let ownersNotCarried: DiagnosticCode = "ownersNotCarried"
  /// A parent group is synced: the AD twin is added to the parent's AD twin instead.
  public static let parentGroupSynced: DiagnosticCode = "parentGroupSynced"
  /// The group is in an administrative unit (or another non-group container): restore by hand.
  public static let parentNotAGroup: DiagnosticCode = "parentNotAGroup"
  /// A synced parent group has no AD twin in scope: that membership must be restored by hand.
  public static let parentWithoutDirectoryTwin: DiagnosticCode = "parentWithoutDirectoryTwin"
}
