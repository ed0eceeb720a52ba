import Foundation

/// A group this client may create: only the kinds Graph can write (graph-facts §4). Mail-enabled
/// security groups and distribution lists are Exchange's; there is no case for them.
public struct NewGroup: Sendable, Hashable {
  public enum Kind: Sendable, Hashable {
    /// `groupTypes: []`, `mailEnabled: false`, `securityEnabled: true`.
    case security
    /// `groupTypes: ["Unified"]`, `mailEnabled: true`; optionally also security-enabled.
    case microsoft365(securityEnabled: Bool)
  }

  public var kind: Kind
  public var displayName: String
  public var mailNickname: String
  public var description: String?
  /// `Private`/`Public` for Microsoft 365 groups; nil leaves the service default.
  public var visibility: String?
  /// Object ids (GUIDs) of the members: users, groups, devices, service principals, contacts.
  public var memberIDs: [String]
  /// Object ids (GUIDs) of the owners: users and service principals.
  public var ownerIDs: [String]

  /// Graph binds at most 20 members and owners in the create request (graph-facts §4).
  public static let bindLimit = 20

  public init(
    kind: Kind, displayName: String, mailNickname: String, description: String? = nil,
    visibility: String? = nil, memberIDs: [String] = [], ownerIDs: [String] = []
  ) {
    self.kind = kind
    self.displayName = displayName
    self.mailNickname = mailNickname
    self.description = description
    self.visibility = visibility
    self.memberIDs = memberIDs
    self.ownerIDs = ownerIDs
  }

  /// Owners, then members, checked and lower-cased, each listed once per relation.
  func relationships() throws(GraphError) -> [(GraphRequests.GroupRelation, String)] {
    var result: [(GraphRequests.GroupRelation, String)] = []
    for (relation, ids, what) in [
      (GraphRequests.GroupRelation.owners, ownerIDs, "owner id"),
      (.members, memberIDs, "member id"),
    ] {
      var seen = Set<String>()
      for id in ids {
        let checked = try GraphObjectID.directoryObject(id, what: what)
        if seen.insert(checked).inserted { result.append((relation, checked)) }
      }
    }
    return result
  }

  /// The relationships `POST /groups` binds (the first `bindLimit`, owners first).
  func boundRelationships() throws(GraphError) -> [(GraphRequests.GroupRelation, String)] {
    Array(try relationships().prefix(Self.bindLimit))
  }

  /// The relationships left for `$ref` requests after the group exists.
  public func relationshipsAfterCreation() throws(GraphError) -> [(
    relation: GraphRequests.GroupRelation, id: String
  )] {
    try relationships().dropFirst(Self.bindLimit).map { (relation: $0.0, id: $0.1) }
  }

  /// mailNickname: 1–64 ASCII characters without `@ ( ) \ [ ] " ; : . < > ,` or space.
  static func validateNickname(_ nickname: String) throws(GraphError) {
    let forbidden = Set("@()\\[]\";:.<>, ".unicodeScalars)
    guard !nickname.isEmpty, nickname.unicodeScalars.count <= 64,
      nickname.unicodeScalars.allSatisfy({
        $0.isASCII && $0.value >= 0x21 && $0.value < 0x7F && !forbidden.contains($0)
      })
    else {
      throw .invalidInput(
        "mailNickname", nickname,
        "expected 1–64 ASCII characters without @ ( ) \\ [ ] \" ; : . < > , or space")
    }
  }

  /// The POST body; `apiBase` (`https://graph.microsoft.com/v1.0`) prefixes the bind URLs.
  func body(apiBase: String) throws(GraphError) -> JSONValue {
    guard !displayName.trimmingCharacters(in: .whitespaces).isEmpty, displayName.count <= 256 else {
      throw .invalidInput("group displayName", displayName, "expected 1–256 characters")
    }
    try Self.validateNickname(mailNickname)
    var object: [String: JSONValue] = [
      "displayName": .string(displayName), "mailNickname": .string(mailNickname),
    ]
    switch kind {
    case .security:
      object["groupTypes"] = .array([])
      object["mailEnabled"] = .bool(false)
      object["securityEnabled"] = .bool(true)
    case .microsoft365(let securityEnabled):
      object["groupTypes"] = .array([.string("Unified")])
      object["mailEnabled"] = .bool(true)
      object["securityEnabled"] = .bool(securityEnabled)
    }
    if let description { object["description"] = .string(description) }
    if let visibility { object["visibility"] = .string(visibility) }
    let bound = try boundRelationships()
    for relation in [GraphRequests.GroupRelation.owners, .members] {
      let urls = bound.filter { $0.0 == relation }.map {
        JSONValue.string("\(apiBase)/directoryObjects/\($0.1)")
      }
      if !urls.isEmpty { object["\(relation.rawValue)@odata.bind"] = .array(urls) }
    }
    return .object(object)
  }
}

/// Group properties this client updates. `description: .some(nil)` clears it with `null`.
public struct GroupPatch: Sendable, Hashable {
  public var displayName: String?
  public var description: String??
  public var mailNickname: String?

  public init(displayName: String? = nil, description: String?? = nil, mailNickname: String? = nil)
  {
    self.displayName = displayName
    self.description = description
    self.mailNickname = mailNickname
  }

  var body: JSONValue {
    var object: [String: JSONValue] = [:]
    if let displayName { object["displayName"] = .string(displayName) }
    if let description { object["description"] = description.map(JSONValue.string) ?? .null }
    if let mailNickname { object["mailNickname"] = .string(mailNickname) }
    return .object(object)
  }
}
