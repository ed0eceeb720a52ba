extension GroupSnapshot {
  /// `sha256:` of a canonical text form of the snapshot: what the plan records and the executor
  /// compares with the snapshot it finds in the journal (stable across builds: the form is spelled
  /// out here, not derived from Swift's descriptions).
  public var digest: String {
    var hash = SHA256()
    func line(_ key: String, _ values: [String?]) {
      hash.update(key)
      for value in values {
        hash.update("\u{1F}")
        hash.update(value ?? "\u{0}")
      }
      hash.update("\n")
    }
    func flag(_ value: Bool?) -> String? { value.map { $0 ? "true" : "false" } }
    let g = group
    line("takenAt", [takenAt])
    line(
      "group",
      [
        g.id, g.displayName, g.description, g.mail, g.mailNickname, flag(g.mailEnabled),
        flag(g.securityEnabled), g.visibility, flag(g.isAssignableToRole), g.membershipRule,
        g.classification, g.preferredLanguage, flag(g.onPremisesSyncEnabled),
        g.onPremisesSecurityIdentifier,
      ])
    line("proxyAddresses", g.proxyAddresses)
    line("groupTypes", g.groupTypes)
    line("resourceProvisioningOptions", g.resourceProvisioningOptions)
    for (name, objects) in [("member", members), ("owner", owners), ("parent", parents)] {
      for object in objects {
        line(
          name,
          [
            object.id, object.type.rawValue, object.displayName, object.userPrincipalName,
            object.groupKind?.rawValue, flag(object.synced),
          ])
      }
    }
    for role in appRoleAssignments {
      line("appRole", [role.id, role.appRoleId, role.resourceId, role.resourceDisplayName])
    }
    for license in assignedLicenses { line("license", [license.skuId] + license.disabledPlans) }
    return "sha256:" + Hex.encode(hash.finalize())
  }
}
