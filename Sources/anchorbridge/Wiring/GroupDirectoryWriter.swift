import ActiveDirectory
import AnchorCore
import LDAPClient

/// Step 2 of a group migration: makes the AD group carry the cloud group's addresses, members,
/// owner and synced parents, over a protected LDAP session of the source the group came from.
/// Each value is added on its own, so a value already present (LDAP result 20,
/// attributeOrValueExists, or 68 for `member`) is simply already done and a rerun changes nothing.
actor GroupDirectoryWriter {
  let sources: [String: DirectorySource]
  private var connections: [String: LDAPConnection] = [:]

  init(sources: [DirectorySource]) {
    var byName: [String: DirectorySource] = [:]
    for source in sources { byName[source.name] = source }
    self.sources = byName
  }

  /// What one preparation changed.
  struct Outcome: Sendable {
    var added: [String] = []
    var alreadyPresent: [String] = []
  }

  func prepare(
    group dn: String, source name: String, _ preparation: DirectoryPreparation,
    extraProxyAddresses: [String]
  ) async throws -> Outcome {
    let connection = try await connection(name)
    var outcome = Outcome()
    var additions: [(target: String, attribute: String, value: String)] = []
    for address in preparation.addProxyAddresses + extraProxyAddresses {
      additions.append((dn, "proxyAddresses", address))
    }
    for member in preparation.addMembers { additions.append((dn, "member", member)) }
    for parent in preparation.joinGroups { additions.append((parent, "member", dn)) }
    if preparation.managedBy != nil || preparation.setMail != nil {
      let current: LDAPEntry?
      do {
        current = try await connection.read(dn, attributes: ["managedBy", "mail"])
      } catch {
        throw ActiveDirectoryError.ldap(source: name, error)
      }
      // Single-valued: set only when empty, never replaced.
      if let owner = preparation.managedBy, current?.string("managedBy") == nil {
        additions.append((dn, "managedBy", owner))
      }
      if let mail = preparation.setMail, current?.string("mail") == nil {
        additions.append((dn, "mail", mail))
      }
    }
    for (target, attribute, value) in additions {
      let label = "\(attribute) \(value)" + (target == dn ? "" : " on \(target)")
      do {
        try await connection.modify(
          target, [LDAPModification(.add, attribute, values: [Array(value.utf8)])])
        outcome.added.append(label)
      } catch  where error.kind == .result && (error.resultCode == 20 || error.resultCode == 68) {
        // 20 attributeOrValueExists; AD (Windows and Samba) answers 68 entryAlreadyExists for a
        // member that is already there.
        outcome.alreadyPresent.append(label)
      } catch {
        throw ActiveDirectoryError.ldap(source: name, error)
      }
    }
    return outcome
  }

  private func connection(_ name: String) async throws -> LDAPConnection {
    guard let source = sources[name] else {
      throw UsageError("the plan names directory source '\(name)', which the configuration lacks")
    }
    if let open = connections[name] { return open }
    let connection = try await LDAPDirectoryPort.openProtected(
      source, purpose: "change AD groups")
    connections[name] = connection
    return connection
  }
}
