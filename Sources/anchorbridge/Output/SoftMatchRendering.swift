import AnchorCore

/// The soft-match report as a table for a person or JSON for a script.
enum SoftMatchRendering {
  static func table(_ report: SoftMatchReport) -> String {
    let counts = report.counts
    var text =
      "soft-match report for tenant \(report.tenant): "
      + SoftMatchReport.Outcome.allCases.map { "\(counts[$0, default: 0]) \($0.rawValue)" }
      .joined(separator: ", ") + "\n"
    text +=
      "blockSoftMatchEnabled: "
      + (report.blockSoftMatchEnabled.map { String($0) }
        ?? "unknown (reading it needs a delegated Global Administrator)") + "\n"
    for row in report.rows {
      text +=
        "\(row.outcome.rawValue)\t\(row.directory.userPrincipalName ?? "-")\t"
        + "\(row.cloud.map(\.userPrincipalName).joined(separator: ",").nonEmpty ?? "-")\t"
        + "\(row.reason?.rawValue ?? "-")\t\(row.directory.distinguishedName)\t\(row.explanation)\n"
    }
    if report.isBlocking {
      text +=
        "BLOCKING: clearing ImmutableIDs now would not soft-match every user; `clear --all-cloud-only` refuses until this is resolved (or --ignore-softmatch-blocks)\n"
    }
    return text
  }

  static func json(_ report: SoftMatchReport) -> String {
    var out = JSONText()
    out.raw("{")
    out.key("tenant", first: true)
    out.string(report.tenant)
    out.key("blockSoftMatchEnabled")
    if let flag = report.blockSoftMatchEnabled { out.bool(flag) } else { out.raw("null") }
    out.key("blocking")
    out.bool(report.isBlocking)
    out.key("summary")
    out.raw("{")
    for (index, outcome) in SoftMatchReport.Outcome.allCases.enumerated() {
      if index > 0 { out.raw(",") }
      out.string(outcome.rawValue)
      out.raw(":")
      out.number(report.counts[outcome, default: 0])
    }
    out.raw("}")
    out.key("rows")
    out.raw("[")
    for (index, row) in report.rows.enumerated() {
      if index > 0 { out.raw(",") }
      out.raw("{")
      out.key("distinguishedName", first: true)
      out.string(row.directory.distinguishedName)
      out.key("source")
      out.string(row.directory.source)
      out.key("userPrincipalName")
      out.string(row.directory.userPrincipalName)
      out.key("outcome")
      out.string(row.outcome.rawValue)
      out.key("by")
      out.string(row.by?.rawValue)
      out.key("reason")
      out.string(row.reason?.rawValue)
      out.key("cloud")
      out.raw("[")
      for (position, cloud) in row.cloud.enumerated() {
        if position > 0 { out.raw(",") }
        out.raw("{")
        out.key("id", first: true)
        out.string(cloud.id)
        out.key("userPrincipalName")
        out.string(cloud.userPrincipalName)
        out.raw("}")
      }
      out.raw("]")
      out.key("explanation")
      out.string(row.explanation)
      out.raw("}")
    }
    out.raw("]}\n")
    return String(decoding: out.bytes, as: UTF8.self)
  }
}

extension String {
  fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
