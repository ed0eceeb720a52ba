import AnchorCore
import LDAPClient

/// What one group preparation changed, each value labelled `attribute value` (plus ` on DN` when
/// the value went to another object, a parent group).
public struct GroupPreparationOutcome: Sendable, Hashable {
  public var added: [String] = []
  public var alreadyPresent: [String] = []

  public init(added: [String] = [], alreadyPresent: [String] = []) {
    self.added = added
    self.alreadyPresent = alreadyPresent
  }
}

extension ActiveDirectoryWriter {
  /// Makes the AD group `dn` of source `source` carry the cloud group's addresses, members, owner
  /// and synced parents. Each value is added on its own, so a value AD already holds (result 20
  /// attributeOrValueExists, or 68 entryAlreadyExists, AD's answer for a `member` already there)
  /// counts as already present and a rerun changes nothing. `managedBy` and `mail` are
  /// single-valued: set only when empty, never replaced.
  public func prepareGroup(
    dn: String, source: String, _ preparation: DirectoryPreparation,
    extraProxyAddresses: [String] = []
  ) async throws(ActiveDirectoryError) -> GroupPreparationOutcome {
    let connection = try await connection(source, purpose: "change AD groups")
    var outcome = GroupPreparationOutcome()
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
        throw .ldap(source: source, error)
      }
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
      } catch  where error.kind == .result && Self.alreadyPresentCodes.contains(error.resultCode) {
        outcome.alreadyPresent.append(label)
      } catch {
        throw .ldap(source: source, error)
      }
    }
    return outcome
  }

  /// 20 attributeOrValueExists; 68 entryAlreadyExists, which AD (Windows and Samba) answers for
  /// a `member` value that is already there.
  static let alreadyPresentCodes: Set<Int32> = [20, 68]
}
