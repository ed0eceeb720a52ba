/// Built-in Microsoft Entra role definitions the emulator knows by template id (the ids and
/// names of Microsoft's "built-in roles" reference); any other id is rendered as a custom role
/// named by the state's `roleName`.
enum RoleCatalogue {
  struct Role: Sendable {
    let name: String
    let description: String
    let actions: [String]
  }

  static let builtIn: [String: Role] = [
    "62e90394-69f5-4237-9190-012177145e10": Role(
      name: "Global Administrator",
      description:
        "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.",
      actions: ["microsoft.directory/*/allProperties/allTasks"]),
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13": Role(
      name: "Privileged Authentication Administrator",
      description:
        "Can access to view, set and reset authentication method information for any user (admin or non-admin).",
      actions: ["microsoft.directory/users/authenticationMethods/create"]),
    "e8611ab8-c189-46e8-94e1-60213ab1f814": Role(
      name: "Privileged Role Administrator",
      description:
        "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.",
      actions: ["microsoft.directory/roleAssignments/allProperties/allTasks"]),
    "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2": Role(
      name: "Hybrid Identity Administrator",
      description:
        "Can manage Active Directory to Microsoft Entra cloud provisioning, Microsoft Entra Connect, pass-through authentication (PTA), password hash synchronization (PHS), seamless single sign-on (seamless SSO), and federation settings.",
      actions: ["microsoft.directory/onPremisesSynchronization/standard/read"]),
    "fe930be7-5e62-47db-91af-98c3a49a38b1": Role(
      name: "User Administrator",
      description:
        "Can manage all aspects of users and groups, including resetting passwords for limited admins.",
      actions: ["microsoft.directory/users/basic/update"]),
    "fdd7a751-b60b-444a-984c-02652fe8fa1c": Role(
      name: "Groups Administrator",
      description:
        "Members of this role can create/manage groups, create/manage groups settings like naming and expiration policies, and view groups activity and audit reports.",
      actions: ["microsoft.directory/groups/basic/update"]),
    "729827e3-9c14-49f7-bb1b-9608f156bbb8": Role(
      name: "Helpdesk Administrator",
      description:
        "Can reset passwords for non-administrators and Helpdesk Administrators.",
      actions: ["microsoft.directory/users/password/update"]),
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451": Role(
      name: "Global Reader",
      description: "Can read everything that a Global Administrator can, but not update anything.",
      actions: ["microsoft.directory/users/standard/read"]),
    "88d8e3e3-8f55-4a1e-953a-9b9898b8876b": Role(
      name: "Directory Readers",
      description:
        "Can read basic directory information. Commonly used to grant directory read access to applications and guests.",
      actions: ["microsoft.directory/users/standard/read"]),
  ]

  /// A full `unifiedRoleDefinition`.
  static func definition(id: String, fallbackName: String?) -> JSONValue {
    let role = builtIn[id]
    let permissions: JSONValue = .object([
      "allowedResourceActions": JSONCoding.strings(role?.actions ?? []),
      "condition": .null, "excludedResourceActions": .array([]),
    ])
    return .object([
      "id": .string(id), "templateId": .string(id),
      "displayName": role.map { .string($0.name) } ?? fallbackName.map { .string($0) } ?? .null,
      "description": role.map { .string($0.description) } ?? .null,
      "isBuiltIn": .bool(role != nil), "isEnabled": .bool(true),
      "resourceScopes": JSONCoding.strings(["/"]),
      "rolePermissions": .array([permissions]),
      "version": role == nil ? .null : .string("1"),
    ])
  }
}
