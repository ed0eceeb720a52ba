/// A user as Microsoft Graph returns it (`/users?$select=...`), reduced to what matching needs.
/// Property names follow Graph's; the CLI wiring maps the tenant client's DTOs onto this.
public struct CloudUser: Hashable, Sendable {
  /// Graph `id` (the object id, a GUID string).
  public var id: String
  public var userPrincipalName: String
  public var mail: String?
  /// Graph `proxyAddresses`, e.g. `SMTP:primary@x`, `smtp:alias@x`.
  public var proxyAddresses: [String]
  /// Graph `onPremisesImmutableId`; nil when not set.
  public var onPremisesImmutableId: SourceAnchor?
  /// Graph `onPremisesSyncEnabled`: true = synced now (read-only here); false or nil = not synced.
  public var onPremisesSyncEnabled: Bool?
  public var accountEnabled: Bool?
  /// The user holds at least one Microsoft Entra directory role (active assignment, directly or
  /// through a role-assignable group). Entra blocks hard and soft match for such users.
  public var holdsDirectoryRole: Bool
  public var displayName: String?

  public init(
    id: String, userPrincipalName: String, mail: String? = nil, proxyAddresses: [String] = [],
    onPremisesImmutableId: SourceAnchor? = nil, onPremisesSyncEnabled: Bool? = nil,
    accountEnabled: Bool? = true, holdsDirectoryRole: Bool = false, displayName: String? = nil
  ) {
    self.id = id
    self.userPrincipalName = userPrincipalName
    self.mail = mail
    self.proxyAddresses = proxyAddresses
    self.onPremisesImmutableId = onPremisesImmutableId
    self.onPremisesSyncEnabled = onPremisesSyncEnabled
    self.accountEnabled = accountEnabled
    self.holdsDirectoryRole = holdsDirectoryRole
    self.displayName = displayName
  }

  /// The domain part of the UPN (after the last `@`), lowercased.
  public var domain: String { UserPrincipalName.domain(of: userPrincipalName) }

  /// True when the sync engine owns the object now (`onPremisesSyncEnabled == true`).
  public var isSynced: Bool { onPremisesSyncEnabled == true }

  /// Every SMTP address Entra would soft-match an incoming primary SMTP against: `mail` and every
  /// `smtp:`/`SMTP:` proxy address (Entra keeps them unique across the tenant), without duplicates.
  public var smtpAddresses: [String] {
    var out: [String] = []
    if let mail, !mail.isEmpty { out.append(mail) }
    for address in proxyAddresses {
      guard address.utf8.count > 5 else { continue }
      let prefix = address.utf8.prefix(5)
      guard prefix.elementsEqual("smtp:".utf8, by: { $0 | 0x20 == $1 }) else { continue }
      let value = String(address.dropFirst(5))
      if !out.contains(where: { CaseInsensitiveKey($0) == CaseInsensitiveKey(value) }) {
        out.append(value)
      }
    }
    return out
  }
}

/// Helpers for user principal names.
public enum UserPrincipalName {
  /// The lowercased domain after the last `@`; empty when there is none.
  public static func domain(of upn: String) -> String {
    guard let at = upn.lastIndex(of: "@") else { return "" }
    return upn[upn.index(after: at)...].lowercased()
  }

  /// The part before the last `@` (the whole text when there is none).
  public static func alias(of upn: String) -> String {
    guard let at = upn.lastIndex(of: "@") else { return upn }
    return String(upn[..<at])
  }
}
