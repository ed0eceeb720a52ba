import AnchorCore
import LDAPClient

extension ActiveDirectoryReader {
  /// The DC's current position: rootDSE `highestCommittedUSN`, `dnsHostName`, and the invocationId
  /// of its NTDS Settings object (named by rootDSE `dsServiceName`). Take it BEFORE a read: changes
  /// made during the read then show up again next time rather than being missed.
  public func currentWatermark() async throws(ActiveDirectoryError) -> USNWatermark {
    do {
      let root = try await connection.rootDSE(attributes: [
        "highestCommittedUSN", "dsServiceName", "dnsHostName",
      ])
      guard let usn = root.string("highestCommittedUSN").flatMap({ Int64($0) }),
        let service = root.string("dsServiceName")
      else {
        throw ActiveDirectoryError.malformed(
          source: source.name, dn: "rootDSE", attribute: "highestCommittedUSN",
          reason: "or dsServiceName is missing")
      }
      guard USNWatermark.plausibleUSNs.contains(usn) else {
        throw ActiveDirectoryError.malformed(
          source: source.name, dn: "rootDSE", attribute: "highestCommittedUSN",
          reason:
            "is \(usn), outside the USNs a DC can hold (\(USNWatermark.plausibleUSNs)); the "
            + "server at \(connection.configuration.uris.joined(separator: " ")) is broken")
      }
      guard let settings = try await connection.read(service, attributes: ["invocationId"]),
        let raw = settings.bytes("invocationId"), let invocation = ObjectGUID(bytes: raw)
      else {
        throw ActiveDirectoryError.malformed(
          source: source.name, dn: service, attribute: "invocationId", reason: "is missing")
      }
      return USNWatermark(
        source: source.name, dcHostName: root.string("dnsHostName") ?? "",
        invocationId: invocation.canonicalString, highestCommittedUSN: usn)
    } catch let error as ActiveDirectoryError {
      throw error
    } catch let error as LDAPError {
      throw .ldap(source: source.name, error)
    } catch {
      throw .malformed(source: source.name, dn: "rootDSE", attribute: "", reason: "\(error)")
    }
  }
}

extension USNWatermark {
  /// The USN to read changes after, given the watermark stored by the previous read, or nil when a
  /// full read is required: no watermark, another source or DC, or the DC's database was restored
  /// (invocationId changed) or rewound, or the stored USN is not one a DC can hold (a damaged file).
  public func incrementalBase(since stored: USNWatermark?) -> Int64? {
    guard let stored, stored.source == source,
      USNWatermark.plausibleUSNs.contains(stored.highestCommittedUSN),
      stored.dcHostName.lowercased() == dcHostName.lowercased(),
      stored.invocationId == invocationId,
      stored.highestCommittedUSN <= highestCommittedUSN
    else { return nil }
    return stored.highestCommittedUSN
  }
}
