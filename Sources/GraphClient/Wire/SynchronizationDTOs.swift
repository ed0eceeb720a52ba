/// The hard- and soft-match switches of `onPremisesDirectorySynchronization.features`; nil where
/// the tenant's answer leaves one out.
public struct OnPremisesSynchronizationFeatures: Decodable, Sendable, Equatable {
  public var blockSoftMatchEnabled: Bool?
  public var blockCloudObjectTakeoverThroughHardMatchEnabled: Bool?

  public init(
    blockSoftMatchEnabled: Bool? = nil, blockCloudObjectTakeoverThroughHardMatchEnabled: Bool? = nil
  ) {
    self.blockSoftMatchEnabled = blockSoftMatchEnabled
    self.blockCloudObjectTakeoverThroughHardMatchEnabled =
      blockCloudObjectTakeoverThroughHardMatchEnabled
  }
}

/// `GET /directory/onPremisesSynchronization`: a collection of one settings object.
struct OnPremisesSynchronizationPage: Decodable {
  struct Settings: Decodable {
    var features: OnPremisesSynchronizationFeatures?
  }
  var value: [Settings]?
}
