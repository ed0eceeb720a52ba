/// A group as read from one Active Directory source, members resolved to their objectGUIDs.
public struct DirectoryGroup: Hashable, Sendable {
  public var source: String
  public var distinguishedName: String
  public var objectGUID: ObjectGUID
  public var objectSid: String?
  public var groupType: GroupType
  public var samAccountName: String?
  public var mail: String?
  public var proxyAddresses: [String]
  public var mailNickname: String?
  public var displayName: String?
  public var description: String?
  public var managedBy: String?
  public var legacyExchangeDN: String?
  /// Every member's objectGUID, complete past AD's 1,500-value range limit, in directory order.
  public var members: [ObjectGUID]
  public var usnChanged: Int64?

  public init(
    source: String, distinguishedName: String, objectGUID: ObjectGUID, objectSid: String? = nil,
    groupType: GroupType, samAccountName: String? = nil, mail: String? = nil,
    proxyAddresses: [String] = [], mailNickname: String? = nil, displayName: String? = nil,
    description: String? = nil, managedBy: String? = nil, legacyExchangeDN: String? = nil,
    members: [ObjectGUID] = [], usnChanged: Int64? = nil
  ) {
    self.source = source
    self.distinguishedName = distinguishedName
    self.objectGUID = objectGUID
    self.objectSid = objectSid
    self.groupType = groupType
    self.samAccountName = samAccountName
    self.mail = mail
    self.proxyAddresses = proxyAddresses
    self.mailNickname = mailNickname
    self.displayName = displayName
    self.description = description
    self.managedBy = managedBy
    self.legacyExchangeDN = legacyExchangeDN
    self.members = members
    self.usnChanged = usnChanged
  }

  /// Groups always anchor on objectGUID (Entra Connect uses ConsistencyGuid for users only).
  public var anchor: SourceAnchor { SourceAnchor(guid: objectGUID) }
  public var primarySmtp: String? { ProxyAddresses.primarySmtp(proxyAddresses, mail: mail) }
}

/// AD's groupType (MS-ADTS 2.2.12), a signed 32-bit value on the wire.
public struct GroupType: Hashable, Sendable {
  public enum Kind: String, Sendable, Codable { case security, distribution }
  public enum Scope: String, Sendable, Codable { case global, domainLocal, universal, builtinLocal }

  public let rawValue: Int32
  public init(rawValue: Int32) { self.rawValue = rawValue }

  public var kind: Kind {
    UInt32(bitPattern: rawValue) & 0x8000_0000 != 0 ? .security : .distribution
  }

  /// nil when no scope bit is set (not a valid AD group).
  public var scope: Scope? {
    let bits = UInt32(bitPattern: rawValue)
    if bits & 0x2 != 0 { return .global }
    if bits & 0x4 != 0 { return .domainLocal }
    if bits & 0x8 != 0 { return .universal }
    if bits & 0x1 != 0 { return .builtinLocal }
    return nil
  }
}
