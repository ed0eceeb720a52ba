/// Writes items straight to bytes, in the same canonical form as `PlanItem.jsonValue` (sorted
/// keys, no whitespace, nil members left out): building a value tree per item made writing a
/// million-item plan several times slower. Tests compare both forms byte for byte.
extension PlanItem {
  func writeCompact(into writer: inout JSONWriter) {
    writer.output.append(UInt8(ascii: "{"))
    var first = true
    writer.member("action", string: action.rawValue, &first)
    if let before {
      writer.member("before", &first)
      before.writeCompact(into: &writer)
    }
    if let cloud {
      writer.member("cloud", &first)
      writer.output.append(UInt8(ascii: "{"))
      var inner = true
      writer.member("id", string: cloud.id, &inner)
      writer.member("userPrincipalName", string: cloud.userPrincipalName, &inner)
      writer.output.append(UInt8(ascii: "}"))
    }
    writer.member("diagnostics", &first)
    writer.array(diagnostics) { $1.writeCompact(into: &$0) }
    if let directory {
      writer.member("directory", &first)
      directory.writeCompact(into: &writer)
    }
    writer.member("explanation", string: explanation, &first)
    writer.member("immutableId", string: immutableId?.immutableId, &first)
    writer.member("involved", &first)
    writer.array(involved) { $1.writeCompact(into: &$0) }
    writer.member("matchedBy", string: matchedBy?.rawValue, &first)
    writer.member("reason", string: reason.rawValue, &first)
    if let softMatch {
      writer.member("softMatch", &first)
      softMatch.writeCompact(into: &writer)
    }
    writer.member("steps", &first)
    writer.array(steps) { $1.writeCompact(into: &$0) }
    writer.output.append(UInt8(ascii: "}"))
  }
}

extension BeforeImage {
  func writeCompact(into writer: inout JSONWriter) {
    writer.output.append(contentsOf: #"{"immutableId":"#.utf8)
    if let immutableId { writer.writeString(immutableId.immutableId) } else { writer.writeNull() }
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
    writer.output.append(UInt8(ascii: "{"))
    var first = true
    writer.member("distinguishedName", string: distinguishedName, &first)
    writer.member("objectGuid", string: objectGuid.canonicalString, &first)
    writer.member("source", string: source, &first)
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
