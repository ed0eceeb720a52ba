/// Writes items straight to bytes, in the same canonical form as `PlanItem.jsonValue` (sorted
/// keys, no whitespace, nil members left out), without building a value tree per item, which
/// would allocate for every member. Tests compare both forms byte for byte.
extension PlanItem {
  func writeCompact(into writer: inout JSONWriter) {
    if case .inputs(let inputs, let directory, let cloud, let derived) = sides {
      writeCompact(into: &writer, inputs, directory: directory, cloud: cloud, derived: derived)
      return
    }
    writer.output.append(UInt8(ascii: "{"))
    var first = true
    writer.member("action", string: action.rawValue, &first)
    if let before {
      writer.member("before", &first)
      before.writeCompact(into: &writer)
    }
    if let cloud {
      writer.member("cloud", &first)
      CloudObjectRef.writeCompact(
        id: cloud.id, userPrincipalName: cloud.userPrincipalName, into: &writer)
    }
    writer.member("diagnostics", &first)
    writer.array(diagnostics) { $1.writeCompact(into: &$0) }
    if let directory {
      writer.member("directory", &first)
      directory.writeCompact(into: &writer)
    }
    writer.member("explanation", string: explanation, &first)
    writer.member("immutableId", string: immutableId?.immutableId, &first)
    writeFindings(into: &writer, &first)
    writer.member("steps", &first)
    writer.array(steps) { $1.writeCompact(into: &$0) }
    writer.output.append(UInt8(ascii: "}"))
  }
}

extension PlanItem {
  /// The same bytes for an item that reads its sides from the planner's inputs, written straight
  /// from the users rather than building the references, before-image and step array, which would
  /// happen twice (the plan is hashed, then written).
  private func writeCompact(
    into writer: inout JSONWriter, _ inputs: PlanInputs, directory: Int32, cloud: Int32,
    derived: DerivedSides
  ) {
    writer.output.append(UInt8(ascii: "{"))
    var first = true
    writer.member("action", string: action.rawValue, &first)
    let hasBefore = derived != .none && cloud >= 0
    if hasBefore {
      writer.member("before", &first)
      inputs.writeBefore(cloud, into: &writer)
    }
    if cloud >= 0 {
      writer.member("cloud", &first)
      inputs.cloud.withUnsafeBufferPointer { users in
        CloudObjectRef.writeCompact(
          id: users[Int(cloud)].id, userPrincipalName: users[Int(cloud)].userPrincipalName,
          into: &writer)
      }
    }
    writer.member("diagnostics", &first)
    writer.array(diagnostics) { $1.writeCompact(into: &$0) }
    if directory >= 0 {
      writer.member("directory", &first)
      inputs.directory.withUnsafeBufferPointer { users in
        let user = users.baseAddress! + Int(directory)
        DirectoryObjectRef.writeCompact(
          source: user.pointee.source, distinguishedName: user.pointee.distinguishedName,
          objectGuid: user.pointee.objectGUID, userPrincipalName: user.pointee.userPrincipalName,
          into: &writer)
      }
    }
    writer.member("explanation", string: explanation, &first)
    if let immutableId {
      writer.member("immutableId", &first)
      writer.writeAnchor(immutableId)
    }
    writeFindings(into: &writer, &first)
    writer.member("steps", &first)
    if derived == .setImmutableId && hasBefore {
      // PlanStep.writeCompact of `steps[0]`: expect, immutableId, kind; no userPrincipalName.
      writer.output.append(contentsOf: #"[{"expect":"#.utf8)
      inputs.writeBefore(cloud, into: &writer)
      if let immutableId {
        writer.output.append(contentsOf: #","immutableId":"#.utf8)
        writer.writeAnchor(immutableId)
      }
      writer.output.append(contentsOf: #","kind":"setImmutableId"}]"#.utf8)
    } else {
      writer.output.append(contentsOf: "[]".utf8)
    }
    writer.output.append(UInt8(ascii: "}"))
  }
}

extension PlanItem {
  /// The members both item forms write alike, between `immutableId` and `steps`.
  fileprivate func writeFindings(into writer: inout JSONWriter, _ first: inout Bool) {
    writer.member("involved", &first)
    writer.array(involved) { $1.writeCompact(into: &$0) }
    writer.member("matchedBy", string: matchedBy?.rawValue, &first)
    writer.member("reason", string: reason.rawValue, &first)
    if let softMatch {
      writer.member("softMatch", &first)
      softMatch.writeCompact(into: &writer)
    }
  }
}

extension PlanInputs {
  /// `before(position).writeCompact`, read in place.
  fileprivate func writeBefore(_ position: Int32, into writer: inout JSONWriter) {
    cloud.withUnsafeBufferPointer { users in
      let user = users.baseAddress! + Int(position)
      BeforeImage.writeCompact(
        immutableId: user.pointee.onPremisesImmutableId,
        onPremisesSyncEnabled: user.pointee.onPremisesSyncEnabled,
        userPrincipalName: user.pointee.userPrincipalName, into: &writer)
    }
  }
}

extension BeforeImage {
  func writeCompact(into writer: inout JSONWriter) {
    BeforeImage.writeCompact(
      immutableId: immutableId, onPremisesSyncEnabled: onPremisesSyncEnabled,
      userPrincipalName: userPrincipalName, into: &writer)
  }

  static func writeCompact(
    immutableId: SourceAnchor?, onPremisesSyncEnabled: Bool?, userPrincipalName: String,
    into writer: inout JSONWriter
  ) {
    writer.output.append(contentsOf: #"{"immutableId":"#.utf8)
    if let immutableId { writer.writeAnchor(immutableId) } else { writer.writeNull() }
    writer.output.append(contentsOf: #","onPremisesSyncEnabled":"#.utf8)
    switch onPremisesSyncEnabled {
    case nil: writer.writeNull()
    case let flag?: writer.output.append(contentsOf: (flag ? "true" : "false").utf8)
    }
    writer.output.append(contentsOf: #","userPrincipalName":"#.utf8)
    writer.writeString(userPrincipalName)
    writer.output.append(UInt8(ascii: "}"))
  }
}

extension CloudObjectRef {
  static func writeCompact(id: String, userPrincipalName: String, into writer: inout JSONWriter) {
    writer.output.append(contentsOf: #"{"id":"#.utf8)
    writer.writeString(id)
    writer.output.append(contentsOf: #","userPrincipalName":"#.utf8)
    writer.writeString(userPrincipalName)
    writer.output.append(UInt8(ascii: "}"))
  }
}

extension PlanStep {
  func writeCompact(into writer: inout JSONWriter) {
    writer.output.append(contentsOf: #"{"expect":"#.utf8)
    expect.writeCompact(into: &writer)
    var first = false
    writer.member("immutableId", string: immutableId?.immutableId, &first)
    writer.member("kind", string: kind.rawValue, &first)
    writer.member("userPrincipalName", string: userPrincipalName, &first)
    writer.output.append(UInt8(ascii: "}"))
  }
}

extension DirectoryObjectRef {
  func writeCompact(into writer: inout JSONWriter) {
    DirectoryObjectRef.writeCompact(
      source: source, distinguishedName: distinguishedName, objectGuid: objectGuid,
      userPrincipalName: userPrincipalName, into: &writer)
  }

  static func writeCompact(
    source: String, distinguishedName: String, objectGuid: ObjectGUID, userPrincipalName: String?,
    into writer: inout JSONWriter
  ) {
    writer.output.append(contentsOf: #"{"distinguishedName":"#.utf8)
    writer.writeString(distinguishedName)
    // Hex digits and dashes: nothing to escape.
    writer.output.append(contentsOf: #","objectGuid":""#.utf8)
    objectGuid.appendCanonicalString(to: &writer.output)
    writer.output.append(contentsOf: #"","source":"#.utf8)
    writer.writeString(source)
    var first = false
    writer.member("userPrincipalName", string: userPrincipalName, &first)
    writer.output.append(UInt8(ascii: "}"))
  }
}

extension PlanObjectRef {
  func writeCompact(into writer: inout JSONWriter) {
    writer.output.append(UInt8(ascii: "{"))
    var first = true
    writer.member("id", string: id, &first)
    writer.member("immutableId", string: immutableId?.immutableId, &first)
    writer.member("side", string: side.rawValue, &first)
    writer.member("userPrincipalName", string: userPrincipalName, &first)
    writer.output.append(UInt8(ascii: "}"))
  }
}

extension SoftMatchReadiness {
  func writeCompact(into writer: inout JSONWriter) {
    writer.output.append(UInt8(ascii: "{"))
    var first = true
    writer.member("by", string: by?.rawValue, &first)
    if let directory {
      writer.member("directory", &first)
      directory.writeCompact(into: &writer)
    }
    writer.member("outcome", string: outcome.rawValue, &first)
    writer.member("reason", string: reason?.rawValue, &first)
    writer.output.append(UInt8(ascii: "}"))
  }
}

extension Diagnostic {
  func writeCompact(into writer: inout JSONWriter) {
    writer.output.append(UInt8(ascii: "{"))
    var first = true
    writer.member("code", string: code.rawValue, &first)
    writer.member("message", string: message, &first)
    writer.member("severity", string: severity.rawValue, &first)
    writer.member("subject", string: subject, &first)
    writer.output.append(UInt8(ascii: "}"))
  }
}

extension JSONWriter {
  /// Writes an ImmutableID as a JSON string: a GUID anchor's base64 straight into the output
  /// (base64 needs no escaping), an opaque one escaped like any text.
  mutating func writeAnchor(_ anchor: SourceAnchor) {
    guard anchor.guid != nil else { return writeString(anchor.immutableId) }
    output.append(UInt8(ascii: "\""))
    anchor.appendImmutableId(to: &output)
    output.append(UInt8(ascii: "\""))
  }

  /// Writes `,"name":` (no comma before the first member).
  mutating func member(_ name: String, _ first: inout Bool) {
    if !first { output.append(UInt8(ascii: ",")) }
    first = false
    writeString(name)
    output.append(UInt8(ascii: ":"))
  }

  /// Writes a string member, or nothing when `value` is nil.
  mutating func member(_ name: String, string value: String?, _ first: inout Bool) {
    guard let value else { return }
    member(name, &first)
    writeString(value)
  }

  mutating func writeNull() { output.append(contentsOf: "null".utf8) }

  mutating func array<Element>(_ elements: [Element], _ write: (inout JSONWriter, Element) -> Void)
  {
    output.append(UInt8(ascii: "["))
    for index in elements.indices {
      if index > 0 { output.append(UInt8(ascii: ",")) }
      write(&self, elements[index])
    }
    output.append(UInt8(ascii: "]"))
  }
}
