/// OData instance annotations in request bodies (`@odata.type`, `@odata.id`, `@odata.context`,
/// …): Graph ignores them, and refuses only an `@odata.type` the expected type cannot take.
/// Property annotations such as `members@odata.bind` are content and stay.
enum InstanceAnnotations {
  static func strip(_ object: JSONObject, type: String?, keepReference: Bool) throws -> JSONObject {
    var result = object
    for key in object.keys where key.hasPrefix("@") {
      if key == "@odata.id" && keepReference { continue }
      if key == "@odata.type", let expected = type {
        guard let named = object[key]?.stringValue, fits(named, expected) else {
          throw GraphFailure(
            status: 400, code: "BadRequest",
            message:
              "A resource with type '\(normalized(object[key]?.stringValue ?? ""))' was found, but it is not assignable to the expected type '\(expected)'. The type specified in the resource must be equal to either the expected type or a derived type."
          )
        }
      }
      result[key] = nil
    }
    return result
  }

  /// `#microsoft.graph.user`, `microsoft.graph.user` and `#graph.user` all name the user type.
  static func normalized(_ name: String) -> String {
    var text = name.hasPrefix("#") ? String(name.dropFirst()) : name
    if text.hasPrefix("graph.") { text = "microsoft." + text }
    return text
  }

  /// The expected type or one derived from it (CSDL `BaseType`, for the types served here).
  static func fits(_ named: String, _ expected: String) -> Bool {
    var type: String? = normalized(named).lowercased()
    while let current = type {
      if current == expected.lowercased() { return true }
      type = baseTypes[current]
    }
    return false
  }

  private static let baseTypes: [String: String] = [
    "microsoft.graph.user": "microsoft.graph.directoryobject",
    "microsoft.graph.group": "microsoft.graph.directoryobject",
    "microsoft.graph.orgcontact": "microsoft.graph.directoryobject",
    "microsoft.graph.approleassignment": "microsoft.graph.directoryobject",
    "microsoft.graph.organization": "microsoft.graph.directoryobject",
    "microsoft.graph.directoryobject": "microsoft.graph.entity",
    "microsoft.graph.onpremisessyncbehavior": "microsoft.graph.entity",
  ]
}
