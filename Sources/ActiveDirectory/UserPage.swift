import AnchorCore
import LDAPClient

/// One page of users as the directory sent them, read in place: each `UserEntry` answers from the
/// page's packed bytes, so a caller that only shows a few fields (the JSON listing of 100,000
/// users) never builds a `DirectoryUser`, its strings or its arrays. `UserEntry.read()` gives the
/// full value when it is needed.
public struct UserPage: Sendable, RandomAccessCollection {
  let batch: LDAPEntryBatch
  let layout: UserLayout

  public var startIndex: Int { 0 }
  public var endIndex: Int { batch.count }
  public subscript(position: Int) -> UserEntry {
    UserEntry(entry: batch[position], layout: layout)
  }
}

/// Where each user attribute sits in the search's attribute list, worked out once per search.
/// A class: every `UserEntry` refers to it instead of copying the whole source, which would retain
/// each of its references per user.
final class UserLayout: Sendable {
  let source: DirectorySource
  let attributes: [String]
  let objectGUID: Int
  let consistencyGuid: Int
  let userPrincipalName: Int
  let samAccountName: Int
  let mail: Int
  let proxyAddresses: Int
  let displayName: Int
  let userAccountControl: Int
  let objectSid: Int
  let whenChanged: Int
  let usnChanged: Int
  /// The custom anchor attribute of `attribute:NAME` policies, and whether its values are binary.
  let custom: (index: Int, binary: Bool)?

  /// `attributes` must contain every name of `ActiveDirectoryReader.userAttributes` and the
  /// policy's extra attributes (ASCII case-insensitive).
  init(source: DirectorySource, attributes: [String]) {
    self.source = source
    self.attributes = attributes
    let batch = LDAPEntryBatch(attributes: attributes)
    func position(_ name: String) -> Int {
      guard let index = batch.index(of: name) else {
        preconditionFailure("user attribute \(name) missing from the search")
      }
      return index
    }
    objectGUID = position("objectGUID")
    consistencyGuid = position("mS-DS-ConsistencyGuid")
    userPrincipalName = position("userPrincipalName")
    samAccountName = position("sAMAccountName")
    mail = position("mail")
    proxyAddresses = position("proxyAddresses")
    displayName = position("displayName")
    userAccountControl = position("userAccountControl")
    objectSid = position("objectSid")
    whenChanged = position("whenChanged")
    usnChanged = position("uSNChanged")
    if case .attribute(let name) = source.anchor {
      custom = (
        position(name), ActiveDirectoryReader.binaryAttributes.contains(name.lowercased())
      )
    } else {
      custom = nil
    }
  }
}

extension UserLayout {
  /// Applies the source's anchor policy to one user's raw values; the DN is made text only for
  /// an error or a diagnostic.
  func anchor(
    objectGUID: ObjectGUID?, consistencyGuid: [UInt8]?, custom: [UInt8]?, dn: () -> String
  ) throws(ActiveDirectoryError) -> UserAnchor {
    guard let guid = objectGUID else {
      throw .malformed(
        source: source.name, dn: dn(), attribute: "objectGUID",
        reason: "is missing or not 16 bytes")
    }
    var value: DirectoryValue?
    if let custom, let binary = self.custom?.binary {
      value = binary ? .binary(custom) : ActiveDirectoryReader.textOrBinary(custom)
    }
    // The subject only matters when the policy has something to say: resolve without it, and
    // again with it in the rare case that there are findings.
    let policy = source.anchor
    var resolved = policy.resolve(
      objectGUID: guid, consistencyGuid: consistencyGuid, attributeValue: value, subject: "")
    if !resolved.diagnostics.isEmpty {
      resolved = policy.resolve(
        objectGUID: guid, consistencyGuid: consistencyGuid, attributeValue: value, subject: dn())
    }
    return UserAnchor(objectGUID: guid, resolved: resolved, consistencyGuid: consistencyGuid)
  }

  /// A decimal integer value as AD writes it (optional sign, digits); nil otherwise, as
  /// `Int64(String)` would say.
  static func integer(_ bytes: some Collection<UInt8>) -> Int64? {
    Int64(String(decoding: bytes, as: UTF8.self))
  }
}

/// One user of a `UserPage`: raw UTF-8 / binary values, decoded only on request.
public struct UserEntry: Sendable {
  let entry: LDAPEntryBatch.Entry
  let layout: UserLayout

  /// The configured name of the directory source.
  public var source: String { layout.source.name }
  /// The DN as UTF-8 bytes.
  public var distinguishedName: ArraySlice<UInt8> { entry.dn }
  public var userPrincipalName: ArraySlice<UInt8>? { entry.first(layout.userPrincipalName) }
  public var samAccountName: ArraySlice<UInt8>? { entry.first(layout.samAccountName) }
  public var mail: ArraySlice<UInt8>? { entry.first(layout.mail) }
  /// proxyAddresses as stored, each UTF-8 bytes.
  public var proxyAddresses: LDAPEntryBatch.Values { entry.values(layout.proxyAddresses) }

  /// From userAccountControl: the ACCOUNTDISABLE bit (0x2) is clear (a missing or unreadable
  /// value counts as enabled).
  public var enabled: Bool { accountControl & 0x2 == 0 }

  private var accountControl: Int64 {
    entry.first(layout.userAccountControl).flatMap(UserLayout.integer) ?? 0
  }

  /// The objectGUID and the anchor the source's policy gives this user, with its diagnostics.
  /// Throws when objectGUID is missing or not 16 bytes.
  public func anchor() throws(ActiveDirectoryError) -> UserAnchor {
    try layout.anchor(
      objectGUID: entry.first(layout.objectGUID).flatMap { ObjectGUID(bytes: Array($0)) },
      consistencyGuid: entry.first(layout.consistencyGuid).map(Array.init),
      custom: layout.custom.flatMap { entry.first($0.index) }.map(Array.init),
      dn: { dn })
  }

  /// The complete user. Throws `invalidText` when the DN or a text attribute is not valid UTF-8
  /// (see `read(reporting:)` to leave such a user out instead).
  public func read() throws(ActiveDirectoryError) -> ReadUser {
    let anchor = try self.anchor()
    let fail = { (attribute: Int?) -> ActiveDirectoryError in
      .invalidText(
        source: layout.source.name, dn: dn,
        attribute: attribute.map { layout.attributes[$0] } ?? "DN",
        objectGUID: anchor.objectGUID)
    }
    guard let distinguishedName = String(validating: entry.dn, as: UTF8.self) else {
      throw fail(nil)
    }
    func text(_ attribute: Int) throws(ActiveDirectoryError) -> String? {
      guard let bytes = entry.first(attribute) else { return nil }
      guard let text = String(validating: bytes, as: UTF8.self) else { throw fail(attribute) }
      return text
    }
    var proxyAddresses: [String] = []
    for value in entry.values(layout.proxyAddresses) {
      guard let text = String(validating: value, as: UTF8.self) else {
        throw fail(layout.proxyAddresses)
      }
      proxyAddresses.append(text)
    }
    let user = DirectoryUser(
      source: layout.source.name, distinguishedName: distinguishedName,
      objectGUID: anchor.objectGUID, anchor: anchor.resolved.anchor,
      anchorSource: anchor.resolved.source, consistencyGuid: anchor.consistencyGuid,
      userPrincipalName: try text(layout.userPrincipalName),
      samAccountName: try text(layout.samAccountName), mail: try text(layout.mail),
      proxyAddresses: proxyAddresses, displayName: try text(layout.displayName),
      enabled: enabled,
      objectSid: entry.first(layout.objectSid).flatMap {
        SecurityIdentifier.string(from: Array($0))
      },
      usnChanged: entry.first(layout.usnChanged).flatMap(UserLayout.integer),
      whenChanged: try text(layout.whenChanged))
    return ReadUser(user: user, diagnostics: anchor.resolved.diagnostics)
  }

  /// The complete user, or nil when one of its values can't be read faithfully (text that is not
  /// UTF-8): the diagnostic saying so is then added to `diagnostics`, and the caller leaves the
  /// user out. Failures that concern the whole read still throw.
  public func read(reporting diagnostics: inout [Diagnostic]) throws(ActiveDirectoryError)
    -> ReadUser?
  {
    do {
      return try read()
    } catch {
      guard let diagnostic = error.objectDiagnostic else { throw error }
      diagnostics.append(diagnostic)
      return nil
    }
  }

  /// The DN for messages only: a DN that is not UTF-8 shows replacement characters here.
  private var dn: String { String(decoding: entry.dn, as: UTF8.self) }

}

/// A user's objectGUID and what the anchor policy made of it.
public struct UserAnchor: Sendable {
  public var objectGUID: ObjectGUID
  public var resolved: ResolvedAnchor
  /// The raw mS-DS-ConsistencyGuid bytes, when set (any length).
  public var consistencyGuid: [UInt8]?
}

extension UserPage {
  /// Calls `body` with the page's users seen through raw pointers: the same fields as `UserEntry`
  /// with no reference counting per value, for writing many users fast. The views are valid only
  /// during `body`.
  public func withUnsafeUsers<Result>(_ body: (UnsafeUsers) -> Result) -> Result {
    batch.withUnsafeEntries { entries in body(UnsafeUsers(entries: entries, layout: layout)) }
  }

  /// The users of a page through raw pointers (see `withUnsafeUsers(_:)`).
  public struct UnsafeUsers: RandomAccessCollection {
    let entries: LDAPEntryBatch.UnsafeEntries
    let layout: UserLayout

    public var startIndex: Int { 0 }
    public var endIndex: Int { entries.count }
    public subscript(position: Int) -> UnsafeUser {
      UnsafeUser(entries: entries, index: position, layout: layout)
    }
  }

  /// One user through raw pointers: the fields of `UserEntry` as `UnsafeRawBufferPointer`s.
  public struct UnsafeUser {
    let entries: LDAPEntryBatch.UnsafeEntries
    let index: Int
    let layout: UserLayout

    public var source: String { layout.source.name }
    public var distinguishedName: UnsafeRawBufferPointer { entries.dn(index) }
    public var userPrincipalName: UnsafeRawBufferPointer? {
      entries.first(index, layout.userPrincipalName)
    }
    public var samAccountName: UnsafeRawBufferPointer? {
      entries.first(index, layout.samAccountName)
    }
    public var mail: UnsafeRawBufferPointer? { entries.first(index, layout.mail) }
    public var proxyAddresses: LDAPEntryBatch.UnsafeValues {
      entries.values(index, layout.proxyAddresses)
    }
    /// See `UserEntry.enabled`.
    public var enabled: Bool {
      let control = entries.first(index, layout.userAccountControl).flatMap(UserLayout.integer)
      return (control ?? 0) & 0x2 == 0
    }

    /// See `UserEntry.anchor()`.
    public func anchor() throws(ActiveDirectoryError) -> UserAnchor {
      try layout.anchor(
        objectGUID: entries.first(index, layout.objectGUID).flatMap { ObjectGUID(bytes: $0) },
        consistencyGuid: entries.first(index, layout.consistencyGuid).map(Array.init),
        custom: layout.custom.flatMap { entries.first(index, $0.index) }.map(Array.init),
        dn: { String(decoding: distinguishedName, as: UTF8.self) })
    }
  }
}
