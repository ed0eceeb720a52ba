/// What each endpoint demands, from the "Permissions" tables of Microsoft Graph's v1.0 API
/// reference (application permissions, least privileged first, then the higher ones Graph also
/// accepts). Delegated tokens are judged on the same names in `scp`. The emulator docs carry
/// the same table.
enum PermissionTable {
  typealias Rule = (method: String, path: [String], permissions: [String])

  private static let readUsers = [
    "User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All",
  ]
  private static let readGroups = [
    "GroupMember.Read.All", "Group.Read.All", "Directory.Read.All", "GroupMember.ReadWrite.All",
    "Group.ReadWrite.All", "Directory.ReadWrite.All",
  ]
  private static let writeUsers = ["User.ReadWrite.All", "Directory.ReadWrite.All"]
  private static let deleteRestoreUsers = ["User.DeleteRestore.All", "User.ReadWrite.All"]
  private static let writeGroups = ["Group.ReadWrite.All", "Directory.ReadWrite.All"]
  private static let writeMembers = [
    "GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All",
  ]

  /// Path patterns: `*` matches one segment.
  static let rules: [Rule] = [
    ("GET", ["users"], readUsers),
    ("GET", ["users", "delta"], readUsers),
    ("GET", ["users", "delta()"], readUsers),
    ("GET", ["users", "*"], readUsers),
    ("GET", ["users", "*", "memberOf"], readUsers),
    ("PATCH", ["users", "*"], writeUsers),
    ("DELETE", ["users", "*"], deleteRestoreUsers),
    ("GET", ["groups"], readGroups),
    ("GET", ["groups", "delta"], readGroups),
    ("GET", ["groups", "delta()"], readGroups),
    ("GET", ["groups", "*"], readGroups),
    ("GET", ["groups", "*", "members"], readGroups),
    ("GET", ["groups", "*", "owners"], readGroups),
    ("GET", ["groups", "*", "memberOf"], readGroups),
    ("POST", ["groups"], ["Group.Create", "Group.ReadWrite.All", "Directory.ReadWrite.All"]),
    ("PATCH", ["groups", "*"], writeGroups),
    ("DELETE", ["groups", "*"], writeGroups),
    ("POST", ["groups", "*", "members", "$ref"], writeMembers),
    ("DELETE", ["groups", "*", "members", "*", "$ref"], writeMembers),
    ("POST", ["groups", "*", "owners", "$ref"], writeGroups),
    ("DELETE", ["groups", "*", "owners", "*", "$ref"], writeGroups),
    (
      "GET", ["groups", "*", "appRoleAssignments"],
      ["Directory.Read.All", "AppRoleAssignment.ReadWrite.All", "Directory.ReadWrite.All"]
    ),
    (
      "GET", ["groups", "*", "appRoleAssignments", "*"],
      ["Directory.Read.All", "AppRoleAssignment.ReadWrite.All", "Directory.ReadWrite.All"]
    ),
    (
      "POST", ["groups", "*", "appRoleAssignments"],
      ["AppRoleAssignment.ReadWrite.All", "Directory.ReadWrite.All"]
    ),
    (
      "DELETE", ["groups", "*", "appRoleAssignments", "*"],
      ["AppRoleAssignment.ReadWrite.All", "Directory.ReadWrite.All"]
    ),
    (
      "POST", ["groups", "*", "assignLicense"],
      ["LicenseAssignment.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"]
    ),
    (
      "GET", ["groups", "*", "onPremisesSyncBehavior"],
      ["Group-OnPremisesSyncBehavior.Read.All", "Group-OnPremisesSyncBehavior.ReadWrite.All"]
    ),
    (
      "PATCH", ["groups", "*", "onPremisesSyncBehavior"],
      ["Group-OnPremisesSyncBehavior.ReadWrite.All"]
    ),
    (
      "GET", ["domains"],
      ["Domain.Read.All", "Domain.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"]
    ),
    (
      "GET", ["domains", "*"],
      ["Domain.Read.All", "Domain.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"]
    ),
    (
      "GET", ["organization"],
      [
        "Organization.Read.All", "Directory.Read.All", "Organization.ReadWrite.All",
        "Directory.ReadWrite.All",
      ]
    ),
    (
      "GET", ["organization", "*"],
      [
        "Organization.Read.All", "Directory.Read.All", "Organization.ReadWrite.All",
        "Directory.ReadWrite.All",
      ]
    ),
    (
      "GET", ["roleManagement", "directory", "roleAssignments"],
      [
        "RoleManagement.Read.Directory", "RoleManagement.Read.All", "Directory.Read.All",
        "RoleManagement.ReadWrite.Directory", "Directory.ReadWrite.All",
      ]
    ),
    ("GET", ["directory", "deletedItems", "microsoft.graph.user"], readUsers),
    ("GET", ["directory", "deletedItems", "microsoft.graph.group"], readGroups),
  ]

  /// Deleted items are judged by the kind of the object the id names.
  static func deletedItem(method: String, isUser: Bool) -> [String] {
    switch (method, isUser) {
    case ("GET", true): return readUsers
    case ("GET", false): return readGroups
    case (_, true): return deleteRestoreUsers
    case (_, false): return writeGroups
    }
  }

  /// Every application permission the table names (the `roles` of an app whose state gives no
  /// `permissions`), plus the two the identity endpoints need only in delegated form.
  static let allApplicationPermissions: [String] = {
    var names: [String] = []
    for rule in rules {
      for name in rule.permissions where !names.contains(name) { names.append(name) }
    }
    for name in ["User.DeleteRestore.All"] where !names.contains(name) { names.append(name) }
    return names
  }()

  /// The permissions that admit `method` on `segments` (any one suffices), or nil when the
  /// table has no rule for the path (the router answers it).
  static func required(method: String, segments: [String]) -> [String]? {
    for rule in rules where rule.method == method && rule.path.count == segments.count {
      let matches = zip(rule.path, segments).allSatisfy { $0 == "*" || $0 == $1 }
      if matches { return rule.permissions }
    }
    return nil
  }
}
