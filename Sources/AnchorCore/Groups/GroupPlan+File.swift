extension GroupPlan {
  /// The group plan file's bytes: the sealed JSON (see `sealed(json:)`) and a blank line.
  public func encodeFile() -> [UInt8] {
    encodeFile(sealedWith: nil)
  }

  /// `encodeFile()`, adding a `seal` member (`PlanSealKey.seal`) when `key` is given, so only this
  /// installation can produce a file that `decodeFile(_:sealedWith:)` accepts.
  public func encodeFile(sealedWith key: PlanSealKey?) -> [UInt8] {
    let value: JSONValue
    do {
      value = try JSONValueEncoder.encode(self)
    } catch {
      // Only a fraction or an integer beyond Int is refused, and a group plan holds neither.
      preconditionFailure("a group plan always encodes: \(error)")
    }
    return Self.sealed(value, key: key) + [0x0A]
  }

  /// Reads a group plan file, refusing an unknown format version or kind, a checksum that does not
  /// match (edited or truncated content) and any missing or mistyped field.
  public static func decodeFile(_ bytes: [UInt8]) throws(AnchorCoreError) -> GroupPlan {
    try decode(try verifiedContent(bytes).content)
  }

  /// `decodeFile(_:)` that also refuses a plan not sealed with `key` (edited with a recomputed
  /// checksum, or made by another installation), without printing any value that would pass.
  public static func decodeFile(_ bytes: [UInt8], sealedWith key: PlanSealKey)
    throws(AnchorCoreError) -> GroupPlan
  {
    let (content, checksum, seal) = try verifiedContent(bytes)
    guard let seal, key.verifies(seal: seal, kind: "groups", checksum: checksum) else {
      throw .invalidPlan(
        .sealMismatch,
        detail: seal == nil
          ? "the group plan has no seal of this installation (made elsewhere or by an older version)"
          : "the seal does not match: the group plan was edited, or made by another installation")
    }
    return try decode(content)
  }

  private static func decode(_ content: JSONValue) throws(AnchorCoreError) -> GroupPlan {
    do {
      return try JSONValueDecoder.decode(GroupPlan.self, from: content)
    } catch let error as DecodingError {
      throw .invalidPlan(Self.refusal(error), detail: Self.describe(error))
    } catch {
      throw .invalidPlan(.wrongType, detail: "\(error)")
    }
  }

  /// Seals a group plan's JSON text (as any JSON encoder wrote it) for the file: keys sorted, the
  /// top level indented, and a `checksum` member holding `sha256:` of the canonical compact
  /// encoding of everything else, so `verified(json:)` refuses an edited or truncated file.
  public static func sealed(json bytes: [UInt8]) throws(AnchorCoreError) -> [UInt8] {
    let document = try parse(bytes)
    guard case .object = document else {
      throw .invalidPlan(.wrongType, detail: "the group plan is not a JSON object")
    }
    return sealed(document, key: nil)
  }

  private static func sealed(_ document: JSONValue, key: PlanSealKey?) -> [UInt8] {
    guard case .object(let members) = document else {
      preconditionFailure("a group plan encodes as a JSON object")
    }
    let kept = members.filter { $0.key != "checksum" && $0.key != "seal" }
    let checksum = Plan.checksum(of: canonical(.object(kept)))
    var added = [JSONMember("checksum", .string(checksum))]
    if let key {
      added.append(JSONMember("seal", .string(key.seal(kind: "groups", checksum: checksum))))
    }
    let sealed = sortedMembers(kept + added)
    return JSONWriter.encode(canonical(.object(sealed)), pretty: true)
  }

  /// The content of a sealed group plan file (checksum removed, compact) once its format version,
  /// kind and checksum are right.
  public static func verified(json bytes: [UInt8]) throws(AnchorCoreError) -> [UInt8] {
    JSONWriter.encode(try verifiedContent(bytes).content, pretty: false)
  }

  private static func verifiedContent(_ bytes: [UInt8]) throws(AnchorCoreError)
    -> (content: JSONValue, checksum: String, seal: String?)
  {
    guard case .object(let members) = try parse(bytes) else {
      throw .invalidPlan(.wrongType, detail: "the group plan is not a JSON object")
    }
    let document = JSONValue.object(members)
    guard case .int(let version)? = document["formatVersion"] else {
      throw .invalidPlan(.missingField, detail: "formatVersion is missing")
    }
    guard version == currentFormatVersion else {
      throw .invalidPlan(
        .unsupportedFormatVersion,
        detail: "formatVersion \(version) is not supported "
          + "(this build reads \(currentFormatVersion))")
    }
    guard case .string("groups")? = document["kind"] else {
      throw .invalidPlan(.unsupportedKind, detail: "kind is not \"groups\" (a user plan?)")
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
    let content = canonical(
      .object(sortedMembers(members.filter { $0.key != "checksum" && $0.key != "seal" })))
    // The refusal names neither checksum: printing the content's would let an edit pass.
    guard stored == Plan.checksum(of: content) else {
      throw .invalidPlan(
        .checksumMismatch,
        detail: "the checksum does not match the content: the plan was edited or damaged")
    }
    return (content, stored, seal)
  }

  private static func parse(_ bytes: [UInt8]) throws(AnchorCoreError) -> JSONValue {
    do {
      return try JSONParser.parse(bytes)
    } catch {
      throw .invalidPlan(.malformedJSON, detail: "not valid JSON (\(error.description))")
    }
  }

  private static func sortedMembers(_ members: [JSONMember]) -> [JSONMember] {
    members.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
  }

  /// Keys sorted at every level, so the checksum does not depend on the writer's key order.
  private static func canonical(_ value: JSONValue) -> JSONValue {
    switch value {
    case .object(let members):
      .object(sortedMembers(members).map { JSONMember($0.key, canonical($0.value)) })
    case .array(let elements): .array(elements.map(canonical))
    default: value
    }
  }

  private static func refusal(_ error: DecodingError) -> PlanRefusal {
    switch error {
    case .keyNotFound, .valueNotFound: .missingField
    default: .wrongType
    }
  }

  /// Where in the plan and what was wrong, as `items[3].cloud.kind: expected a string`.
  private static func describe(_ error: DecodingError) -> String {
    let context: DecodingError.Context? =
      switch error {
      case .typeMismatch(_, let context), .valueNotFound(_, let context),
        .keyNotFound(_, let context), .dataCorrupted(let context):
        context
      @unknown default: nil
      }
    guard let context else { return "\(error)" }
    var path = ""
    for key in context.codingPath {
      if let index = key.intValue {
        path += "[\(index)]"
      } else {
        path += (path.isEmpty ? "" : ".") + key.stringValue
      }
    }
    return (path.isEmpty ? "" : path + ": ") + context.debugDescription
  }
}
