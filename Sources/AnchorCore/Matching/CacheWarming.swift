/// Reads ahead, with plain loads, the memory that building a block of plan items will touch.
///
/// Items are built in objectGUID order, so each one lands on a directory user and a cloud user at
/// random places in memory. Building an item retains (the shared inputs, rare strings), and a
/// retain is an atomic (locked) instruction that lets no later load start before it completes, so
/// inside the build the misses are paid one after the other. Loaded here first, in a short loop of
/// independent loads, the misses of a whole block overlap, and the build then finds them in cache.
///
/// The same holds for a pass over cloud users whose strings are not laid out in their order.
enum CacheWarming {
  /// How many items or users are read ahead at a time.
  static let block = 16

  /// Touches the id and UPN of `cloud[start ..< start + block]`.
  static func touch(cloud: UnsafeBufferPointer<CloudUser>, from start: Int) {
    var sum: UInt64 = 0
    for index in start..<min(start + block, cloud.count) {
      sum &+= firstByte(cloud[index].id)
      sum &+= firstByte(cloud[index].userPrincipalName)
    }
    keep(sum)
  }

  /// Touches what building the items for `keys` reads: each one's match outcome (which holds
  /// its twin's state, `TwinState`) and, unless anchors come from the keys, its directory user's
  /// anchor. Items read their strings from the inputs later (`PlanItem.Sides`).
  static func touch<Outcome>(
    _ keys: ArraySlice<GUIDKey>, outcomes: UnsafeBufferPointer<Outcome>,
    directory: UnsafeBufferPointer<DirectoryUser>?
  ) {
    var sum: UInt64 = 0
    let outcomeBytes = UnsafeRawPointer(outcomes.baseAddress!)
    for key in keys {
      let index = Int(key.position)
      sum &+= UInt64(
        outcomeBytes.load(fromByteOffset: index * MemoryLayout<Outcome>.stride, as: UInt8.self))
      if let directory { sum &+= directory[index].anchor?.guid?.words.0 ?? 1 }
    }
    keep(sum)
  }

  /// Touches the UPNs of the cloud users at `twins`.
  static func touch(upnsOf twins: some Sequence<Int32>, cloud: UnsafeBufferPointer<CloudUser>) {
    var sum: UInt64 = 0
    for twin in twins { sum &+= firstByte(cloud[Int(twin)].userPrincipalName) }
    keep(sum)
  }

  /// Touches what making federated items hold their sides reads (`PlanItem.Sides.held`): the
  /// item, its directory user's DN and UPN, its cloud user's id, UPN and ImmutableID.
  static func touch(
    _ entries: ArraySlice<HardMatchPlanner.FederatedItem>, items: UnsafeBufferPointer<PlanItem>,
    directory: UnsafeBufferPointer<DirectoryUser>, cloud: UnsafeBufferPointer<CloudUser>
  ) {
    var sum: UInt64 = 0
    let itemBytes = UnsafeRawPointer(items.baseAddress!)
    for entry in entries {
      sum &+= UInt64(
        itemBytes.load(fromByteOffset: entry.item * MemoryLayout<PlanItem>.stride, as: UInt8.self))
      let position = Int(entry.position)
      sum &+= firstByte(directory[position].distinguishedName)
      if let upn = directory[position].userPrincipalName { sum &+= firstByte(upn) }
      let twin = Int(entry.twin)
      sum &+= firstByte(cloud[twin].id)
      sum &+= firstByte(cloud[twin].userPrincipalName)
      sum &+= cloud[twin].onPremisesImmutableId?.guid?.words.0 ?? 1
    }
    keep(sum)
  }

  @inline(__always)
  static func firstByte(_ text: String) -> UInt64 {
    UInt64(text.utf8.withContiguousStorageIfAvailable { $0.first ?? 0 } ?? 0)
  }

  /// An optimization barrier: the loads above exist only for their effect on the cache, and
  /// a function the optimizer may not look into keeps them from being removed as unused.
  @inline(never) @_optimize(none)
  static func keep(_ value: UInt64) {}
}
