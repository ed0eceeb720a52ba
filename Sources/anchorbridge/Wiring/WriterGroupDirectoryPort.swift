import ActiveDirectory
import AnchorCore
import PlanExecutor

/// The group executor's directory: the AD group writer.
struct WriterGroupDirectoryPort: GroupDirectoryPort {
  let writer: ActiveDirectoryWriter

  func prepareGroup(
    distinguishedName: String, source: String, _ preparation: DirectoryPreparation,
    extraProxyAddresses: [String]
  ) async throws -> [String] {
    try await writer.prepareGroup(
      dn: distinguishedName, source: source, preparation, extraProxyAddresses: extraProxyAddresses
    ).added
  }
}
