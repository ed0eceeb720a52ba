import AnchorCore

/// A group step as the journal records it and the outcomes print it: a plan step, or `restore`
/// (`groups restore` rebuilding a deleted group).
public enum GroupEventStep: String, Hashable, Sendable, CaseIterable {
  case snapshot, prepareDirectory, deleteCloudGroup, waitForSync, verify, restoreAccess
  case switchSourceOfAuthority, createCloudGroup, removeFromSyncScope
  case restore

  /// The journal name of a plan step (every `GroupStep.Name` has one).
  public init(_ name: GroupStep.Name) {
    switch name {
    case .snapshot: self = .snapshot
    case .prepareDirectory: self = .prepareDirectory
    case .deleteCloudGroup: self = .deleteCloudGroup
    case .waitForSync: self = .waitForSync
    case .verify: self = .verify
    case .restoreAccess: self = .restoreAccess
    case .switchSourceOfAuthority: self = .switchSourceOfAuthority
    case .createCloudGroup: self = .createCloudGroup
    case .removeFromSyncScope: self = .removeFromSyncScope
    }
  }
}
