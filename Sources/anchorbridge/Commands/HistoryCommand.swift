import AnchorCore
import ArgumentParser
import Foundation
import PlanExecutor

/// `anchorbridge history`: the journal's runs, items and outcomes.
struct HistoryCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "history", abstract: "Show journaled runs, their items and outcomes.")

  @OptionGroup var config: ConfigOptions
  @Option(name: .customLong("run"), help: "Show this run with every item and step.")
  var runId: String?
  @Option(help: "table, or json (an array of runs, oldest first, each with its id).")
  var format: ReportFormat = .table

  func run() async throws {
    try await withExitCodes {
      let operations = Operations(configuration: try config.load())
      let journal = try operations.openJournal()
      var runs = try journal.runs()
      if let runId {
        runs = runs.filter { $0.id == runId }
        guard !runs.isEmpty else { throw ExecutorError.unknownRun(runId) }
      }
      let items = try runId.map { try journal.items(ofRun: $0) }
      switch format {
      case .json:
        operations.output.write(try Self.json(runs: runs, items: items))
      case .table:
        operations.output.write(Self.table(runs: runs, items: items))
      }
    }
  }

  struct RunWithItems: Encodable {
    var run: JournalRun
    var items: [JournalItem]?

    func encode(to encoder: any Encoder) throws {
      try run.encode(to: encoder)
      if let items {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(items, forKey: Key(stringValue: "items")!)
      }
    }

    struct Key: CodingKey {
      var stringValue: String
      var intValue: Int? { nil }
      init?(stringValue: String) { self.stringValue = stringValue }
      init?(intValue: Int) { nil }
    }
  }

  static func json(runs: [JournalRun], items: [JournalItem]?) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(runs.map { RunWithItems(run: $0, items: items) })
    return String(decoding: data, as: UTF8.self) + "\n"
  }

  static func table(runs: [JournalRun], items: [JournalItem]?) -> String {
    var rows: [[String]] = []
    for run in runs {
      let counts = run.counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        .joined(separator: " ")
      rows.append([
        run.id, run.kind.rawValue + (run.rollbackOf.map { " of \($0)" } ?? ""), run.status.rawValue,
        run.startedAt,
        run.finishedAt ?? "-", counts.isEmpty ? "-" : counts, run.planSource ?? "-",
      ])
    }
    var text = TextTable.render(
      header: ["RUN", "KIND", "STATUS", "STARTED", "FINISHED", "OUTCOMES", "PLAN"], rows: rows)
    if let items {
      var itemRows: [[String]] = []
      for item in items {
        let steps = item.steps.map { "\($0.kind.rawValue):\($0.status.rawValue)" }.joined(
          separator: " ")
        itemRows.append([
          String(item.seq), item.userPrincipalName, item.targetId, item.action.rawValue,
          item.outcome.rawValue,
          steps.isEmpty ? "-" : steps, item.detail ?? "",
        ])
      }
      text +=
        "\n"
        + TextTable.render(
          header: ["#", "USER", "CLOUD ID", "ACTION", "OUTCOME", "STEPS", "DETAIL"], rows: itemRows)
    }
    return text
  }
}
