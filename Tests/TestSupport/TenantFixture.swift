/// The emulator tenant the end-to-end tests and the in-process `run` step tests share: its ids,
/// users, role assignments and state document, written by hand as JSON text (never from the
/// client's types).
public enum TenantFixture {
  public static let tenantID = "6f1c2b7a-1d2e-4c3b-9a8f-5e4d3c2b1a00"
  public static let clientID = "a7b0c0de-0000-4000-8000-00000000ab01"

  /// A stable GUID-shaped cloud id for a fixture name (FNV-1a of the name).
  public static func cloudID(_ name: String) -> String {
    var hash: UInt64 = 14_695_981_039_346_656_037
    for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
    let hex = String(hash, radix: 16).paddedWithZeros(to: 16)
    return "\(hex.prefix(8))-\(hex.dropFirst(8).prefix(4))-4\(hex.dropFirst(13).prefix(3))-8000-"
      + "0000\(hex.prefix(8))"
  }

  public static func user(
    id: String, upn: String, mail: String?, anchor: String? = nil, synced: Bool? = nil
  ) -> String {
    func text(_ value: String?) -> String { value.map { "\"\($0)\"" } ?? "null" }
    return """
      {"id":"\(id)","userPrincipalName":"\(upn)","displayName":"\(upn)","mail":\(text(mail)),\
      "mailNickname":"n\(id.prefix(8))","accountEnabled":true,\
      "proxyAddresses":[\(mail.map { "\"SMTP:\($0)\"" } ?? "")],\
      "onPremisesImmutableId":\(text(anchor)),"onPremisesSyncEnabled":\(synced.map { "\($0)" } ?? "null")}
      """
  }

  public static func roleAssignment(principal: String) -> String {
    #"{"id":"ra-\#(principal.prefix(8))","principalId":"\#(principal)","roleDefinitionId":"fe930be7-5e62-47db-91af-98c3a49a38b1","roleName":"User Administrator","directoryScopeId":"/"}"#
  }

  public static func state(
    users: [String], roleAssignments: [String], secret: String, groups: [String] = [],
    capabilities: String? = nil
  ) -> String {
    """
    {"tenantId":"\(tenantID)",
     "domains":[
       {"id":"anchortest.onmicrosoft.com","authenticationType":"Managed","isInitial":true,"isVerified":true},
       {"id":"anchor.test","authenticationType":"Managed","isInitial":false,"isVerified":true,"isDefault":true},
       {"id":"anchor.example","authenticationType":"Federated","isInitial":false,"isVerified":true}],
     "applications":[{"clientId":"\(clientID)","clientSecret":"\(secret)","privilegedRole":false}],
     "users":[\(users.joined(separator: ",\n"))],
     "groups":[\(groups.joined(separator: ",\n"))],
     "roleAssignments":[\(roleAssignments.joined(separator: ","))],\(capabilities.map { "\n \"capabilities\":\($0)," } ?? "")
     "features":{},
     "organization":{"displayName":"Anchor Test","onPremisesSyncEnabled":true}}
    """
  }

}

extension String {
  fileprivate func paddedWithZeros(to length: Int) -> String {
    count >= length ? self : String(repeating: "0", count: length - count) + self
  }
}
