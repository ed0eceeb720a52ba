import Foundation

extension TenantState {
  /// Parses and validates a state document; the error names the JSON path of the bad value.
  static func load(_ data: Data) throws -> TenantState {
    let root: JSONValue
    do {
      root = try JSONCoding.decode(data)
    } catch {
      throw TenantEmulatorError.malformedState(reason: "\(error)")
    }
    return try StateValidator().validate(root)
  }
}

private struct StateValidator {
  private func fail(_ path: String, _ reason: String) -> TenantEmulatorError {
    .invalidState(path: path, reason: reason)
  }

  private func object(_ value: JSONValue?, _ path: String) throws -> JSONObject {
    guard let object = value?.objectValue else {
      throw fail(path, "expected an object, found \(value?.typeName ?? "nothing")")
    }
    return object
  }

  private func array(_ value: JSONValue?, _ path: String) throws -> [JSONValue] {
    guard let value else { return [] }
    guard let array = value.arrayValue else {
      throw fail(path, "expected an array, found \(value.typeName)")
    }
    return array
  }

  private func requiredString(_ object: JSONObject, _ key: String, _ path: String) throws -> String
  {
    guard let value = object[key] else { throw fail("\(path).\(key)", "required") }
    guard let string = value.stringValue, !string.isEmpty else {
      throw fail("\(path).\(key)", "expected a non-empty string, found \(value.typeName)")
    }
    return string
  }

  /// Checks every key against the resource vocabulary and every typed value against its kind.
  private func checkProperties(
    _ object: JSONObject, _ resource: GraphSchema.Resource, extra: Set<String>, _ path: String
  ) throws {
    for (key, value) in object.sorted(by: { $0.key < $1.key }) {
      if extra.contains(key) { continue }
      guard let kind = resource.kind(of: key) else {
        throw fail("\(path).\(key)", "not a property of \(resource.typeName)")
      }
      try check(value, kind, "\(path).\(key)")
    }
  }

  private func check(_ value: JSONValue, _ kind: GraphSchema.ValueKind, _ path: String) throws {
    switch (kind, value) {
    case (_, .null), (.any, _), (.string, .string), (.boolean, .bool): return
    case (.stringArray, .array):
      guard value.stringArray != nil else { throw fail(path, "expected an array of strings") }
    default:
      throw fail(path, "expected \(kind) or null, found \(value.typeName)")
    }
  }

  func validate(_ root: JSONValue) throws -> TenantState {
    let top = try object(root, "$")
    let known: Set<String> = [
      "$schema", "description", "tenantId", "domains", "applications", "users", "groups",
      "roleAssignments", "features", "organization", "capabilities",
    ]
    for key in top.keys.sorted() where !known.contains(key) {
      throw fail("$.\(key)", "unknown top-level key")
    }
    let tenantId = try requiredString(top, "tenantId", "$")
    guard UUID(uuidString: tenantId) != nil else {
      throw fail("$.tenantId", "expected a GUID, found '\(tenantId)'")
    }
    let domains = try validateDomains(top["domains"])
    let domainTypes = Dictionary(
      uniqueKeysWithValues: domains.map { ($0.string("id")!, $0.string("authenticationType")!) })
    let applications = try validateApplications(top["applications"])
    let users = try validateUsers(top["users"], domainTypes: domainTypes)
    var objectIds = Set(users.map { $0.string("id")! })
    let groups = try validateGroups(top["groups"], objectIds: &objectIds)
    let roleAssignments = try validateRoleAssignments(top["roleAssignments"], objectIds)
    let features = try top["features"].map { try object($0, "$.features") } ?? [:]
    for (key, value) in features.sorted(by: { $0.key < $1.key }) {
      guard GraphSchema.syncFeatures.contains(key) else {
        throw fail("$.features.\(key)", "not an onPremisesDirectorySynchronizationFeature flag")
      }
      guard value.boolValue != nil else {
        throw fail("$.features.\(key)", "expected a boolean, found \(value.typeName)")
      }
    }
    let organization = try top["organization"].map { try object($0, "$.organization") } ?? [:]
    for (key, value) in organization.sorted(by: { $0.key < $1.key }) {
      guard let kind = GraphSchema.organizationKinds[key] else {
        throw fail("$.organization.\(key)", "not a supported organization property")
      }
      try check(value, kind, "$.organization.\(key)")
    }
    let capabilities = try top["capabilities"].map { try object($0, "$.capabilities") } ?? [:]
    for (key, value) in capabilities.sorted(by: { $0.key < $1.key }) {
      guard key == "groupSourceOfAuthority" || key == "conditionalAccessBlocksDeviceCode" else {
        throw fail("$.capabilities.\(key)", "not a known capability")
      }
      guard value.boolValue != nil else {
        throw fail("$.capabilities.\(key)", "expected a boolean, found \(value.typeName)")
      }
    }
    return TenantState(
      tenantId: tenantId.lowercased(), domains: domains, applications: applications,
      users: users, groups: groups, roleAssignments: roleAssignments, features: features,
      organization: organization, capabilities: capabilities)
  }

  private func validateDomains(_ value: JSONValue?) throws -> [JSONObject] {
    var seen = Set<String>()
    var domains: [JSONObject] = []
    for (index, item) in try array(value, "$.domains").enumerated() {
      let path = "$.domains[\(index)]"
      var domain = try object(item, path)
      try checkProperties(domain, GraphSchema.domain, extra: [], path)
      let id = try requiredString(domain, "id", path).lowercased()
      guard seen.insert(id).inserted else { throw fail("\(path).id", "duplicate domain '\(id)'") }
      domain["id"] = .string(id)
      let type = try requiredString(domain, "authenticationType", path)
      guard type == "Managed" || type == "Federated" else {
        throw fail("\(path).authenticationType", "expected Managed or Federated, found '\(type)'")
      }
      for flag in ["isInitial", "isVerified", "isDefault"] where domain[flag] == nil {
        domain[flag] = .bool(flag == "isVerified")
      }
      if domain.bool("isInitial") == true && type == "Federated" {
        throw fail("\(path).authenticationType", "the initial domain cannot be federated")
      }
      domains.append(domain)
    }
    guard domains.filter({ $0.bool("isInitial") == true }).count == 1 else {
      throw fail("$.domains", "exactly one domain must have isInitial: true")
    }
    guard domains.filter({ $0.bool("isDefault") == true }).count <= 1 else {
      throw fail("$.domains", "at most one domain may have isDefault: true")
    }
    return domains
  }

  private func validateApplications(_ value: JSONValue?) throws -> [RegisteredApplication] {
    var applications: [RegisteredApplication] = []
    for (index, item) in try array(value, "$.applications").enumerated() {
      let path = "$.applications[\(index)]"
      let app = try object(item, path)
      let allowed: Set<String> = [
        "clientId", "displayName", "clientSecret", "clientSecretSHA256", "certificatePem",
        "privilegedRole", "permissions",
      ]
      for key in app.keys.sorted() where !allowed.contains(key) {
        throw fail("\(path).\(key)", "unknown application key")
      }
      let clientId = try requiredString(app, "clientId", path).lowercased()
      if applications.contains(where: { $0.clientId == clientId }) {
        throw fail("\(path).clientId", "duplicate clientId '\(clientId)'")
      }
      var secretHash = try app["clientSecretSHA256"].map {
        try requiredString(["v": $0], "v", "\(path).clientSecretSHA256")
      }
      if app["clientSecret"] != nil {
        let secret = try requiredString(app, "clientSecret", path)
        secretHash = RegisteredApplication.hash(secret: secret)
      }
      var certificate: ClientCertificate?
      if app["certificatePem"] != nil {
        do {
          certificate = try ClientCertificate(pem: requiredString(app, "certificatePem", path))
        } catch let error as ClientCertificate.Problem {
          throw fail("\(path).certificatePem", error.description)
        }
      }
      guard secretHash != nil || certificate != nil else {
        throw fail(path, "needs clientSecret, clientSecretSHA256 or certificatePem")
      }
      if let role = app["privilegedRole"], role.boolValue == nil {
        throw fail("\(path).privilegedRole", "expected a boolean, found \(role.typeName)")
      }
      var permissions: [String]?
      if let value = app["permissions"] {
        guard let names = value.stringArray else {
          throw fail("\(path).permissions", "expected an array of permission names")
        }
        for (position, name) in names.enumerated()
        where !PermissionTable.allApplicationPermissions.contains(name) {
          throw fail(
            "\(path).permissions[\(position)]",
            "'\(name)' is not an application permission the emulator knows")
        }
        permissions = names
      }
      applications.append(
        RegisteredApplication(
          clientId: clientId, displayName: app.string("displayName"),
          clientSecretSHA256: secretHash, certificate: certificate,
          privilegedRole: app.bool("privilegedRole") ?? false, permissions: permissions))
    }
    return applications
  }

  private func validateUsers(_ value: JSONValue?, domainTypes: [String: String]) throws
    -> [JSONObject]
  {
    var ids = Set<String>()
    var upns = Set<String>()
    var anchors = Set<String>()
    var users: [JSONObject] = []
    for (index, item) in try array(value, "$.users").enumerated() {
      let path = "$.users[\(index)]"
      var user = try object(item, path)
      try checkProperties(user, GraphSchema.user, extra: [], path)
      let id = try requiredString(user, "id", path).lowercased()
      guard ids.insert(id).inserted else { throw fail("\(path).id", "duplicate id '\(id)'") }
      user["id"] = .string(id)
      let upn = try requiredString(user, "userPrincipalName", path)
      guard let domain = AnchorRules.domainPart(ofUPN: upn), let type = domainTypes[domain] else {
        throw fail("\(path).userPrincipalName", "'\(upn)' is not in one of $.domains")
      }
      guard upns.insert(upn.lowercased()).inserted else {
        throw fail("\(path).userPrincipalName", "duplicate userPrincipalName '\(upn)'")
      }
      if let anchor = user.string("onPremisesImmutableId") {
        guard AnchorRules.isValidImmutableId(anchor) else {
          throw fail("\(path).onPremisesImmutableId", "empty or contains $ or _")
        }
        guard anchors.insert(anchor).inserted else {
          throw fail("\(path).onPremisesImmutableId", "duplicate ImmutableID '\(anchor)'")
        }
      } else if type == "Federated" {
        throw fail(
          "\(path).onPremisesImmutableId",
          "a user in the federated domain \(domain) must have an ImmutableID")
      }
      if user["accountEnabled"] == nil { user["accountEnabled"] = .bool(true) }
      users.append(user)
    }
    return users
  }

  private func validateGroups(_ value: JSONValue?, objectIds: inout Set<String>) throws
    -> [JSONObject]
  {
    let items = try array(value, "$.groups")
    var groups: [JSONObject] = []
    // First pass: ids, so members may name groups defined later in the file.
    for (index, item) in items.enumerated() {
      let path = "$.groups[\(index)]"
      let group = try object(item, path)
      let id = try requiredString(group, "id", path).lowercased()
      guard objectIds.insert(id).inserted else {
        throw fail("\(path).id", "duplicate object id '\(id)'")
      }
    }
    for (index, item) in items.enumerated() {
      let path = "$.groups[\(index)]"
      var group = try object(item, path)
      try checkProperties(
        group, GraphSchema.group,
        extra: ["members", "owners", "appRoleAssignments", "onPremisesSyncBehavior"], path)
      let groupId = try requiredString(group, "id", path).lowercased()
      group["id"] = .string(groupId)
      _ = try requiredString(group, "displayName", path)
      for flag in ["mailEnabled", "securityEnabled"] {
        guard group.bool(flag) != nil else { throw fail("\(path).\(flag)", "required boolean") }
      }
      if group["groupTypes"] == nil { group["groupTypes"] = .array([]) }
      for relation in ["members", "owners"] {
        let list = try array(group[relation], "\(path).\(relation)")
        var ids: [String] = []
        for (position, entry) in list.enumerated() {
          guard let id = entry.stringValue?.lowercased(), objectIds.contains(id) else {
            throw fail(
              "\(path).\(relation)[\(position)]", "not the id of a user or group in this state")
          }
          if !ids.contains(id) { ids.append(id) }
        }
        group[relation] = JSONCoding.strings(ids)
      }
      try checkLicenses(group["assignedLicenses"], "\(path).assignedLicenses")
      if group["appRoleAssignments"] != nil {
        group["appRoleAssignments"] = try validateAppRoleAssignments(
          group["appRoleAssignments"], groupId: groupId, "\(path).appRoleAssignments")
      }
      if let behavior = group["onPremisesSyncBehavior"] {
        let path = "\(path).onPremisesSyncBehavior"
        let object = try object(behavior, path)
        for key in object.keys.sorted() where key != "isCloudManaged" {
          throw fail("\(path).\(key)", "not a property of microsoft.graph.onPremisesSyncBehavior")
        }
        guard object.bool("isCloudManaged") != nil else {
          throw fail("\(path).isCloudManaged", "required boolean")
        }
      }
      groups.append(group)
    }
    return groups
  }

  private func guid(_ value: JSONValue?, _ path: String) throws -> String {
    guard let text = value?.stringValue, UUID(uuidString: text) != nil else {
      let found = value?.stringValue.map { "'\($0)'" } ?? value?.typeName ?? "nothing"
      throw fail(path, "expected a GUID, found \(found)")
    }
    return text.lowercased()
  }

  /// `assignedLicenses`: `[{"skuId": GUID, "disabledPlans": [GUID]}]` (microsoft.graph.assignedLicense).
  private func checkLicenses(_ value: JSONValue?, _ path: String) throws {
    guard let value, value != .null else { return }
    for (index, item) in try array(value, path).enumerated() {
      let license = try object(item, "\(path)[\(index)]")
      for key in license.keys.sorted() where key != "skuId" && key != "disabledPlans" {
        throw fail("\(path)[\(index)].\(key)", "not a property of microsoft.graph.assignedLicense")
      }
      _ = try guid(license["skuId"], "\(path)[\(index)].skuId")
      let plans = try array(license["disabledPlans"], "\(path)[\(index)].disabledPlans")
      for (position, plan) in plans.enumerated() {
        _ = try guid(plan, "\(path)[\(index)].disabledPlans[\(position)]")
      }
    }
  }

  /// A group's app role assignments; `principalId` (if given) must be the group itself.
  private func validateAppRoleAssignments(_ value: JSONValue?, groupId: String, _ path: String)
    throws -> JSONValue
  {
    let allowed: Set<String> = [
      "id", "appRoleId", "resourceId", "resourceDisplayName", "principalId", "principalType",
      "principalDisplayName", "createdDateTime", "deletedDateTime",
    ]
    var ids = Set<String>()
    var assignments: [JSONValue] = []
    for (index, item) in try array(value, path).enumerated() {
      let path = "\(path)[\(index)]"
      var assignment = try object(item, path)
      for key in assignment.keys.sorted() where !allowed.contains(key) {
        throw fail("\(path).\(key)", "not a property of microsoft.graph.appRoleAssignment")
      }
      let id = try requiredString(assignment, "id", path)
      guard ids.insert(id).inserted else { throw fail("\(path).id", "duplicate id '\(id)'") }
      assignment["appRoleId"] = .string(try guid(assignment["appRoleId"], "\(path).appRoleId"))
      assignment["resourceId"] = .string(try guid(assignment["resourceId"], "\(path).resourceId"))
      if let principal = assignment["principalId"], principal != .null {
        guard principal.stringValue?.lowercased() == groupId else {
          throw fail("\(path).principalId", "must be the id of the group that holds it")
        }
      }
      assignment["principalId"] = .string(groupId)
      if let type = assignment["principalType"], type != .null, type.stringValue != "Group" {
        throw fail(
          "\(path).principalType",
          "expected \"Group\", found \(type.stringValue.map { "'\($0)'" } ?? type.typeName)")
      }
      assignment["principalType"] = .string("Group")
      for key in ["resourceDisplayName", "principalDisplayName", "createdDateTime"] {
        if let text = assignment[key], text != .null, text.stringValue == nil {
          throw fail("\(path).\(key)", "expected a string or null, found \(text.typeName)")
        }
      }
      assignments.append(.object(assignment))
    }
    return .array(assignments)
  }

  private func validateRoleAssignments(_ value: JSONValue?, _ objectIds: Set<String>) throws
    -> [JSONObject]
  {
    var assignments: [JSONObject] = []
    for (index, item) in try array(value, "$.roleAssignments").enumerated() {
      let path = "$.roleAssignments[\(index)]"
      var assignment = try object(item, path)
      let allowed: Set<String> = [
        "id", "principalId", "roleDefinitionId", "roleName", "directoryScopeId",
      ]
      for key in assignment.keys.sorted() where !allowed.contains(key) {
        throw fail("\(path).\(key)", "unknown roleAssignment key")
      }
      _ = try requiredString(assignment, "id", path)
      let principal = try requiredString(assignment, "principalId", path).lowercased()
      guard objectIds.contains(principal) else {
        throw fail("\(path).principalId", "'\(principal)' is not a user or group in this state")
      }
      assignment["principalId"] = .string(principal)
      _ = try requiredString(assignment, "roleDefinitionId", path)
      if assignment["directoryScopeId"] == nil { assignment["directoryScopeId"] = .string("/") }
      assignments.append(assignment)
    }
    return assignments
  }
}
