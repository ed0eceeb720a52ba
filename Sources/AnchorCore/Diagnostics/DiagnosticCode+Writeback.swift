/// Reason codes of anchor writeback items and the soft-match report.
extension DiagnosticCode {
  // anchorWriteback: link / relink / noop
  /// The twin's mS-DS-ConsistencyGuid is empty: the cloud ImmutableID's bytes will be written.
  public static let consistencyGuidUnset: DiagnosticCode = "consistencyGuidUnset"
  /// With `writeback.allowReplace`: the twin's other mS-DS-ConsistencyGuid value will be replaced.
  public static let consistencyGuidReplaced: DiagnosticCode = "consistencyGuidReplaced"
  // anchorWriteback: blocked
  /// The cloud ImmutableID is not base64 of 16 bytes: there is no GUID to write.
  public static let opaqueAnchor: DiagnosticCode = "opaqueAnchor"
  /// Another directory object already carries these bytes in its mS-DS-ConsistencyGuid.
  public static let consistencyGuidInUse: DiagnosticCode = "consistencyGuidInUse"
  /// The twin's mS-DS-ConsistencyGuid holds another value (needs `writeback.allowReplace`).
  public static let consistencyGuidAlreadySet: DiagnosticCode = "consistencyGuidAlreadySet"
  /// The twin's source does not anchor on mS-DS-ConsistencyGuid: writing it would change nothing.
  public static let anchorPolicyNotConsistencyGuid: DiagnosticCode =
    "anchorPolicyNotConsistencyGuid"
  // anchorWriteback: skip / conflict
  /// The cloud user has no ImmutableID: there is nothing to write back.
  public static let cloudUserHasNoAnchor: DiagnosticCode = "cloudUserHasNoAnchor"
  /// No directory object matches the cloud user by mapping, UPN or primary SMTP.
  public static let noDirectoryTwin: DiagnosticCode = "noDirectoryTwin"
  /// Several directory objects match the cloud user.
  public static let ambiguousDirectoryMatch: DiagnosticCode = "ambiguousDirectoryMatch"
  /// One directory object is the twin of several cloud users.
  public static let directoryUserClaimedTwice: DiagnosticCode = "directoryUserClaimedTwice"
  // soft-match report
  /// The cloud user Entra would soft-match is synced (owned by another sync engine).
  public static let softMatchTargetSynced: DiagnosticCode = "softMatchTargetSynced"
}
