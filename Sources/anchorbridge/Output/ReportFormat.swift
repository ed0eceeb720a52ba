import ArgumentParser

/// How a read-only report is printed (`softmatch report`, `history`).
enum ReportFormat: String, CaseIterable, ExpressibleByArgument {
  case table, json
}
