import AnchorCore

/// A DN returned under AD's extended DN control in string form:
/// `<GUID=1487c857-...>;<SID=S-1-5-21-...>;CN=st1,CN=Users,DC=example,DC=com`.
/// Objects without a SID (OUs, contacts) carry only the GUID part.
public struct ExtendedDN: Hashable, Sendable {
  public var guid: ObjectGUID?
  public var sid: String?
  public var dn: String

  public init(parsing text: String) {
    var rest = Substring(text)
    var guid: ObjectGUID?
    var sid: String?
    while rest.hasPrefix("<"), let close = rest.firstIndex(of: ">") {
      let component = rest[rest.index(after: rest.startIndex)..<close]
      if component.hasPrefix("GUID=") {
        guid = ObjectGUID(guidString: component.dropFirst(5))
      } else if component.hasPrefix("SID=") {
        sid = String(component.dropFirst(4))
      }
      rest = rest[rest.index(after: close)...]
      if rest.hasPrefix(";") { rest = rest.dropFirst() } else { break }
    }
    self.guid = guid
    self.sid = sid
    self.dn = String(rest)
  }
}
