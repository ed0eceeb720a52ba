extension Plan {
  /// A fixed-width table for a terminal: one line per item, then the summary.
  public func renderTable() -> String {
    let header = ["ACTION", "REASON", "CLOUD USER", "DIRECTORY USER", "IMMUTABLEID", "STEPS"]
    var rows: [[String]] = []
    rows.reserveCapacity(items.count)
    for item in items {
      rows.append([
        item.action.rawValue, item.reason.rawValue, item.cloud?.userPrincipalName ?? "-",
        item.directory.map { $0.userPrincipalName ?? $0.distinguishedName } ?? "-",
        item.immutableId?.immutableId ?? "-",
        item.steps.isEmpty ? "-" : item.steps.map(\.kind.rawValue).joined(separator: ">"),
      ])
    }
    var out = TextTable.render(header: header, rows: rows)
    out += "\n" + summaryLine + "\n"
    for diagnostic in diagnostics {
      out +=
        "\(diagnostic.severity.rawValue): \(diagnostic.code) \(diagnostic.subject): \(diagnostic.message)\n"
    }
    return out
  }

  /// `12 items: 10 link, 1 blocked, 1 conflict` in the order of `PlanAction.allCases`.
  public var summaryLine: String {
    let parts = PlanAction.allCases.compactMap { action in
      summary[action.rawValue].map { "\($0) \(action.rawValue)" }
    }
    return "\(items.count) items" + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", "))
  }

  /// Markdown for a change ticket: what, where, the counts, every item that writes or needs a
  /// human, and the findings. noop and skip items are counted, not listed.
  public func renderMarkdown() -> String {
    let title =
      kind == .anchorWriteback
      ? "write ImmutableIDs into AD's mS-DS-ConsistencyGuid"
      : mode == .link ? "link users" : "clear ImmutableIDs"
    var out = "# AnchorBridge plan: \(title)\n\n"
    out += "| | |\n|---|---|\n"
    out += "| Tenant | `\(markdownEscape(tenant))` |\n"
    out += "| Created | \(markdownEscape(createdAt)) |\n"
    out += "| Input fingerprint | `\(inputFingerprint)` |\n"
    out += "| Match order | \(settings.matchOrder.map(\.rawValue).joined(separator: ", ")) |\n"
    out +=
      "| allowRelink / includeDisabled / allowFederatedClear | \(settings.allowRelink) / \(settings.includeDisabled) / \(settings.allowFederatedClear) |\n\n"
    out += "## Summary\n\n| Action | Count |\n|---|---:|\n"
    for action in PlanAction.allCases {
      if let count = summary[action.rawValue] { out += "| \(action.rawValue) | \(count) |\n" }
    }
    for action in [PlanAction.link, .relink, .clear, .blocked, .conflict] {
      let listed = items(action)
      guard !listed.isEmpty else { continue }
      out += "\n## \(action.rawValue) (\(listed.count))\n\n"
      out +=
        "| Cloud user | Directory user | ImmutableID | Reason | Steps |\n|---|---|---|---|---|\n"
      for item in listed {
        let cloud = item.cloud.map { "\($0.userPrincipalName) (`\($0.id)`)" } ?? "-"
        let directory = item.directory.map { "\($0.distinguishedName) (`\($0.objectGuid)`)" } ?? "-"
        var reason = "`\(item.reason)`: \(item.explanation)"
        if !item.involved.isEmpty {
          reason +=
            "<br>involved: "
            + item.involved.map { "\($0.side.rawValue) \($0.userPrincipalName ?? $0.id)" }.joined(
              separator: ", ")
        }
        if let readiness = item.softMatch {
          reason +=
            "<br>soft match: \(readiness.outcome.rawValue)"
            + (readiness.by.map { " by \($0.rawValue)" } ?? "")
            + (readiness.reason.map { " (\($0))" } ?? "")
        }
        let steps = item.steps.map { step in
          step.kind.rawValue + (step.userPrincipalName.map { " \($0)" } ?? "")
        }.joined(separator: "<br>")
        out +=
          "| \(markdownEscape(cloud)) | \(markdownEscape(directory)) | \(item.immutableId.map { "`\($0)`" } ?? "-") | \(markdownEscape(reason)) | \(markdownEscape(steps.isEmpty ? "-" : steps)) |\n"
      }
    }
    if mode == .clear {
      var readiness: [String: Int] = [:]
      for item in items {
        if let outcome = item.softMatch?.outcome { readiness[outcome.rawValue, default: 0] += 1 }
      }
      out += "\n## Soft-match readiness\n\n| Outcome | Count |\n|---|---:|\n"
      for key in readiness.keys.sorted() { out += "| \(key) | \(readiness[key]!) |\n" }
    }
    if !diagnostics.isEmpty {
      out += "\n## Findings\n\n"
      for diagnostic in diagnostics {
        out +=
          "- **\(diagnostic.severity.rawValue)** `\(diagnostic.code)` \(markdownEscape(diagnostic.subject)): \(markdownEscape(diagnostic.message))\n"
      }
    }
    return out
  }
}

/// Escapes the characters that break a Markdown table cell.
private func markdownEscape(_ text: String) -> String {
  var out = ""
  for character in text {
    switch character {
    case "|": out += "\\|"
    case "\n": out += " "
    default: out.append(character)
    }
  }
  return out
}
