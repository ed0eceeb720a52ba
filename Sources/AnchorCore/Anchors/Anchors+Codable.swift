/// Anchors are encoded as the text a person reads: the GUID string and the ImmutableID.
extension ObjectGUID: Codable {
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    guard let guid = ObjectGUID(guidString: text) else {
      throw DecodingError.dataCorruptedError(
        in: container, debugDescription: "'\(text)' is not a GUID")
    }
    self = guid
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(canonicalString)
  }
}

extension SourceAnchor: Codable {
  public init(from decoder: any Decoder) throws {
    self.init(immutableId: try decoder.singleValueContainer().decode(String.self))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(immutableId)
  }
}
