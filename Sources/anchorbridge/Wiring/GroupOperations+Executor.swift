import ActiveDirectory
import AnchorCore
import Foundation
import GraphClient
import PlanExecutor
import StateStore

extension GroupOperations {
  /// `groups apply` through the group executor: the tenant over GraphClient, AD over the group
  /// writer (only with `--write-ad`), Exchange captures read from `exchangeCapture` and kept next
  /// to the group's snapshots.
  func apply(
    _ plan: GroupPlan, client: GraphClient, journal: Journal, writeDirectory: Bool,
    exchangeCapture: String?
  ) async throws -> [GroupOutcome] {
    let writer = ActiveDirectoryWriter(sources: try configuration.requireDirectory().sources)
    // The tenant's groups, read once: the fresh snapshots before deletions name parents by them.
    var known: [String: GraphGroup] = [:]
    if plan.items.contains(where: { $0.action == .migrate }) {
      for group in try await client.groups().collect() { known[group.id.lowercased()] = group }
    }
    let executor = GroupExecutor(
      tenant: GraphGroupTenantPort(client: client, known: known),
      directory: writeDirectory ? WriterGroupDirectoryPort(writer: writer) : nil,
      journal: journal, now: { Clock.now() })
    var captures: GroupExecutor.CaptureSource?
    if let folder = exchangeCapture {
      let stateDirectory = operations.stateDirectory
      captures = { id in
        let capture = try GroupOperations.readCapture(folder: folder, id: id)
        if let capture {
          try PrivateFile.write(
            try GroupOperations.encoder.encode(capture) + Data("\n".utf8),
            to: "\(stateDirectory)/groups/\(id.lowercased())/exchange-capture.json")
        }
        return capture
      }
    }
    do {
      return try await executor.apply(plan, captures: captures)
    } catch let error as GroupExecutorError {
      throw UsageError(error.description)
    }
  }

  /// `groups verify [--restore-access]` through the group executor.
  func verify(_ plan: GroupPlan, client: GraphClient, journal: Journal, restoreAccess: Bool)
    async throws -> [GroupOutcome]
  {
    let executor = GroupExecutor(
      tenant: GraphGroupTenantPort(client: client, known: [:]), directory: nil, journal: journal,
      now: { Clock.now() })
    do {
      return try await executor.verify(plan, restoreAccess: restoreAccess)
    } catch let error as GroupExecutorError {
      throw UsageError(error.description)
    }
  }

  /// `groups restore --group ID` through the group executor; an Exchange Online script goes to
  /// `script`, else to the output.
  func restore(groupId: String, client: GraphClient, journal: Journal, script: String?)
    async throws -> [GroupOutcome]
  {
    let executor = GroupExecutor(
      tenant: GraphGroupTenantPort(client: client, known: [:]), directory: nil, journal: journal,
      now: { Clock.now() })
    let output = self.output
    let destination = RestoreScript(
      location: script.map { "'\($0)'" } ?? "printed above",
      write: { text in
        if let script {
          try PrivateFile.write(Data(text.utf8), to: script)
        } else {
          output.write(text)
        }
      })
    do {
      return try await executor.restore(groupId: groupId, script: destination)
    } catch GroupExecutorError.noSnapshotToRestore(let id) {
      throw UsageError(
        "the journal in \(operations.stateDirectory) has no snapshot of group '\(id)' "
          + "(snapshots are taken by `groups plan`)")
    } catch let error as GroupExecutorError {
      throw UsageError(error.description)
    }
  }

  /// `<folder>/<id>.json` as the script writes it; nil when the file is absent. A file for another
  /// group, or one that is not a capture, is refused with its path.
  static func readCapture(folder: String, id: String) throws -> ExchangeCapture? {
    let path = "\(folder)/\(id).json"
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    // PowerShell's Set-Content -Encoding UTF8 writes a byte order mark.
    let bytes = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]
    let capture: ExchangeCapture
    do {
      capture = try JSONDecoder().decode(ExchangeCapture.self, from: Data(bytes))
    } catch {
      throw UsageError(
        "the Exchange capture '\(path)' is not a capture the script writes: \(error)")
    }
    guard capture.externalDirectoryObjectId.lowercased() == id.lowercased() else {
      throw UsageError(
        "the Exchange capture '\(path)' is for \(capture.externalDirectoryObjectId), not \(id)")
    }
    return capture
  }
}
