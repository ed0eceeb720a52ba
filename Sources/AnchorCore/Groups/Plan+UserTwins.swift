extension Plan {
  /// The cloud users whose AD twin sync will attach to them, by lowercased cloud id: already linked
  /// (`noop`), or linked by this plan (`link`, `relink`: apply it before a group cut-over). A
  /// blocked or skipped pair (role holder, disabled user, synced elsewhere) is not: after sync the
  /// AD user is another cloud object, so a group member there would be lost.
  public var userTwins: [String: DirectoryObjectRef] {
    var twins: [String: DirectoryObjectRef] = [:]
    for item in items where [.noop, .link, .relink].contains(item.action) {
      if let cloud = item.cloud, let directory = item.directory {
        twins[cloud.id.lowercased()] = directory
      }
    }
    return twins
  }
}
