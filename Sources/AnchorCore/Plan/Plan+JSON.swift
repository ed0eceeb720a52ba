extension Plan {
  /// The plan as JSON text: sorted keys, two-space indentation, a `checksum` member holding
  /// `sha256:` of the canonical (compact) encoding of everything else.
  public func encodeJSON() -> [UInt8] {
    let content = jsonValue
    let checksum = Plan.checksum(of: content)
    guard case .object(var members) = content else { return [] }
    members.append(JSONMember("checksum", .string(checksum)))
    return JSONWriter.encode(.object(members), pretty: true)
  }

  /// Reads a plan file, refusing an unknown format version or kind, a checksum that does not match
  /// (edited or truncated content) and any missing or mistyped field.
  public static func decode(json bytes: [UInt8]) throws(AnchorCoreError) -> Plan {
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
        detail: "formatVersion \(version) is not supported (this build reads \(Plan.currentFormatVersion))")
    }
    guard case .string(let stored)? = document["checksum"] else {
      throw .invalidPlan(.missingField, detail: "checksum is missing")
    }
    let content = JSONValue.object(members.filter { $0.key != "checksum" })
    let actual = checksum(of: content)
    guard stored == actual else {
      throw .invalidPlan(
        .checksumMismatch,
        detail: "checksum \(stored) does not match the content (\(actual)): the plan was edited or damaged")
    }
    return try Plan(json: content)
  }

  static func checksum(of content: JSONValue) -> String {
    var hasher = SHA256()
    hasher.update(JSONWriter.encode(content, pretty: false))
    return "sha256:" + Hex.encode(hasher.finalize())
  }

  var jsonValue: JSONValue {
    .object([
      JSONMember("formatVersion", .int(formatVersion)),
      JSONMember("kind", .string(kind.rawValue)),
      JSONMember("mode", .string(mode.rawValue)),
      JSONMember("createdAt", .string(createdAt)),
      JSONMember("tenant", .string(tenant)),
      JSONMember("inputFingerprint", .string(inputFingerprint)),
      JSONMember("settings", settings.jsonValue),
      JSONMember("summary", .object(summary.map { JSONMember($0.key, .int($0.value)) })),
      JSONMember("diagnostics", .array(diagnostics.map(\.jsonValue))),
      JSONMember("items", .array(items.map(\.jsonValue))),
    ])
  }

  init(json: JSONValue) throws(AnchorCoreError) {
    let reader = JSONReader(json, path: "plan")
    guard try reader.string("kind") == PlanKind.users.rawValue else {
      throw .invalidPlan(.unsupportedKind, detail: "plan kind '\(try reader.string("kind"))' is not supported")
    }
    let items = try reader.array("items").map { (item) throws(AnchorCoreError) -> PlanItem in
      try PlanItem(json: item)
    }
    self.init(
      kind: .users, mode: try reader.enumeration("mode"), createdAt: try reader.string("createdAt"),
      tenant: try reader.string("tenant"), inputFingerprint: try reader.string("inputFingerprint"),
      settings: try PlanSettings(json: try reader.value("settings")),
      diagnostics: try reader.array("diagnostics").map { (entry) throws(AnchorCoreError) in
        try Diagnostic(json: JSONReader(entry, path: "plan.diagnostics[]"))
      }, items: items)
  }
}

extension PlanSettings {
  var jsonValue: JSONValue {
    .object([
      JSONMember("matchOrder", .array(matchOrder.map { .string($0.rawValue) })),
      JSONMember("allowRelink", .bool(allowRelink)),
      JSONMember("includeDisabled", .bool(includeDisabled)),
      JSONMember("allowFederatedClear", .bool(allowFederatedClear)),
    ])
  }

  init(json: JSONReader) throws(AnchorCoreError) {
    var order: [MatchRule] = []
    for rule in try json.array("matchOrder") {
      order.append(try JSONReader.enumeration(rule, path: json.path + ".matchOrder"))
    }
    self.init(
      matchOrder: order, allowRelink: try json.bool("allowRelink"),
      includeDisabled: try json.bool("includeDisabled"),
      allowFederatedClear: try json.bool("allowFederatedClear"))
  }
}

extension PlanItem {
  var jsonValue: JSONValue {
    .object(omittingNil: [
      ("action", .string(action.rawValue)),
      ("reason", .string(reason.rawValue)),
      ("explanation", .string(explanation)),
      ("cloud", cloud.map { .object([JSONMember("id", .string($0.id)), JSONMember("userPrincipalName", .string($0.userPrincipalName))]) }),
      ("directory", directory?.jsonValue),
      ("matchedBy", .string(matchedBy?.rawValue)),
      ("immutableId", .string(immutableId?.immutableId)),
      ("before", before?.jsonValue),
      ("steps", .array(steps.map(\.jsonValue))),
      ("involved", .array(involved.map(\.jsonValue))),
      ("diagnostics", .array(diagnostics.map(\.jsonValue))),
      ("softMatch", softMatch?.jsonValue),
    ])
  }

  init(json value: JSONValue) throws(AnchorCoreError) {
    let json = JSONReader(value, path: "plan.items[]")
    var cloud: CloudObjectRef?
    if let ref = try json.optionalValue("cloud") {
      cloud = CloudObjectRef(id: try ref.string("id"), userPrincipalName: try ref.string("userPrincipalName"))
    }
    var steps: [PlanStep] = []
    for step in try json.array("steps") { steps.append(try PlanStep(json: JSONReader(step, path: json.path + ".steps[]"))) }
    var involved: [PlanObjectRef] = []
    for ref in try json.array("involved") { involved.append(try PlanObjectRef(json: JSONReader(ref, path: json.path + ".involved[]"))) }
    var diagnostics: [Diagnostic] = []
    for entry in try json.array("diagnostics") {
      diagnostics.append(try Diagnostic(json: JSONReader(entry, path: json.path + ".diagnostics[]")))
    }
    self.init(
      action: try json.enumeration("action"), reason: DiagnosticCode(rawValue: try json.string("reason")),
      explanation: try json.string("explanation"), cloud: cloud,
      directory: try json.optionalValue("directory").map { (ref) throws(AnchorCoreError) in try DirectoryObjectRef(json: ref) },
      matchedBy: try json.optionalEnumeration("matchedBy"), immutableId: try json.optionalAnchor("immutableId"),
      before: try json.optionalValue("before").map { (ref) throws(AnchorCoreError) in try BeforeImage(json: ref) },
      steps: steps, involved: involved, diagnostics: diagnostics,
      softMatch: try json.optionalValue("softMatch").map { (ref) throws(AnchorCoreError) in try SoftMatchReadiness(json: ref) })
  }
}

extension DirectoryObjectRef {
  var jsonValue: JSONValue {
    .object(omittingNil: [
      ("source", .string(source)), ("distinguishedName", .string(distinguishedName)),
      ("objectGuid", .string(objectGuid.canonicalString)), ("userPrincipalName", .string(userPrincipalName)),
    ])
  }
  init(json: JSONReader) throws(AnchorCoreError) {
    self.init(
      source: try json.string("source"), distinguishedName: try json.string("distinguishedName"),
      objectGuid: try json.guid("objectGuid"), userPrincipalName: try json.optionalString("userPrincipalName"))
  }
}

extension PlanObjectRef {
  var jsonValue: JSONValue {
    .object(omittingNil: [
      ("side", .string(side.rawValue)), ("id", .string(id)),
      ("userPrincipalName", .string(userPrincipalName)),
      ("immutableId", .string(immutableId?.immutableId)),
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
      JSONMember("userPrincipalName", .string(userPrincipalName)),
      JSONMember("onPremisesSyncEnabled", .nullable(onPremisesSyncEnabled)),
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
      ("kind", .string(kind.rawValue)), ("userPrincipalName", .string(userPrincipalName)),
      ("immutableId", .string(immutableId?.immutableId)), ("expect", expect.jsonValue),
    ])
  }
  init(json: JSONReader) throws(AnchorCoreError) {
    self.init(
      kind: try json.enumeration("kind"), userPrincipalName: try json.optionalString("userPrincipalName"),
      immutableId: try json.optionalAnchor("immutableId"), expect: try BeforeImage(json: try json.value("expect")))
  }
}

extension SoftMatchReadiness {
  var jsonValue: JSONValue {
    .object(omittingNil: [
      ("outcome", .string(outcome.rawValue)), ("by", .string(by?.rawValue)),
      ("directory", directory?.jsonValue), ("reason", .string(reason?.rawValue)),
    ])
  }
  init(json: JSONReader) throws(AnchorCoreError) {
    self.init(
      outcome: try json.enumeration("outcome"), by: try json.optionalEnumeration("by"),
      directory: try json.optionalValue("directory").map { (ref) throws(AnchorCoreError) in try DirectoryObjectRef(json: ref) },
      reason: try json.optionalString("reason").map(DiagnosticCode.init(rawValue:)))
  }
}

extension Diagnostic {
  var jsonValue: JSONValue {
    .object([
      JSONMember("severity", .string(severity.rawValue)), JSONMember("code", .string(code.rawValue)),
      JSONMember("subject", .string(subject)), JSONMember("message", .string(message)),
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
