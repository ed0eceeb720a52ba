import AnchorCore
import LDAPClient

extension ActiveDirectoryReader {
  /// DNs of the objects anywhere in the domain (a subtree search from the naming context) whose
  /// mS-DS-ConsistencyGuid holds `anchor`'s bytes, other than `excluded` (compared
  /// case-insensitively): objects outside the users read may already carry a planned value.
  public func objects(withConsistencyGuid anchor: SourceAnchor, excluding excluded: String)
    async throws -> [String]
  {
    guard let value = anchor.ldapFilterValue else { return [] }
    let request = LDAPSearchRequest(
      base: defaultNamingContext, filter: "(mS-DS-ConsistencyGuid=\(value))", attributes: [])
    var found: [String] = []
    do {
      for try await entry in connection.search(request)
      where entry.dn.lowercased() != excluded.lowercased() {
        found.append(entry.dn)
      }
    } catch {
      throw ActiveDirectoryError.translate(error, source: source.name)
    }
    return found
  }
}
