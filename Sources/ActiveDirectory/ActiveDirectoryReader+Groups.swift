import AnchorCore
import LDAPClient

extension ActiveDirectoryReader {
  static let groupAttributes = [
    "objectGUID", "objectSid", "groupType", "sAMAccountName", "mail", "proxyAddresses",
    "mailNickname", "displayName", "description", "managedBy", "legacyExchangeDN", "uSNChanged",
  ]

  /// The groups in scope, page by page, each with every member resolved to its objectGUID.
  ///
  /// The search runs with the extended DN control, so every `member` value arrives as
  /// `<GUID=...>;<SID=...>;CN=...` and needs no lookup. Members are always requested in explicit
  /// windows (`member;range=0-1499`, then `1500-2999`, ...) because AD returns at most MaxValRange
  /// (1,500) values per request; the loop ends at the window named `...-*`.
  public func groups(changedAfter usn: Int64? = nil) -> AsyncThrowingMapSequence<
    ConcatenatedPages<[LDAPEntry]>, [DirectoryGroup]
  > {
    let window = max(source.rangeWindow, 1)
    let attributes = Self.groupAttributes + ["member;range=0-\(window - 1)"]
    let filter = Self.filter(source.groups.filter, changedAfter: usn)
    let requests = bases(source.groups).map {
      LDAPSearchRequest(
        base: $0, filter: filter, attributes: attributes, pageSize: source.pageSize,
        controls: [.extendedDN])
    }
    let reader = self
    let connection = self.connection
    return ConcatenatedPages(source: source.name, requests: requests) {
      connection.search($0).pages()
    }.map { page in
      var groups: [DirectoryGroup] = []
      groups.reserveCapacity(page.count)
      for entry in page { groups.append(try await reader.decodeGroup(entry)) }
      return groups
    }
  }

  func decodeGroup(_ entry: LDAPEntry) async throws(ActiveDirectoryError) -> DirectoryGroup {
    let name = ExtendedDN(parsing: entry.dn)
    guard let raw = entry.bytes("objectGUID"), let guid = ObjectGUID(bytes: raw) else {
      throw .malformed(
        source: source.name, dn: name.dn, attribute: "objectGUID",
        reason: "is missing or not 16 bytes")
    }
    guard let typeText = entry.string("groupType"), let type = Int32(typeText) else {
      throw .malformed(
        source: source.name, dn: name.dn, attribute: "groupType",
        reason: "is missing or not a number")
    }
    let members = try await allMembers(of: entry, guid: guid, dn: name.dn)
    let text = StrictText(source: source.name, entry: entry, dn: name.dn, guid: guid)
    return DirectoryGroup(
      source: source.name, distinguishedName: name.dn, objectGUID: guid,
      objectSid: entry.bytes("objectSid").flatMap(SecurityIdentifier.string),
      groupType: GroupType(rawValue: type), samAccountName: try text.first("sAMAccountName"),
      mail: try text.first("mail"), proxyAddresses: try text.all("proxyAddresses"),
      mailNickname: try text.first("mailNickname"), displayName: try text.first("displayName"),
      description: try text.first("description"),
      managedBy: try text.first("managedBy").map { ExtendedDN(parsing: $0).dn },
      legacyExchangeDN: try text.first("legacyExchangeDN"), members: members,
      usnChanged: entry.string("uSNChanged").flatMap { Int64($0) })
  }

  /// Follows ranged `member` windows until the server names the last one (`;range=N-*`), each
  /// window checked by `MemberWindows`.
  func allMembers(of entry: LDAPEntry, guid: ObjectGUID, dn: String)
    async throws(ActiveDirectoryError) -> [ObjectGUID]
  {
    var windows = MemberWindows(source: source.name, dn: dn, window: source.rangeWindow)
    var next: Int?
    if let ranged = entry.rangedAttribute("member") {
      next = try windows.accept(ranged, from: 0)
    } else {
      // No ranged attribute: the group has no members, or the server ignored the range option
      // and sent them all under the plain name.
      try windows.acceptAll(entry.values("member"))
    }
    // AD accepts `<GUID=...>` as a search base, which survives a rename during the read.
    let base = "<GUID=\(guid.canonicalString)>"
    while let low = next {
      let attribute = "member;range=\(low)-\(low + windows.window - 1)"
      let more: LDAPEntry?
      do {
        more = try await connection.read(base, attributes: [attribute], controls: [.extendedDN])
      } catch {
        throw .ldap(source: source.name, error)
      }
      guard let more else {
        throw .malformed(
          source: source.name, dn: dn, attribute: "member",
          reason: "could not be read past value \(low): the group vanished during the read")
      }
      guard let ranged = more.rangedAttribute("member") else {
        // The window starts past the last value: the previous window ended exactly there.
        break
      }
      next = try windows.accept(ranged, from: low)
    }
    return windows.members
  }
}

/// Text values of one entry, refused (`invalidText`) when not valid UTF-8 rather than decoded
/// with replacement characters.
struct StrictText {
  let source: String
  let entry: LDAPEntry
  let dn: String
  let guid: ObjectGUID

  func first(_ name: String) throws(ActiveDirectoryError) -> String? {
    try all(name).first
  }

  func all(_ name: String) throws(ActiveDirectoryError) -> [String] {
    var texts: [String] = []
    for value in entry.values(name) {
      guard let text = String(validating: value, as: UTF8.self) else {
        throw .invalidText(source: source, dn: dn, attribute: name, objectGUID: guid)
      }
      texts.append(text)
    }
    return texts
  }
}
