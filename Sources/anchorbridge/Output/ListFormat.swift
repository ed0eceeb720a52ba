import ArgumentParser

/// How directory objects are listed (`ad users`, `ad groups`): streamed page by page.
enum ListFormat: String, CaseIterable, ExpressibleByArgument {
  case json, csv, table
}
