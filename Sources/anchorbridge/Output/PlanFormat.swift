import ArgumentParser

/// How a plan is printed (`plan`, `clear`, `anchors writeback`, `groups plan`).
enum PlanFormat: String, CaseIterable, ExpressibleByArgument {
  case table, json, markdown
}
