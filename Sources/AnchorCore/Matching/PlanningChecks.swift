/// Findings and fingerprints shared by the planners.
enum PlanningChecks {
  static func tenantDiagnostics(_ tenant: TenantSnapshot, cloud: TenantIndex, mode: PlanMode)
    -> [Diagnostic]
  {
    var out: [Diagnostic] = []
    let flags = tenant.flags
    if flags.blockSoftMatchEnabled == nil
      || flags.blockCloudObjectTakeoverThroughHardMatchEnabled == nil
    {
      out.append(
        Diagnostic(
          .info, .tenantFlagsUnknown, subject: tenant.tenantId,
          "the tenant's blockSoftMatchEnabled / blockCloudObjectTakeoverThroughHardMatchEnabled could not be read (they need a delegated Global Administrator); check them before the sync cycle"
        ))
    }
    if mode == .link && flags.blockCloudObjectTakeoverThroughHardMatchEnabled == true {
      out.append(
        Diagnostic(
          .warning, .hardMatchTakeoverBlocked, subject: tenant.tenantId,
          "blockCloudObjectTakeoverThroughHardMatchEnabled is true: sync will not take over the linked users until it is set to false for the matching window (set it back to true afterwards)"
        ))
    }
    if mode == .clear && flags.blockSoftMatchEnabled == true {
      out.append(
        Diagnostic(
          .warning, .softMatchBlocked, subject: tenant.tenantId,
          "blockSoftMatchEnabled is true: the new forest's users will not soft-match until it is set to false for the matching window"
        ))
    }
    if cloud.initialDomain == nil
      && tenant.domains.contains(where: { $0.authenticationType == .federated })
    {
      out.append(
        Diagnostic(
          .warning, .noInitialDomain, subject: tenant.tenantId,
          "the snapshot has federated domains but no initial onmicrosoft.com domain: federated users can't be planned"
        ))
    }
    // The finding names the key as the second user to have it spells it.
    for (_, second, positions) in cloud.byUPN.collisions {
      out.append(
        Diagnostic(
          .error, .duplicateCloudUpn, subject: cloud.byUPN.keys.key(second),
          "\(positions.count) cloud users have this UPN: "
            + positions.map { cloud.users[Int($0)].id }.sorted().joined(separator: ", ")))
    }
    for (_, second, positions) in cloud.bySMTP.collisions {
      out.append(
        Diagnostic(
          .warning, .duplicateCloudSmtp, subject: cloud.bySMTP.keys.key(second),
          "\(positions.count) cloud users have this SMTP address: "
            + positions.map { cloud.users[Int($0)].id }.sorted().joined(separator: ", ")))
    }
    return out
  }

  /// The fingerprint of the inputs; the per-user hashes were taken while building the indexes.
  static func fingerprint(
    directory: MultisetHash, cloud: MultisetHash, tenant: TenantSnapshot, settings: PlanSettings,
    mode: PlanMode
  ) -> InputFingerprint {
    var fingerprint = InputFingerprint(directory: directory, cloud: cloud)
    fingerprint.add(line: "mode \(mode.rawValue)")
    fingerprint.add(line: "tenant \(tenant.tenantId)")
    for domain in tenant.domains.sorted(by: { $0.name < $1.name }) {
      fingerprint.add(
        line: "domain \(domain.name) \(domain.authenticationType.rawValue) \(domain.isInitial)")
    }
    fingerprint.add(
      line:
        "flags \(String(describing: tenant.flags.blockSoftMatchEnabled)) \(String(describing: tenant.flags.blockCloudObjectTakeoverThroughHardMatchEnabled))"
    )
    fingerprint.add(
      line:
        "settings \(settings.matchOrder.map(\.rawValue)) \(settings.allowRelink) \(settings.includeDisabled) \(settings.allowFederatedClear)"
    )
    return fingerprint
  }

  static func diagnosticOrder(_ lhs: Diagnostic, _ rhs: Diagnostic) -> Bool {
    if lhs.subject != rhs.subject { return lhs.subject < rhs.subject }
    if lhs.code != rhs.code { return lhs.code.rawValue < rhs.code.rawValue }
    return lhs.message < rhs.message
  }
}
