/// Which directory attribute supplies a user's sourceAnchor, per directory source.
public enum AnchorPolicy: Hashable, Sendable {
  /// objectGUID always (Entra Connect before 1.1.524, and for every non-user object).
  case objectGUID
  /// mS-DS-ConsistencyGuid when set, falling back to objectGUID: Entra Connect's default for users.
  case consistencyGuid
  /// A custom attribute: string values used verbatim, binary values base64-encoded.
  case attribute(String)

  /// Parses the configuration spelling: `objectGUID`, `consistencyGuid` or `attribute:NAME`.
  public init?(configValue: String) {
    switch configValue {
    case "objectGUID": self = .objectGUID
    case "consistencyGuid", "mS-DS-ConsistencyGuid": self = .consistencyGuid
    default:
      let prefix = "attribute:"
      guard configValue.hasPrefix(prefix) else { return nil }
      let name = String(configValue.dropFirst(prefix.count))
      guard !name.isEmpty,
        name.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || ($0 < 128 && isAlnum($0)) })
      else { return nil }
      self = .attribute(name)
    }
  }

  public var configValue: String {
    switch self {
    case .objectGUID: "objectGUID"
    case .consistencyGuid: "consistencyGuid"
    case .attribute(let name): "attribute:" + name
    }
  }

  /// The LDAP attribute names this policy needs besides objectGUID.
  public var extraAttributes: [String] {
    switch self {
    case .objectGUID: []
    case .consistencyGuid: ["mS-DS-ConsistencyGuid"]
    case .attribute(let name): [name]
    }
  }
}

private func isAlnum(_ unit: UInt8) -> Bool {
  (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(unit | 0x20)
    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(unit)
}

/// A raw attribute value as the directory returned it, before policy is applied.
public enum DirectoryValue: Hashable, Sendable {
  case text(String)
  case binary([UInt8])
}

/// The outcome of applying an `AnchorPolicy` to one directory object.
public struct ResolvedAnchor: Hashable, Sendable {
  /// The anchor Entra Connect would export; nil when the policy's attribute is empty.
  public var anchor: SourceAnchor?
  /// `objectGUID`, `mS-DS-ConsistencyGuid` or the custom attribute's name.
  public var source: String
  public var diagnostics: [Diagnostic]
}

extension AnchorPolicy {
  /// Applies the policy as Entra Connect's inbound rule does, explaining anything unusual.
  /// - Parameters:
  ///   - objectGUID: the object's 16-byte objectGUID.
  ///   - consistencyGuid: the raw mS-DS-ConsistencyGuid bytes, if the attribute is set.
  ///   - attributeValue: the custom attribute's value for `.attribute`, if set.
  ///   - subject: who the diagnostics are about (a DN).
  public func resolve(
    objectGUID: ObjectGUID, consistencyGuid: [UInt8]?, attributeValue: DirectoryValue?,
    subject: String
  ) -> ResolvedAnchor {
    var diagnostics: [Diagnostic] = []
    if let raw = consistencyGuid {
      if raw.count != 16 {
        diagnostics.append(
          Diagnostic(
            .warning, .consistencyGuidWrongLength, subject: subject,
            "mS-DS-ConsistencyGuid is \(raw.count) bytes, not 16: Entra Connect would export "
              + "base64 of these bytes, not a GUID anchor"))
      } else if ObjectGUID(bytes: raw) != objectGUID {
        diagnostics.append(
          Diagnostic(
            .info, .consistencyGuidDiffers, subject: subject,
            "mS-DS-ConsistencyGuid \(ObjectGUID(bytes: raw)!) differs from objectGUID \(objectGUID)"
          ))
      }
    }
    switch self {
    case .objectGUID:
      return ResolvedAnchor(
        anchor: SourceAnchor(guid: objectGUID), source: "objectGUID", diagnostics: diagnostics)
    case .consistencyGuid:
      if let raw = consistencyGuid, !raw.isEmpty {
        return ResolvedAnchor(
          anchor: SourceAnchor(binaryValue: raw), source: "mS-DS-ConsistencyGuid",
          diagnostics: diagnostics)
      }
      return ResolvedAnchor(
        anchor: SourceAnchor(guid: objectGUID), source: "objectGUID", diagnostics: diagnostics)
    case .attribute(let name):
      switch attributeValue {
      case .text(let text)? where !text.isEmpty:
        return ResolvedAnchor(
          anchor: SourceAnchor(opaque: text), source: name, diagnostics: diagnostics)
      case .binary(let bytes)? where !bytes.isEmpty:
        return ResolvedAnchor(
          anchor: SourceAnchor(binaryValue: bytes), source: name, diagnostics: diagnostics)
      default:
        diagnostics.append(
          Diagnostic(
            .error, .anchorAttributeMissing, subject: subject,
            "anchor attribute \(name) is empty: Entra Connect would export no sourceAnchor"))
        return ResolvedAnchor(anchor: nil, source: name, diagnostics: diagnostics)
      }
    }
  }
}
