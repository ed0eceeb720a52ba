import AnchorCore

/// The compare-and-set rules: how a state read from the tenant is compared with a step's
/// expectation, and how a step turns into a write.
enum StepState {
  /// ImmutableID exact (case-sensitive), UPN case-insensitive, onPremisesSyncEnabled nil == false.
  static func matches(_ found: BeforeImage, _ wanted: BeforeImage) -> Bool {
    found.immutableId?.immutableId == wanted.immutableId?.immutableId
      && sameUPN(found.userPrincipalName, wanted.userPrincipalName)
      && (found.onPremisesSyncEnabled ?? false) == (wanted.onPremisesSyncEnabled ?? false)
  }

  static func sameUPN(_ lhs: String, _ rhs: String) -> Bool {
    lhs.lowercased() == rhs.lowercased()
  }

  /// `{onPremisesImmutableId: "…", userPrincipalName: …, onPremisesSyncEnabled: …}`.
  static func describe(_ image: BeforeImage) -> String {
    "{onPremisesImmutableId: \(anchorText(image.immutableId)), userPrincipalName: \(image.userPrincipalName), onPremisesSyncEnabled: \(image.onPremisesSyncEnabled.map(String.init) ?? "null")}"
  }

  static func anchorText(_ anchor: SourceAnchor?) -> String {
    anchor.map { "\"\($0.immutableId)\"" } ?? "null"
  }

  /// What differs, as `onPremisesImmutableId is null, expected "…"`.
  static func difference(found: BeforeImage, wanted: BeforeImage) -> String {
    var parts: [String] = []
    if found.immutableId?.immutableId != wanted.immutableId?.immutableId {
      parts.append(
        "onPremisesImmutableId is \(anchorText(found.immutableId)), expected \(anchorText(wanted.immutableId))"
      )
    }
    if !sameUPN(found.userPrincipalName, wanted.userPrincipalName) {
      parts.append(
        "userPrincipalName is \(found.userPrincipalName), expected \(wanted.userPrincipalName)")
    }
    if (found.onPremisesSyncEnabled ?? false) != (wanted.onPremisesSyncEnabled ?? false) {
      parts.append(
        "onPremisesSyncEnabled is \(found.onPremisesSyncEnabled.map(String.init) ?? "null"), expected \(wanted.onPremisesSyncEnabled.map(String.init) ?? "null")"
      )
    }
    return parts.joined(separator: "; ")
  }

  /// The state a plan step produces from its expectation; nil when the step lacks its value.
  static func after(_ step: PlanStep) -> BeforeImage? {
    var image = step.expect
    switch step.kind {
    case .setImmutableId:
      guard let anchor = step.immutableId else { return nil }
      image.immutableId = anchor
    case .clearImmutableId:
      image.immutableId = nil
    case .setUserPrincipalName:
      guard let upn = step.userPrincipalName else { return nil }
      image.userPrincipalName = upn
    case .setUserPrincipalNameAndImmutableId:
      guard let upn = step.userPrincipalName, let anchor = step.immutableId else { return nil }
      image.userPrincipalName = upn
      image.immutableId = anchor
    }
    return image
  }

  /// The PATCH a journaled step sends: the fields its kind writes, with the values of `after`.
  static func change(userId: String, step: JournalStep) -> UserChange {
    let anchor: UserChange.Anchor = step.after.immutableId.map { .set($0.immutableId) } ?? .clear
    switch step.kind {
    case .setImmutableId, .clearImmutableId:
      return UserChange(userId: userId, anchor: anchor, userPrincipalName: nil)
    case .setUserPrincipalName:
      return UserChange(
        userId: userId, anchor: nil, userPrincipalName: step.after.userPrincipalName)
    case .setUserPrincipalNameAndImmutableId:
      return UserChange(
        userId: userId, anchor: anchor, userPrincipalName: step.after.userPrincipalName)
    }
  }

  /// Steps that move the UPN (the federated sequence).
  static func movesUPN(_ kind: PlanStepKind) -> Bool {
    kind == .setUserPrincipalName || kind == .setUserPrincipalNameAndImmutableId
  }
}
