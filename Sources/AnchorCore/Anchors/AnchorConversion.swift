/// Every form of one anchor value, as `anchorbridge convert` shows them.
public struct AnchorConversion: Hashable, Sendable {
  /// The value as given.
  public var input: String
  /// The form the input was recognised as.
  public var form: SourceAnchor.InputForm
  public var anchor: SourceAnchor

  public var kind: SourceAnchor.Kind { anchor.kind }
  /// The canonical GUID string; nil for opaque anchors.
  public var guid: String? { anchor.guid?.canonicalString }
  public var immutableId: String { anchor.immutableId }
  /// 32 lowercase hex digits in AD byte order; nil for opaque anchors.
  public var hex: String? { anchor.hex }
  /// `(objectGUID=\c9\8b...)`; nil for opaque anchors.
  public var ldapFilter: String? { anchor.ldapFilter }
  /// Entra Connect's connector-space DN, `CN={hex of the base64 text}`.
  public var connectorDn: String { anchor.connectorDn }

  /// Parses `input` in any form (see `SourceAnchor.parse(_:)`).
  public init(_ input: String) throws(AnchorCoreError) {
    let (anchor, form) = try SourceAnchor.parseWithForm(input)
    self.input = input
    self.form = form
    self.anchor = anchor
  }

  /// The fields as (name, value) pairs in display order; nil values are shown as absent.
  public var fields: [(name: String, value: String?)] {
    [
      ("input", input), ("kind", kind.rawValue), ("guid", guid), ("immutableId", immutableId),
      ("hex", hex), ("ldapFilter", ldapFilter), ("connectorDn", connectorDn),
    ]
  }
}
