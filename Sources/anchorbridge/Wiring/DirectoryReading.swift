import ActiveDirectory
import AnchorCore

/// Reads every configured source completely, or fails: a plan is never made from partial data.
struct DirectoryReading {
  let directory: DirectoryConfiguration
  var errors = OutputSink.standardError

  struct Result {
    var users: [DirectoryUser] = []
    var diagnostics: [Diagnostic] = []
    var watermarks: [USNWatermark] = []
  }

  func warnAboutUnverifiedTLS() {
    for name in directory.unverifiedSources {
      Messages.emit(
        "warning",
        "WARNING: certificate verification is OFF for directory source '\(name)' "
          + "(tls.verify: false); the connection can be intercepted", sink: errors)
    }
  }

  /// Every user of every source, with each source's watermark taken *before* its read (so a change
  /// made during the read is seen again by the next incremental check).
  func allUsers() async throws -> Result {
    var result = Result()
    for source in directory.sources {
      try await withReader(source) { reader in
        result.watermarks.append(try await reader.currentWatermark())
        // Over `readConnections` connections at once; an entry read twice counts once.
        let pages = try await reader.userPagesInParallel()
        var repeats = pages.repeatFilter
        for try await page in pages {
          for entry in page {
            // A user whose text is not UTF-8 is reported and left out of planning.
            guard let read = try entry.read(reporting: &result.diagnostics),
              repeats.admits(read.user.objectGUID)
            else { continue }
            result.users.append(read.user)
            result.diagnostics.append(contentsOf: read.diagnostics)
          }
        }
      }
    }
    return result
  }

  /// Every group of every source, members resolved to objectGUIDs.
  func allGroups() async throws -> [DirectoryGroup] {
    var groups: [DirectoryGroup] = []
    for source in directory.sources {
      try await withReader(source) { reader in
        for try await page in reader.groups() { groups.append(contentsOf: page) }
      }
    }
    return groups
  }

  /// True when any source has a user changed after its stored watermark, or when a watermark
  /// can't be used (another DC, a restored database, none stored): then only a full read is safe.
  func changed(since stored: [USNWatermark]) async throws -> Bool {
    for source in directory.sources {
      var changed = false
      try await withReader(source) { reader in
        let current = try await reader.currentWatermark()
        guard let base = current.incrementalBase(since: stored.first { $0.source == source.name })
        else {
          changed = true
          return
        }
        // Packed pages, not decoded users: a user that can't be decoded is still a change.
        for try await page in reader.userPages(changedAfter: base) where !page.isEmpty {
          changed = true
          break
        }
      }
      if changed { return true }
    }
    return false
  }

  private func withReader(
    _ source: DirectorySource, _ body: (ActiveDirectoryReader) async throws -> Void
  ) async throws {
    try await body(try await ActiveDirectoryReader.connect(source))
  }
}
