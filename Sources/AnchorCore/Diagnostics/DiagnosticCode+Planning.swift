/// Reason codes of plan items and planner diagnostics. Scripts branch on these; messages may change.
extension DiagnosticCode {
  // link / relink / noop
  public static let cloudUserHasNoImmutableId: DiagnosticCode = "cloudUserHasNoImmutableId"
  public static let immutableIdDiffers: DiagnosticCode = "immutableIdDiffers"
  public static let alreadyLinked: DiagnosticCode = "alreadyLinked"
  public static let syncedAndLinked: DiagnosticCode = "syncedAndLinked"
  public static let federatedDomainSequence: DiagnosticCode = "federatedDomainSequence"
  // blocked
  public static let cloudUserSynced: DiagnosticCode = "cloudUserSynced"
  public static let cloudUserHoldsRole: DiagnosticCode = "cloudUserHoldsRole"
  public static let relinkNotAllowed: DiagnosticCode = "relinkNotAllowed"
  public static let noSourceAnchor: DiagnosticCode = "noSourceAnchor"
  public static let noInitialDomain: DiagnosticCode = "noInitialDomain"
  public static let temporaryUpnTaken: DiagnosticCode = "temporaryUpnTaken"
  public static let federatedClearNotAllowed: DiagnosticCode = "federatedClearNotAllowed"
  // conflict
  public static let ambiguousCloudMatch: DiagnosticCode = "ambiguousCloudMatch"
  public static let duplicateDirectoryUpn: DiagnosticCode = "duplicateDirectoryUpn"
  public static let duplicateDirectorySmtp: DiagnosticCode = "duplicateDirectorySmtp"
  public static let duplicateDirectoryAnchor: DiagnosticCode = "duplicateDirectoryAnchor"
  public static let matchRulesDisagree: DiagnosticCode = "matchRulesDisagree"
  public static let cloudUserClaimedTwice: DiagnosticCode = "cloudUserClaimedTwice"
  public static let immutableIdInUse: DiagnosticCode = "immutableIdInUse"
  public static let mappingAmbiguous: DiagnosticCode = "mappingAmbiguous"
  // skip
  public static let directoryUserDisabled: DiagnosticCode = "directoryUserDisabled"
  public static let noCloudTwin: DiagnosticCode = "noCloudTwin"
  public static let notInScope: DiagnosticCode = "notInScope"
  // clear mode
  public static let cloudOnlyUser: DiagnosticCode = "cloudOnlyUser"
  public static let alreadyClear: DiagnosticCode = "alreadyClear"
  public static let federatedUserMovesToManagedDomain: DiagnosticCode =
    "federatedUserMovesToManagedDomain"
  public static let duplicateMatch: DiagnosticCode = "duplicateMatch"
  // whole-plan findings
  public static let mappingUnresolved: DiagnosticCode = "mappingUnresolved"
  public static let duplicateCloudUpn: DiagnosticCode = "duplicateCloudUpn"
  public static let duplicateCloudSmtp: DiagnosticCode = "duplicateCloudSmtp"
  public static let ambiguousPrimarySmtp: DiagnosticCode = "ambiguousPrimarySmtp"
  public static let tenantFlagsUnknown: DiagnosticCode = "tenantFlagsUnknown"
  public static let hardMatchTakeoverBlocked: DiagnosticCode = "hardMatchTakeoverBlocked"
  public static let softMatchBlocked: DiagnosticCode = "softMatchBlocked"
}
