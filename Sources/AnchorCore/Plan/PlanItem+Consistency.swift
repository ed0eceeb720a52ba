extension PlanItem {
  /// Refuses an item whose duplicated values disagree, as only an edited file has them: each
  /// ImmutableID a step writes is the item's `immutableId`, every step expects what the step
  /// before it left, the before-image is the first step's expectation, and a federated sequence
  /// moves the UPN back to where it started. `position` names the item in the refusal.
  func checkConsistency(position: Int) throws(AnchorCoreError) {
    let steps = self.steps
    guard let first = steps.first else { return }
    func refuse(_ problem: String) -> AnchorCoreError {
      .invalidPlan(.inconsistentItem, detail: "item \(position): \(problem)")
    }
    if before != first.expect {
      throw refuse("the before-image differs from the first step's expectation")
    }
    var state = first.expect
    for (index, step) in steps.enumerated() {
      if step.expect != state {
        throw refuse("step \(index + 1) expects a state the step before it does not leave")
      }
      switch step.kind {
      case .setImmutableId, .setUserPrincipalNameAndImmutableId:
        guard let written = step.immutableId, written == immutableId else {
          throw refuse("step \(index + 1) writes an ImmutableID other than the item's")
        }
        state.immutableId = written
      case .clearImmutableId:
        guard step.immutableId == nil else {
          throw refuse("step \(index + 1) clears the ImmutableID but names one")
        }
        state.immutableId = nil
      case .setUserPrincipalName:
        break
      }
      switch step.kind {
      case .setUserPrincipalName, .setUserPrincipalNameAndImmutableId:
        guard let upn = step.userPrincipalName else {
          throw refuse("step \(index + 1) moves the UPN but names none")
        }
        if step.kind == .setUserPrincipalNameAndImmutableId && upn != first.expect.userPrincipalName
        {
          throw refuse("step \(index + 1) moves the UPN somewhere other than where it started")
        }
        state.userPrincipalName = upn
      case .setImmutableId, .clearImmutableId:
        guard step.userPrincipalName == nil else {
          throw refuse("step \(index + 1) names a UPN it does not write")
        }
      }
    }
  }
}
