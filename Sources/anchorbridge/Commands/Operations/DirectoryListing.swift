import ActiveDirectory
import AnchorCore
import Foundation
import StateStore

/// Joins the configured sources, the AD reader and the renderer for `ad users` / `ad groups`.
struct DirectoryListing {
  let options: DirectoryReadOptions
  let directory: DirectoryConfiguration
  var output = OutputSink.standardOutput
  var errors = OutputSink.standardError

  init(options: DirectoryReadOptions, directory: DirectoryConfiguration) {
    self.options = options
    self.directory = directory
  }

  func selectedSources() throws(ConfigurationError) -> [DirectorySource] {
    for name in options.source where !directory.sources.contains(where: { $0.name == name }) {
      throw ConfigurationError(
        file: options.config.config, key: "directory.sources",
        problem: "has no source named '\(name)' (given with --source)")
    }
    var reading = DirectoryReading(directory: directory)
    reading.errors = errors
    reading.warnAboutUnverifiedTLS()
    return directory.sources.filter { options.source.isEmpty || options.source.contains($0.name) }
  }

  func listUsers() async throws {
    var renderer = DirectoryRenderer(format: options.format)
    let progress = Progress(label: "users", sink: errors)
    var diagnostics: [Diagnostic] = []
    try await closingOnFailure(&renderer) { renderer in
      try await listUsers(&renderer, &diagnostics, progress)
    }
    output.write(renderer.finish(columns: DirectoryRenderer.userColumns))
    progress.done()
    report(diagnostics)
  }

  /// Runs `body`; when it fails, ends stdout so it stays valid (`DirectoryRenderer.abandoned`) and
  /// says on stderr that it is incomplete, then rethrows (a non-zero exit).
  private func closingOnFailure(
    _ renderer: inout DirectoryRenderer,
    _ body: (inout DirectoryRenderer) async throws -> Void
  ) async throws {
    do {
      try await body(&renderer)
    } catch {
      output.write(renderer.abandoned())
      Messages.emit(
        "error",
        "the read failed midway: standard output is incomplete"
          + (renderer.format == .json && renderer.started
            ? " (a valid JSON array of the objects read before the failure)" : ""),
        sink: errors)
      throw error
    }
  }

  private func listUsers(
    _ renderer: inout DirectoryRenderer, _ diagnostics: inout [Diagnostic], _ progress: Progress
  ) async throws {
    try await eachSource { reader, since in
      // Over `readConnections` connections at once; an entry read twice is written once.
      let pages = try await reader.userPagesInParallel(changedAfter: since)
      var repeats = pages.repeatFilter
      if options.format == .json {
        // JSON, the bulk format, is written from each page's bytes into one reused buffer.
        var buffer = JSONText(capacity: 1 << 20)
        for try await page in pages {
          buffer.removeAll()
          do {
            diagnostics.append(
              contentsOf: try renderer.usersJSON(page, into: &buffer, repeats: &repeats))
          } catch {
            output.write(buffer.bytes)  // the complete objects before the failing one
            throw error
          }
          output.write(buffer.bytes)
          progress.advance(by: page.count)
        }
        return
      }
      for try await page in pages {
        var users: [ReadUser] = []
        for entry in page {
          guard let read = try entry.read(reporting: &diagnostics) else { continue }
          if repeats.admits(read.user.objectGUID) { users.append(read) }
        }
        output.write(
          renderer.page(
            users.map(\.user), columns: DirectoryRenderer.userColumns,
            rows: DirectoryRenderer.userRow, json: DirectoryRenderer.userJSON))
        for read in users { diagnostics.append(contentsOf: read.diagnostics) }
        progress.advance(by: page.count)
      }
    }
  }

  func listGroups() async throws {
    var renderer = DirectoryRenderer(format: options.format)
    let progress = Progress(label: "groups", sink: errors)
    try await closingOnFailure(&renderer) { renderer in
      try await eachSource { reader, since in
        for try await page in reader.groups(changedAfter: since) {
          output.write(
            renderer.page(
              page, columns: DirectoryRenderer.groupColumns, rows: DirectoryRenderer.groupRow,
              json: DirectoryRenderer.groupJSON))
          progress.advance(by: page.count)
        }
      }
    }
    output.write(renderer.finish(columns: DirectoryRenderer.groupColumns))
    progress.done()
  }

  /// Connects to each selected source in turn; with `--watermark`, works out the incremental base
  /// and saves the new watermarks only after every source was read completely.
  private func eachSource(
    _ body: (ActiveDirectoryReader, Int64?) async throws -> Void
  ) async throws {
    let store = options.watermark.map { WatermarkFile(path: $0) }
    let stored = try store?.load() ?? []
    var updated: [USNWatermark] = []
    for source in try selectedSources() {
      let reader = try await ActiveDirectoryReader.connect(source)
      var since: Int64?
      if store != nil {
        let current = try await reader.currentWatermark()
        since = current.incrementalBase(since: stored.first { $0.source == source.name })
        if since == nil {
          Messages.emit("notice", "\(source.name): full read (no usable watermark)", sink: errors)
        }
        updated.append(current)
      }
      try await body(reader, since)
    }
    if let store {
      let others = stored.filter { old in !updated.contains { $0.source == old.source } }
      try store.save(others + updated)
    }
  }

  private func report(_ diagnostics: [Diagnostic]) {
    guard !diagnostics.isEmpty else { return }
    for diagnostic in diagnostics where diagnostic.severity >= .warning {
      Messages.emit(
        diagnostic.severity.rawValue,
        "\(diagnostic.subject): \(diagnostic.message) [\(diagnostic.code)]", sink: errors)
    }
  }
}
