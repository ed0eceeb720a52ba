/// The first cloud entry holding each directory user's anchor and UPN (-1: none), probed for all
/// users up front. Each probe is a chain of cache misses (the table's slot, then the cloud user
/// and its UPN to compare); in short loops of independent probes the CPU overlaps them, which it
/// can't inside the long matching step. Software-pipelined by block: while block b is probed,
/// block b's candidate keys and block b + 1's home slots are read ahead (`CacheWarming`).
///
/// With each cloud user found, its `TwinState` is taken while the user is in cache: building
/// the items, in objectGUID order, then needs no cloud user at all.
struct CloudProbes {
  var anchor: [Int32] = []
  var upn: [Int32] = []
  /// The `TwinState` of the cloud user in `anchor` and `upn` (unknown where none was found).
  var anchorState: [TwinState] = []
  var upnState: [TwinState] = []

  init(directory: DirectoryIndex, cloud: TenantIndex, rules: [MatchRule]) {
    let count = directory.users.count
    anchor = [Int32](repeating: -1, count: count)
    upn = [Int32](repeating: -1, count: count)
    anchorState = [TwinState](repeating: TwinState(), count: count)
    upnState = [TwinState](repeating: TwinState(), count: count)
    let probeAnchors = rules.contains(.immutableId) && !cloud.byAnchor.isEmpty
    let probeUPNs = rules.contains(.userPrincipalName)
    guard probeAnchors || probeUPNs else { return }
    let upnHashes = directory.upnHashes
    let block = CacheWarming.block
    // Two blocks of anchor hashes: this block's and the next one's.
    var anchorHashes = [UInt64](repeating: 0, count: 2 * block)
    directory.users.withUnsafeBufferPointer { users in
      cloud.users.withUnsafeBufferPointer { cloudUsers in
        /// Hashes block `start`'s anchors into its half and reads the home slots of both keys.
        func readSlots(_ start: Int) {
          guard start < count else { return }
          let end = min(start + block, count)
          if probeAnchors {
            let half = (start / block) % 2 * block
            for index in start..<end {
              anchorHashes[half + index - start] = users[index].anchor?.indexHash ?? 0
            }
            cloud.byAnchor.touch(anchorHashes[half..<half + end - start])
          }
          if probeUPNs { cloud.byUPN.touch(upnHashes[start..<end]) }
        }
        readSlots(0)
        for start in stride(from: 0, to: count, by: block) {
          let end = min(start + block, count)
          let half = (start / block) % 2 * block
          readSlots(start + block)
          if probeAnchors {
            cloud.byAnchor.touchCandidates(anchorHashes[half..<half + end - start]) {
              cloudUsers[Int($0)].onPremisesImmutableId == nil ? 0 : 1
            }
          }
          if probeUPNs {
            // The UPN to compare, and the flags `TwinState` reads (another cache line).
            cloud.byUPN.touchCandidates(upnHashes[start..<end]) {
              CacheWarming.firstByte(cloudUsers[Int($0)].userPrincipalName)
                &+ (cloudUsers[Int($0)].holdsDirectoryRole ? 1 : 0)
            }
          }
          for index in start..<end {
            if probeAnchors, let key = users[index].anchor {
              let found =
                cloud.byAnchor.firstEntry(key, hash: anchorHashes[half + index - start]) ?? -1
              anchor[index] = found
              if found >= 0 {
                anchorState[index] = TwinState(
                  cloudUsers.baseAddress! + Int(found), federated: cloud.isFederated(found),
                  anchor: users[index].anchor)
              }
            }
            if probeUPNs {
              // In place (no retains); -2: not ASCII, probed from a copy out of line.
              let found =
                users[index].userPrincipalName?.utf8.withContiguousStorageIfAvailable { key in
                  key.isEmpty
                    ? -1
                    : isASCII(key)
                      ? cloud.byUPN.firstEntry(ascii: key, hash: upnHashes[index]) : -2
                } ?? -2
              let twin =
                found != -2
                ? found
                : CloudProbes.probe(users.baseAddress! + index, cloud.byUPN, upnHashes[index])
              upn[index] = twin
              if twin >= 0 {
                upnState[index] = TwinState(
                  cloudUsers.baseAddress! + Int(twin), federated: cloud.isFederated(twin),
                  anchor: users[index].anchor)
              }
            }
          }
        }
      }
    }
  }
}

extension CloudProbes {
  /// The UPN probe for a user whose UPN is not ASCII, not contiguous, or missing (-1).
  @inline(never)
  fileprivate static func probe(
    _ user: UnsafePointer<DirectoryUser>, _ index: PositionIndex<CloudKeys>, _ hash: UInt64
  ) -> Int32 {
    guard let key = user.pointee.userPrincipalName, !key.isEmpty else { return -1 }
    return index.firstEntry(key, hash: hash) ?? -1
  }
}

/// What deciding a directory user's action reads from its cloud twin, taken where the twin was
/// found (`CloudProbes`), while it is in cache. An unknown state (no flags at all) means: read
/// the twin (`init(cloud:_:anchor:)`).
struct TwinState: OptionSet, Sendable {
  let rawValue: UInt8

  /// The state was taken (the other flags are meaningful).
  static let known = TwinState(rawValue: 1)
  /// `onPremisesSyncEnabled == true`.
  static let synced = TwinState(rawValue: 2)
  static let holdsDirectoryRole = TwinState(rawValue: 4)
  /// The UPN is in a federated domain.
  static let federated = TwinState(rawValue: 8)
  /// No ImmutableID.
  static let noImmutableId = TwinState(rawValue: 16)
  /// The ImmutableID equals the directory user's anchor.
  static let holdsAnchor = TwinState(rawValue: 32)

  init(rawValue: UInt8) { self.rawValue = rawValue }

  /// The state of the cloud user at `user`, twin of a directory user with `anchor`.
  @inline(__always)
  init(_ user: UnsafePointer<CloudUser>, federated: Bool, anchor: SourceAnchor?) {
    var state = TwinState.known
    if user.pointee.onPremisesSyncEnabled == true { state.insert(.synced) }
    if user.pointee.holdsDirectoryRole { state.insert(.holdsDirectoryRole) }
    if federated { state.insert(.federated) }
    if user.pointee.onPremisesImmutableId == nil {
      state.insert(.noImmutableId)
    } else if anchor != nil && user.pointee.onPremisesImmutableId == anchor {
      state.insert(.holdsAnchor)
    }
    self = state
  }

  /// The state read from the twin itself.
  init(cloud: TenantIndex, _ twin: Int32, anchor: SourceAnchor?) {
    self = cloud.users.withUnsafeBufferPointer { users in
      TwinState(users.baseAddress! + Int(twin), federated: cloud.isFederated(twin), anchor: anchor)
    }
  }
}
