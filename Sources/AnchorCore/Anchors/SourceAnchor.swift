/// The value Entra ID stores as a user's ImmutableID (Graph `onPremisesImmutableId`).
///
/// Either a GUID anchor — base64 of the 16 raw objectGUID / mS-DS-ConsistencyGuid bytes — or an opaque
/// anchor: the text of a custom sourceAnchor attribute, kept verbatim (string attributes flow as-is,
/// other binary values as their base64; ImmutableIDs compare case-sensitively).
///
/// Equality is equality of the ImmutableID text, as in the tenant. A GUID anchor is stored as its
/// 16 bytes (no text, no heap) and its text is derived when shown: base64 decoding is strict, so
/// every text that decodes to 16 bytes re-encodes to exactly itself.
public struct SourceAnchor: Hashable, Sendable, Comparable {
  public enum Kind: String, Sendable, Codable { case guid, opaque }

  private enum Storage: Hashable, Sendable {
    case guid(ObjectGUID)
    case opaque(String)
  }

  private let storage: Storage

  /// The ImmutableID text exactly as Graph stores it.
  public var immutableId: String {
    switch storage {
    case .guid(let guid): Base64.encode(guid.bytes)
    case .opaque(let text): text
    }
  }

  /// The 16 bytes behind a GUID anchor; nil for opaque anchors.
  public var guid: ObjectGUID? {
    if case .guid(let guid) = storage { return guid }
    return nil
  }

  public var kind: Kind { guid == nil ? .opaque : .guid }

  /// A GUID anchor from 16 raw bytes in AD byte order.
  public init(guid: ObjectGUID) {
    storage = .guid(guid)
  }

  /// The anchor Entra Connect derives from a binary attribute value: 16 bytes make a GUID anchor,
  /// any other length is base64-encoded as an opaque anchor (Connect's `ConvertToBase64`).
  public init(binaryValue bytes: [UInt8]) {
    if let guid = ObjectGUID(bytes: bytes) {
      storage = .guid(guid)
    } else {
      storage = .opaque(Base64.encode(bytes))
    }
  }

  /// An ImmutableID as found in the tenant: base64 of 16 bytes is a GUID anchor, anything else opaque.
  public init(immutableId text: String) {
    if text.utf8.count == 24, let bytes = Base64.decode(text), let guid = ObjectGUID(bytes: bytes) {
      storage = .guid(guid)
    } else {
      storage = .opaque(text)
    }
  }

  /// An opaque anchor: a custom string attribute value that Entra Connect flows verbatim.
  /// (A text that happens to be base64 of 16 bytes is the same ImmutableID as that GUID anchor.)
  public init(opaque text: String) {
    self.init(immutableId: text)
  }

  /// Lowercase hex of the bytes in AD byte order (32 digits for a GUID anchor).
  public var hex: String? { guid.map { Hex.encode($0.bytes) } }

  /// The RFC 4515 filter assertion for the bytes, `\c9\8b\91...`.
  public var ldapFilterValue: String? {
    guid.map { $0.bytes.map { "\\" + Hex.byte($0) }.joined() }
  }

  /// The complete LDAP filter that finds the object by objectGUID, `(objectGUID=\c9\8b...)`.
  public var ldapFilter: String? {
    ldapFilterValue.map { "(objectGUID=" + $0 + ")" }
  }

  /// Entra Connect's connector-space DN for this anchor: `CN={hex of the base64 text}` (uppercase hex).
  public var connectorDn: String {
    "CN={" + Hex.encode(Array(immutableId.utf8)).uppercased() + "}"
  }

  public static func < (lhs: SourceAnchor, rhs: SourceAnchor) -> Bool {
    lhs.immutableId.utf8.lexicographicallyPrecedes(rhs.immutableId.utf8)
  }
}

extension SourceAnchor: CustomStringConvertible {
  public var description: String { immutableId }
}
