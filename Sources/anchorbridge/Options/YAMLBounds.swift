import CYaml

/// Bounds a configuration file before Yams composes it: composing expands every alias into a copy
/// and compares mapping keys by value, so a few hundred bytes of nested aliases (or aliases used
/// as keys) would take minutes and gigabytes. This walks libyaml's events once, in constant work
/// per event, and refuses the file before any of that: too large, nested too deep, aliases that
/// expand past `maxValues`, or a key that is not plain text. Messages name line, column and key,
/// never the file's text (a line could hold an inline password).
enum YAMLBounds {
  static let maxBytes = 1 << 20
  static let maxDepth = 64
  static let maxValues = 100_000

  private struct Frame {
    var isMapping: Bool
    var anchor: String?
    var values = 1
    var expectingKey = true
    var key = ""
  }

  static func check(_ text: String, file: String) throws(ConfigurationError) {
    func refuse(_ problem: String, key: String = "") -> ConfigurationError {
      ConfigurationError(file: file, key: key, problem: problem)
    }
    guard text.utf8.count <= maxBytes else {
      throw refuse("is larger than \(maxBytes / 1024) KiB: not a configuration file")
    }
    var parser = yaml_parser_t()
    guard yaml_parser_initialize(&parser) == 1 else { throw refuse("can't be read (no memory)") }
    defer { yaml_parser_delete(&parser) }
    var bytes = Array(text.utf8)
    try bytes.withUnsafeMutableBufferPointer { (buffer) throws(ConfigurationError) in
      yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
      var stack: [Frame] = []
      var sizes: [String: Int] = [:]
      func keyPath() -> String {
        stack.filter(\.isMapping).map(\.key).filter { !$0.isEmpty }.joined(separator: ".")
      }
      /// Adds a finished value of `count` values to its parent; nil at the root.
      func finish(_ count: Int, anchor: String?, isText: String?, line: Int, column: Int)
        throws(ConfigurationError)
      {
        if let anchor { sizes[anchor] = count }
        guard !stack.isEmpty else { return }
        let index = stack.count - 1
        if stack[index].isMapping && stack[index].expectingKey {
          guard let isText else {
            throw refuse(
              "line \(line), column \(column): a mapping key must be plain text "
                + "(an alias, list or mapping as a key is refused)", key: keyPath())
          }
          stack[index].key = isText
        }
        if stack[index].isMapping { stack[index].expectingKey.toggle() }
        stack[index].values += count
        guard stack[index].values <= maxValues else {
          throw refuse(
            "line \(line), column \(column): aliases expand to more than \(maxValues) values",
            key: keyPath())
        }
      }
      while true {
        var event = yaml_event_t()
        guard yaml_parser_parse(&parser, &event) == 1 else {
          let mark = parser.problem_mark
          let problem = parser.problem.map { String(cString: $0) } ?? "unreadable"
          throw refuse(
            "is not valid YAML: line \(mark.line + 1), column \(mark.column + 1): \(problem)",
            key: keyPath())
        }
        defer { yaml_event_delete(&event) }
        let line = Int(event.start_mark.line) + 1
        let column = Int(event.start_mark.column) + 1
        switch event.type {
        case YAML_STREAM_END_EVENT:
          return
        case YAML_SCALAR_EVENT:
          let value = String(
            decoding: UnsafeBufferPointer(
              start: event.data.scalar.value, count: Int(event.data.scalar.length)),
            as: UTF8.self)
          try finish(
            1, anchor: event.data.scalar.anchor.map { String(cString: $0) }, isText: value,
            line: line, column: column)
        case YAML_ALIAS_EVENT:
          let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
          try finish(sizes[name] ?? 1, anchor: nil, isText: nil, line: line, column: column)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
          let anchor =
            event.type == YAML_SEQUENCE_START_EVENT
            ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
          if let parent = stack.last, parent.isMapping && parent.expectingKey {
            throw refuse(
              "line \(line), column \(column): a mapping key must be plain text "
                + "(an alias, list or mapping as a key is refused)", key: keyPath())
          }
          stack.append(
            Frame(
              isMapping: event.type == YAML_MAPPING_START_EVENT,
              anchor: anchor.map { String(cString: $0) }))
          guard stack.count <= maxDepth else {
            throw refuse(
              "line \(line), column \(column): nested deeper than \(maxDepth) levels",
              key: keyPath())
          }
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
          guard let frame = stack.popLast() else { continue }
          try finish(frame.values, anchor: frame.anchor, isText: nil, line: line, column: column)
        default:
          continue
        }
      }
    }
  }
}
