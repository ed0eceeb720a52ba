extension Plan {
  /// The plan as JSON text (see `writeJSON(to:)`), collected in memory.
  public func encodeJSON() -> [UInt8] {
    var out: [UInt8] = []
    writeJSON { out.append(contentsOf: $0) }
    return out
  }

  /// Streams the plan as JSON text to `sink` in chunks: sorted keys, the top level indented, one
  /// compact line per item (readable, diffable, and small even for the largest plans),
  /// and a `checksum` member holding `sha256:` of the canonical compact encoding of everything else.
  /// Two passes over the items (hash, then write) so nothing the size of the plan is held in memory.
  /// Returns the checksum it wrote, for the executor's journal.
  @discardableResult
  public func writeJSON(to sink: (_ chunk: [UInt8]) -> Void) -> String {
    writeJSON(sealedWith: nil, to: sink)
  }

  /// `writeJSON(to:)`, adding a `seal` member (`PlanSealKey.seal`) when `key` is given, so only
  /// this installation can produce a file that `decodeSealed(json:sealedWith:)` accepts.
  @discardableResult
  public func writeJSON(sealedWith key: PlanSealKey?, to sink: (_ chunk: [UInt8]) -> Void)
    -> String
  {
    var hasher = SHA256()
    stream(pretty: false, checksum: nil, seal: nil) { hasher.update($0) }
    let checksum = "sha256:" + Hex.encode(hasher.finalize())
    let seal = key?.seal(kind: kind.rawValue, checksum: checksum)
    stream(pretty: true, checksum: checksum, seal: seal, to: sink)
    return checksum
  }

  /// Writes the document; `pretty` indents the top level and puts each item on its own line.
  private func stream(
    pretty: Bool, checksum: String?, seal: String?, to sink: (_ chunk: [UInt8]) -> Void
  ) {
    var writer = JSONWriter(pretty: false)
    writer.output.reserveCapacity(1 << 16)
    func flushIfFull(_ writer: inout JSONWriter) {
      if writer.output.count >= 1 << 16 {
        sink(writer.output)
        writer.output.removeAll(keepingCapacity: true)
      }
    }
    var members = headerMembers
    if let checksum { members.insert(JSONMember("checksum", .string(checksum)), at: 0) }
    if let seal {
      let at = members.firstIndex { !JSONWriter.precedes($0.key, "seal") } ?? members.count
      members.insert(JSONMember("seal", .string(seal)), at: at)
    }
    let itemsAt = members.firstIndex { !JSONWriter.precedes($0.key, "items") } ?? members.count
    writer.output.append(UInt8(ascii: "{"))
    for (index, member) in members.enumerated() {
      if index == itemsAt {
        writeItems(&writer, pretty: pretty, first: index == 0, flush: flushIfFull)
      }
      if index > 0 || itemsAt == 0 { writer.output.append(UInt8(ascii: ",")) }
      if pretty { writer.output.append(contentsOf: "\n  ".utf8) }
      writer.writeString(member.key)
      writer.output.append(contentsOf: (pretty ? ": " : ":").utf8)
      if pretty {
        var nested = JSONWriter(pretty: true)
        nested.write(member.value, depth: 1)
        writer.output.append(contentsOf: nested.output)
      } else {
        writer.write(member.value, depth: 1)
      }
    }
    if itemsAt == members.count {
      writeItems(&writer, pretty: pretty, first: members.isEmpty, flush: flushIfFull)
    }
    writer.output.append(contentsOf: (pretty ? "\n}\n" : "}").utf8)
    sink(writer.output)
  }

  private func writeItems(
    _ writer: inout JSONWriter, pretty: Bool, first: Bool, flush: (inout JSONWriter) -> Void
  ) {
    if !first { writer.output.append(UInt8(ascii: ",")) }
    if pretty { writer.output.append(contentsOf: "\n  ".utf8) }
    writer.writeString("items")
    writer.output.append(contentsOf: (pretty ? ": [" : ":[").utf8)
    for index in items.indices {
      if index > 0 { writer.output.append(UInt8(ascii: ",")) }
      if pretty { writer.output.append(contentsOf: "\n    ".utf8) }
      items[index].writeCompact(into: &writer)
      flush(&writer)
    }
    if pretty && !items.isEmpty { writer.output.append(contentsOf: "\n  ".utf8) }
    writer.output.append(UInt8(ascii: "]"))
  }

  /// Reads a plan file, refusing an unknown format version or kind, a checksum that does not match
  /// (edited or truncated content), any missing or mistyped field and an item whose duplicated
  /// values disagree. The seal is not checked: see `decodeSealed(json:sealedWith:)`.
  public static func decode(json bytes: [UInt8]) throws(AnchorCoreError) -> Plan {
    try decodeChecked(json: bytes).plan
  }

  /// `decode(json:)`, also returning the checksum the file carries (verified against the content);
  /// for `plan import`, which re-seals a plan made by another installation.
  public static func decodeChecked(json bytes: [UInt8]) throws(AnchorCoreError)
    -> (plan: Plan, checksum: String)
  {
    let (plan, checksum, _) = try read(bytes)
    return (plan, checksum)
  }

  /// `decodeChecked(json:)` that also refuses a plan not sealed with `key` (edited with a
  /// recomputed checksum, or made by another installation), without printing any value that
  /// would make the file pass.
  public static func decodeSealed(json bytes: [UInt8], sealedWith key: PlanSealKey)
    throws(AnchorCoreError) -> (plan: Plan, checksum: String)
  {
    let (plan, checksum, seal) = try read(bytes)
    guard let seal, key.verifies(seal: seal, kind: plan.kind.rawValue, checksum: checksum) else {
      throw .invalidPlan(
        .sealMismatch,
        detail: seal == nil
          ? "the plan has no seal of this installation (made elsewhere or by an older version)"
          : "the seal does not match: the plan was edited, or made by another installation")
    }
    return (plan, checksum)
  }

  private static func read(_ bytes: [UInt8]) throws(AnchorCoreError)
    -> (plan: Plan, checksum: String, seal: String?)
  {
    let document: JSONValue
    do {
      document = try JSONParser.parse(bytes)
    } catch {
      throw .invalidPlan(.malformedJSON, detail: "not valid JSON (\(error.description))")
    }
    guard case .object(let members) = document else {
      throw .invalidPlan(.wrongType, detail: "the plan is not a JSON object")
    }
    guard case .int(let version)? = document["formatVersion"] else {
      throw .invalidPlan(.missingField, detail: "formatVersion is missing")
    }
    guard version == Plan.currentFormatVersion else {
      throw .invalidPlan(
        .unsupportedFormatVersion,
        detail:
          "formatVersion \(version) is not supported (this build reads \(Plan.currentFormatVersion))"
      )
    }
    guard case .string(let stored)? = document["checksum"] else {
      throw .invalidPlan(.missingField, detail: "checksum is missing")
    }
    var seal: String?
    switch document["seal"] {
    case nil: seal = nil
    case .string(let value)?: seal = value
    case _?: throw .invalidPlan(.wrongType, detail: "seal is not a string")
    }
    let content = JSONValue.object(members.filter { $0.key != "checksum" && $0.key != "seal" })
    // The refusal names neither checksum: printing the content's would let an edit pass.
    guard stored == checksum(of: content) else {
      throw .invalidPlan(
        .checksumMismatch,
        detail: "the checksum does not match the content: the plan was edited or damaged")
    }
    return (try Plan(json: content), stored, seal)
  }

  static func checksum(of content: JSONValue) -> String {
    var hasher = SHA256()
    hasher.update(JSONWriter.encode(content, pretty: false))
    return "sha256:" + Hex.encode(hasher.finalize())
  }

  /// Every top-level member except `items`, in key order.
  var headerMembers: [JSONMember] {
    [
      JSONMember("createdAt", .string(createdAt)),
      JSONMember("diagnostics", .array(diagnostics.map(\.jsonValue))),
      JSONMember("formatVersion", .int(formatVersion)),
      JSONMember("inputFingerprint", .string(inputFingerprint)),
      JSONMember("kind", .string(kind.rawValue)),
      JSONMember("mode", .string(mode.rawValue)),
      JSONMember("settings", settings.jsonValue),
      JSONMember(
        "summary",
        .object(
          summary.sorted { JSONWriter.precedes($0.key, $1.key) }.map {
            JSONMember($0.key, .int($0.value))
          })),
      JSONMember("tenant", .string(tenant)),
    ]
  }

  /// The whole plan as one value (tests and small plans; large plans stream).
  var jsonValue: JSONValue {
    .object(headerMembers + [JSONMember("items", .array(items.map(\.jsonValue)))])
  }

  init(json: JSONValue) throws(AnchorCoreError) {
    let reader = JSONReader(json, path: "plan")
    guard let kind = PlanKind(rawValue: try reader.string("kind")) else {
      throw .invalidPlan(
        .unsupportedKind, detail: "plan kind '\(try reader.string("kind"))' is not supported")
    }
    var items: [PlanItem] = []
    for (position, value) in try reader.array("items").enumerated() {
      let item = try PlanItem(json: value)
      try item.checkConsistency(position: position + 1)
      items.append(item)
    }
    self.init(
      kind: kind, mode: try reader.enumeration("mode"), createdAt: try reader.string("createdAt"),
      tenant: try reader.string("tenant"), inputFingerprint: try reader.string("inputFingerprint"),
      settings: try PlanSettings(json: try reader.value("settings")),
      diagnostics: try reader.array("diagnostics").map { (entry) throws(AnchorCoreError) in
        try Diagnostic(json: JSONReader(entry, path: "plan.diagnostics[]"))
      }, items: items)
  }
}

extension PlanSettings {
  var jsonValue: JSONValue {
    var members = [
      JSONMember("allowFederatedClear", .bool(allowFederatedClear)),
      JSONMember("allowRelink", .bool(allowRelink)),
    ]
    // Only when set: plans made before the key existed keep their bytes (and checksums).
    if allowReplace { members.append(JSONMember("allowReplace", .bool(true))) }
    members += [
      JSONMember("includeDisabled", .bool(includeDisabled)),
      JSONMember("matchOrder", .array(matchOrder.map { .string($0.rawValue) })),
    ]
    return .object(members)
  }

  init(json: JSONReader) throws(AnchorCoreError) {
    var order: [MatchRule] = []
    for rule in try json.array("matchOrder") {
      order.append(try JSONReader.enumeration(rule, path: json.path + ".matchOrder"))
    }
    self.init(
      matchOrder: order, allowRelink: try json.bool("allowRelink"),
      includeDisabled: try json.bool("includeDisabled"),
      allowFederatedClear: try json.bool("allowFederatedClear"),
      allowReplace: try json.optionalBool("allowReplace") ?? false)
  }
}

extension PlanItem {
  var jsonValue: JSONValue {
    .object(omittingNil: [
      ("action", .string(action.rawValue)),
      ("before", before?.jsonValue),
      (
        "cloud",
        cloud.map {
          .object([
            JSONMember("id", .string($0.id)),
            JSONMember("userPrincipalName", .string($0.userPrincipalName)),
          ])
        }
      ),
      ("diagnostics", .array(diagnostics.map(\.jsonValue))),
      ("directory", directory?.jsonValue),
      ("explanation", .string(explanation)),
      ("immutableId", .string(immutableId?.immutableId)),
      ("involved", .array(involved.map(\.jsonValue))),
      ("matchedBy", .string(matchedBy?.rawValue)),
      ("reason", .string(reason.rawValue)),
      ("softMatch", softMatch?.jsonValue),
      ("steps", .array(steps.map(\.jsonValue))),
    ])
  }

  init(json value: JSONValue) throws(AnchorCoreError) {
    let json = JSONReader(value, path: "plan.items[]")
    var cloud: CloudObjectRef?
    if let ref = try json.optionalValue("cloud") {
      cloud = CloudObjectRef(
        id: try ref.string("id"), userPrincipalName: try ref.string("userPrincipalName"))
    }
    var steps: [PlanStep] = []
    for step in try json.array("steps") {
      steps.append(try PlanStep(json: JSONReader(step, path: json.path + ".steps[]")))
    }
    var involved: [PlanObjectRef] = []
    for ref in try json.array("involved") {
      involved.append(try PlanObjectRef(json: JSONReader(ref, path: json.path + ".involved[]")))
    }
    var diagnostics: [Diagnostic] = []
    for entry in try json.array("diagnostics") {
      diagnostics.append(
        try Diagnostic(json: JSONReader(entry, path: json.path + ".diagnostics[]")))
    }
    self.init(
      action: try json.enumeration("action"),
      reason: DiagnosticCode(rawValue: try json.string("reason")),
      explanation: try json.string("explanation"), cloud: cloud,
      directory: try json.optionalValue("directory").map { (ref) throws(AnchorCoreError) in
        try DirectoryObjectRef(json: ref)
      },
      matchedBy: try json.optionalEnumeration("matchedBy"),
      immutableId: try json.optionalAnchor("immutableId"),
      before: try json.optionalValue("before").map { (ref) throws(AnchorCoreError) in
        try BeforeImage(json: ref)
      },
      steps: steps, involved: involved, diagnostics: diagnostics,
      softMatch: try json.optionalValue("softMatch").map { (ref) throws(AnchorCoreError) in
        try SoftMatchReadiness(json: ref)
      })
  }
}

extension DirectoryObjectRef {
  var jsonValue: JSONValue {
    .object(omittingNil: [
      ("distinguishedName", .string(distinguishedName)),
      ("objectGuid", .string(objectGuid.canonicalString)),
      ("source", .string(source)), ("userPrincipalName", .string(userPrincipalName)),
    ])
  }
  init(json: JSONReader) throws(AnchorCoreError) {
    self.init(
      source: try json.string("source"), distinguishedName: try json.string("distinguishedName"),
      objectGuid: try json.guid("objectGuid"),
      userPrincipalName: try json.optionalString("userPrincipalName"))
  }
}

extension PlanObjectRef {
  var jsonValue: JSONValue {
    .object(omittingNil: [
      ("id", .string(id)), ("immutableId", .string(immutableId?.immutableId)),
      ("side", .string(side.rawValue)), ("userPrincipalName", .string(userPrincipalName)),
    ])
  }
  init(json: JSONReader) throws(AnchorCoreError) {
    self.init(
      side: try json.enumeration("side"), id: try json.string("id"),
      userPrincipalName: try json.optionalString("userPrincipalName"),
      immutableId: try json.optionalAnchor("immutableId"))
  }
}

extension BeforeImage {
  /// Written with explicit nulls: an absent ImmutableID is an expectation, not a missing field.
  var jsonValue: JSONValue {
    .object([
      JSONMember("immutableId", .nullable(immutableId?.immutableId)),
      JSONMember("onPremisesSyncEnabled", .nullable(onPremisesSyncEnabled)),
      JSONMember("userPrincipalName", .string(userPrincipalName)),
    ])
  }
  init(json: JSONReader) throws(AnchorCoreError) {
    self.init(
      immutableId: try json.optionalAnchor("immutableId"),
      userPrincipalName: try json.string("userPrincipalName"),
      onPremisesSyncEnabled: try json.optionalBool("onPremisesSyncEnabled"))
  }
}

extension PlanStep {
  var jsonValue: JSONValue {
    .object(omittingNil: [
      ("expect", expect.jsonValue), ("immutableId", .string(immutableId?.immutableId)),
      ("kind", .string(kind.rawValue)), ("userPrincipalName", .string(userPrincipalName)),
    ])
  }
  init(json: JSONReader) throws(AnchorCoreError) {
    self.init(
      kind: try json.enumeration("kind"),
      userPrincipalName: try json.optionalString("userPrincipalName"),
      immutableId: try json.optionalAnchor("immutableId"),
      expect: try BeforeImage(json: try json.value("expect")))
  }
}

extension SoftMatchReadiness {
  var jsonValue: JSONValue {
    .object(omittingNil: [
      ("by", .string(by?.rawValue)), ("directory", directory?.jsonValue),
      ("outcome", .string(outcome.rawValue)), ("reason", .string(reason?.rawValue)),
    ])
  }
  init(json: JSONReader) throws(AnchorCoreError) {
    self.init(
      outcome: try json.enumeration("outcome"), by: try json.optionalEnumeration("by"),
      directory: try json.optionalValue("directory").map { (ref) throws(AnchorCoreError) in
        try DirectoryObjectRef(json: ref)
      },
      reason: try json.optionalString("reason").map(DiagnosticCode.init(rawValue:)))
  }
}

extension Diagnostic {
  var jsonValue: JSONValue {
    .object([
      JSONMember("code", .string(code.rawValue)), JSONMember("message", .string(message)),
      JSONMember("severity", .string(severity.rawValue)), JSONMember("subject", .string(subject)),
    ])
  }
}

extension Diagnostic {
  init(json: JSONReader) throws(AnchorCoreError) {
    self.init(
      try json.enumeration("severity"), DiagnosticCode(rawValue: try json.string("code")),
      subject: try json.string("subject"), try json.string("message"))
  }
}
