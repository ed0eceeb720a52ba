/// One line of an explicit mapping file: this directory user is that cloud user.
public struct IdentityMapping: Hashable, Sendable {
  public enum DirectoryKey: Hashable, Sendable {
    case distinguishedName(String)
    case samAccountName(String)
    case userPrincipalName(String)

    /// Directory names compare case-insensitively.
    var comparisonKey: String {
      switch self {
      case .distinguishedName(let dn): "dn:" + dn.lowercased()
      case .samAccountName(let sam): "sam:" + sam.lowercased()
      case .userPrincipalName(let upn): "upn:" + upn.lowercased()
      }
    }
  }

  public enum CloudKey: Hashable, Sendable {
    case objectId(String)
    case userPrincipalName(String)
  }

  public var directory: DirectoryKey
  public var cloud: CloudKey
  /// Where the line came from, for diagnostics: `mapping.csv:12`.
  public var origin: String

  public init(directory: DirectoryKey, cloud: CloudKey, origin: String) {
    self.directory = directory
    self.cloud = cloud
    self.origin = origin
  }

  /// Parses a mapping CSV (RFC 4180 quoting). Two columns: the directory user, the cloud user.
  ///
  /// A value may name its form with a prefix — `dn:`, `sam:`, `upn:` on the directory side, `id:`,
  /// `upn:` on the cloud side — or be recognised: a directory value with `=` is a DN, with `@` a
  /// UPN, otherwise a sAMAccountName; a cloud value shaped like a GUID is an object id, with `@` a
  /// UPN. An optional header `directory,cloud`, blank lines and lines starting with `#` are skipped.
  /// - Parameter source: the file name, used in errors and origins.
  public static func parseCSV(_ text: String, source: String) throws(AnchorCoreError)
    -> [IdentityMapping]
  {
    var result: [IdentityMapping] = []
    var seenDirectory: [String: Int] = [:]  // "kind:lowercased value" -> line
    for (lineNumber, fields) in try CSVReader.records(text, source: source) {
      if fields.count == 1 && fields[0].isEmpty { continue }
      if let first = fields.first, first.hasPrefix("#") { continue }
      if result.isEmpty && seenDirectory.isEmpty
        && fields.map({ $0.lowercased() }) == ["directory", "cloud"]
      {
        continue
      }
      guard fields.count == 2 else {
        throw .invalidMapping(
          source: source, line: lineNumber,
          message: "expected 2 columns (directory user, cloud user), found \(fields.count)")
      }
      let directory = try directoryKey(fields[0], source: source, line: lineNumber)
      let cloud = try cloudKey(fields[1], source: source, line: lineNumber)
      let seenKey = directory.comparisonKey
      if let previous = seenDirectory[seenKey] {
        throw .invalidMapping(
          source: source, line: lineNumber,
          message: "'\(fields[0])' is already mapped on line \(previous)")
      }
      seenDirectory[seenKey] = lineNumber
      result.append(
        IdentityMapping(directory: directory, cloud: cloud, origin: "\(source):\(lineNumber)"))
    }
    return result
  }

  private static func directoryKey(_ raw: String, source: String, line: Int) throws(AnchorCoreError)
    -> DirectoryKey
  {
    let value = trim(raw)
    guard !value.isEmpty else {
      throw .invalidMapping(source: source, line: line, message: "the directory user is empty")
    }
    if let rest = stripPrefix(value, "dn:") { return .distinguishedName(rest) }
    if let rest = stripPrefix(value, "sam:") { return .samAccountName(rest) }
    if let rest = stripPrefix(value, "upn:") { return .userPrincipalName(rest) }
    if value.contains("=") { return .distinguishedName(value) }
    if value.contains("@") { return .userPrincipalName(value) }
    return .samAccountName(value)
  }

  private static func cloudKey(_ raw: String, source: String, line: Int) throws(AnchorCoreError)
    -> CloudKey
  {
    let value = trim(raw)
    guard !value.isEmpty else {
      throw .invalidMapping(source: source, line: line, message: "the cloud user is empty")
    }
    if let rest = stripPrefix(value, "id:") { return .objectId(rest) }
    if let rest = stripPrefix(value, "upn:") { return .userPrincipalName(rest) }
    if ObjectGUID(guidString: value) != nil { return .objectId(value) }
    if value.contains("@") { return .userPrincipalName(value) }
    throw .invalidMapping(
      source: source, line: line,
      message: "cloud user '\(value)' is neither an object id (GUID) nor a UPN (name@domain)")
  }

  private static func stripPrefix(_ value: String, _ prefix: String) -> String? {
    guard value.count > prefix.count, value.lowercased().hasPrefix(prefix) else { return nil }
    return trim(String(value.dropFirst(prefix.count)))
  }

  private static func trim(_ text: String) -> String {
    var slice = Substring(text)
    while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
    while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
    return String(slice)
  }
}

/// RFC 4180 records with the 1-based line each record starts on.
enum CSVReader {
  static func records(_ text: String, source: String) throws(AnchorCoreError) -> [(Int, [String])] {
    var records: [(Int, [String])] = []
    var fields: [String] = []
    var field = ""
    var inQuotes = false
    var line = 1
    var recordLine = 1
    var afterQuote = false
    var iterator = text.makeIterator()
    var pending: Character? = nil
    func next() -> Character? {
      if let character = pending {
        pending = nil
        return character
      }
      return iterator.next()
    }
    while let character = next() {
      if inQuotes {
        if character == "\"" {
          if let following = next() {
            if following == "\"" {
              field.append("\"")
            } else {
              inQuotes = false
              afterQuote = true
              pending = following
            }
          } else {
            inQuotes = false
            afterQuote = true
          }
        } else {
          if character == "\n" || character == "\r\n" { line += 1 }
          field.append(character)
        }
        continue
      }
      switch character {
      case ",":
        fields.append(field)
        field = ""
        afterQuote = false
      case "\n", "\r\n", "\r":
        fields.append(field)
        records.append((recordLine, fields))
        fields = []
        field = ""
        afterQuote = false
        line += 1
        recordLine = line
      case "\"" where field.isEmpty && !afterQuote:
        inQuotes = true
      default:
        if afterQuote {
          throw .invalidMapping(
            source: source, line: line,
            message: "text after a closing quote (quote the whole value)")
        }
        if character == "\"" {
          throw .invalidMapping(
            source: source, line: line,
            message: "a quote inside an unquoted value (quote the whole value)")
        }
        field.append(character)
      }
    }
    if inQuotes {
      throw .invalidMapping(source: source, line: recordLine, message: "unterminated quoted value")
    }
    if !field.isEmpty || !fields.isEmpty || afterQuote {
      fields.append(field)
      records.append((recordLine, fields))
    }
    return records
  }
}
