extension GroupPlan {
  /// A fixed-width table for a terminal: one line per AD group, then the summary and findings.
  public func renderTable() -> String {
    let header = ["ACTION", "REASON", "AD GROUP", "CLOUD GROUP", "KIND", "MEMBERS", "LOST"]
    let rows = items.map { item -> [String] in
      var kind = "-"
      if let cloud = item.cloud {
        kind = cloud.kind.rawValue
        if let resulting = item.resultingKind, resulting != cloud.kind {
          kind += ">" + resulting.rawValue
        }
      }
      let cloud = item.cloud.map { "\($0.displayName) (\($0.id))" } ?? "-"
      let members = item.members.map { "\($0.inBoth.count)+\($0.addToDirectory.count)" } ?? "-"
      let lost = item.members.map { String($0.withoutDirectoryTwin.count) } ?? "-"
      return [
        item.action.rawValue, item.reason.rawValue, item.directory?.distinguishedName ?? "-",
        cloud, kind, members, lost,
      ]
    }
    var out = TextTable.render(header: header, rows: rows)
    out += "\n" + summaryLine + "\n"
    for diagnostic in diagnostics + items.flatMap(\.diagnostics) {
      out +=
        "\(diagnostic.severity.rawValue): \(diagnostic.code) \(diagnostic.subject): \(diagnostic.message)\n"
    }
    return out
  }

  /// `5 groups: 2 migrate, 1 blocked, ...` in the order of `GroupAction.allCases`.
  public var summaryLine: String {
    let parts = GroupAction.allCases.compactMap { action in
      summary[action.rawValue].map { "\($0) \(action.rawValue)" }
    }
    return "\(items.count) group\(items.count == 1 ? "" : "s")"
      + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", "))
  }

  /// Markdown for a change ticket: a summary table, then each group's steps and what it carries.
  public func renderMarkdown() -> String {
    func cell(_ text: String) -> String {
      text.replacingPipes()
    }
    var out = "# AnchorBridge group plan (\(direction.rawValue))\n\n"
    out += "- Tenant: `\(tenant)`\n- Created: \(createdAt)\n- Inputs: `\(inputFingerprint)`\n"
    out += "- \(summaryLine)\n\n"
    out += "| Action | AD group | Cloud group | Kind | Reason |\n|---|---|---|---|---|\n"
    for item in items {
      out +=
        "| \(item.action.rawValue) | \(cell(item.directory?.distinguishedName ?? "-")) | "
        + "\(cell(item.cloud?.displayName ?? "-")) | \(item.cloud?.kind.rawValue ?? "-") | "
        + "\(cell(item.explanation)) |\n"
    }
    for item in items where !item.steps.isEmpty {
      out +=
        "\n## \(cell(item.cloud?.displayName ?? "")) → \(cell(item.directory?.distinguishedName ?? ""))\n\n"
      for step in item.steps {
        out +=
          "\(step.number). **\(step.name.rawValue)** (\(step.actor.rawValue)): `\(step.command)`: "
          + "\(step.detail)\n"
      }
      if let members = item.members {
        out +=
          "\nMembers: \(members.inBoth.count) already in AD, \(members.addToDirectory.count) to add "
          + "to AD, \(members.directoryOnly.count) only in AD, "
          + "\(members.withoutDirectoryTwin.count) without an AD twin"
          + (members.withoutDirectoryTwin.isEmpty
            ? ""
            : " (lost: " + members.withoutDirectoryTwin.map(\.label).joined(separator: ", ") + ")")
          + "\n"
      }
      for diagnostic in item.diagnostics {
        out +=
          "- \(diagnostic.severity.rawValue) `\(diagnostic.code)`: \(cell(diagnostic.message))\n"
      }
    }
    return out
  }
}

extension String {
  fileprivate func replacingPipes() -> String {
    String(map { $0 == "|" ? "/" : ($0.isNewline ? " " : $0) })
  }
}
