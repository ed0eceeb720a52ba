/// Builds write steps, including the documented sequence for users in a federated domain:
/// a federated user's ImmutableID can't change in place and can never be empty, so the UPN moves to
/// `alias@<initial onmicrosoft.com domain>`, the ImmutableID is set or cleared there, and the UPN
/// moves back together with the new ImmutableID (or, for a clear, stays on the managed domain).
struct FederatedSequencer {
  let cloud: TenantIndex
  /// How many plan items want each temporary UPN; more than one means none of them may have it.
  private var wanted: [CaseInsensitiveKey: Int] = [:]

  init(cloud: TenantIndex) { self.cloud = cloud }

  func temporaryUPN(for twin: Int32) -> String? {
    guard let initial = cloud.initialDomain else { return nil }
    var upn = FederatedSequencer.alias(of: cloud.users[Int(twin)].userPrincipalName)
    upn += "@"
    upn += initial
    return upn
  }

  /// `UserPrincipalName.alias(of:)`, found in the UTF-8 bytes when the UPN is ASCII (then bytes
  /// and characters agree), because searching a String's characters backwards must find grapheme
  /// boundaries one character at a time.
  private static func alias(of upn: String) -> String {
    let ascii = upn.utf8.withContiguousStorageIfAvailable { isASCII($0) } ?? false
    if ascii, let at = upn.utf8.lastIndex(of: UInt8(ascii: "@")) { return String(upn[..<at]) }
    return UserPrincipalName.alias(of: upn)
  }

  /// Records that an item will need the federated sequence for this cloud user; returns the
  /// temporary UPN it wants (nil: not federated, or no initial domain), for `addSteps`.
  @discardableResult
  mutating func reserve(_ twin: Int32) -> String? {
    guard cloud.isFederated(twin), let upn = temporaryUPN(for: twin)
    else { return nil }
    wanted[CaseInsensitiveKey(upn), default: 0] += 1
    return upn
  }

  /// Why the temporary UPN (`temporaryUPN(for: twin)`, computed once by the caller) can't be
  /// used, or nil when it can.
  private func refusal(_ temporary: String?) -> (DiagnosticCode, String)? {
    guard let upn = temporary else {
      return (
        .noInitialDomain,
        "the UPN is in a federated domain and the tenant snapshot has no initial (onmicrosoft.com) domain to move it to"
      )
    }
    if !cloud.isFree(upn) {
      return (.temporaryUpnTaken, "the temporary UPN \(upn) is already used by another cloud user")
    }
    if wanted[CaseInsensitiveKey(upn), default: 0] > 1 {
      return (
        .temporaryUpnTaken, "the temporary UPN \(upn) would be needed by several users in this plan"
      )
    }
    return nil
  }

  /// Adds the steps that set `anchor` on the item's cloud user, or blocks the item.
  func addSteps(to item: inout PlanItem, twin: Int32, setting anchor: SourceAnchor) {
    addSteps(to: &item, twin: twin, setting: anchor, temporary: temporaryUPN(for: twin))
  }

  /// `addSteps`, given the temporary UPN that `reserve` returned for the twin.
  func addSteps(
    to item: inout PlanItem, twin: Int32, setting anchor: SourceAnchor, temporary wantedUPN: String?
  ) {
    let before = item.before ?? cloud.before(twin)
    guard cloud.isFederated(twin) else {
      item.steps = [PlanStep(kind: .setImmutableId, immutableId: anchor, expect: before)]
      item.compactBefore()
      return
    }
    if let (code, text) = refusal(wantedUPN) {
      item.action = .blocked
      item.reason = code
      item.explanation = text
      return
    }
    let temporary = wantedUPN!
    let moved = BeforeImage(
      immutableId: before.immutableId, userPrincipalName: temporary,
      onPremisesSyncEnabled: before.onPremisesSyncEnabled)
    var set = moved
    set.immutableId = anchor
    item.steps = [
      PlanStep(kind: .setUserPrincipalName, userPrincipalName: temporary, expect: before),
      PlanStep(kind: .setImmutableId, immutableId: anchor, expect: moved),
      PlanStep(
        kind: .setUserPrincipalNameAndImmutableId, userPrincipalName: before.userPrincipalName,
        immutableId: anchor, expect: set),
    ]
    item.compactBefore()
    item.diagnostics.append(
      Diagnostic(
        .info, .federatedDomainSequence, subject: before.userPrincipalName,
        "the UPN's domain is federated: move the UPN to \(temporary), set the ImmutableID, move the UPN back with it; the user signs in with cloud authentication between the steps"
      ))
  }

  /// Adds the steps that clear the ImmutableID, or blocks the item. A federated user is moved to the
  /// temporary UPN on the initial domain and stays there (only with `allowFederatedClear`).
  func addClearSteps(to item: inout PlanItem, twin: Int32, allowFederatedClear: Bool) {
    let before = item.before ?? cloud.before(twin)
    guard cloud.isFederated(twin) else {
      item.steps = [PlanStep(kind: .clearImmutableId, expect: before)]
      item.compactBefore()
      return
    }
    guard allowFederatedClear else {
      item.action = .blocked
      item.reason = .federatedClearNotAllowed
      item.explanation =
        "the UPN is in a federated domain, where a user can never be left without an ImmutableID: "
        + "clearing it means moving the user to the managed initial domain for good, which needs allowFederatedClear"
      return
    }
    let wantedUPN = temporaryUPN(for: twin)
    if let (code, text) = refusal(wantedUPN) {
      item.action = .blocked
      item.reason = code
      item.explanation = text
      return
    }
    let temporary = wantedUPN!
    let moved = BeforeImage(
      immutableId: before.immutableId, userPrincipalName: temporary,
      onPremisesSyncEnabled: before.onPremisesSyncEnabled)
    item.steps = [
      PlanStep(kind: .setUserPrincipalName, userPrincipalName: temporary, expect: before),
      PlanStep(kind: .clearImmutableId, expect: moved),
    ]
    item.compactBefore()
    item.diagnostics.append(
      Diagnostic(
        .warning, .federatedUserMovesToManagedDomain, subject: before.userPrincipalName,
        "the UPN's domain is federated: the user moves to \(temporary) (managed) and must stay on a managed domain while it has no ImmutableID"
      ))
  }
}
