import Foundation

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The entity and complex types of Microsoft's v1.0 CSDL extract
/// (`Schemas/graph-csdl-v1.0-directory.xml`), read with XMLParser: each type's base type,
/// structural properties (type, nullability) and navigation properties.
final class CSDLModel: NSObject, XMLParserDelegate {
  struct Property: Sendable {
    let type: String
    let nullable: Bool
    var isCollection: Bool { type.hasPrefix("Collection(") }
    /// `graph.user` for `Collection(graph.user)`.
    var elementType: String {
      isCollection ? String(type.dropFirst("Collection(".count).dropLast()) : type
    }
  }

  struct TypeInfo: Sendable {
    var baseType: String?
    var properties: [String: Property] = [:]
    var navigation: [String: Property] = [:]
    var isComplex = false
  }

  private(set) var types: [String: TypeInfo] = [:]
  private(set) var enumTypes: Set<String> = []
  private var current: String?

  static func load() throws -> CSDLModel {
    let url = StateTests.repositoryRoot.appendingPathComponent(
      "Schemas/graph-csdl-v1.0-directory.xml")
    // The extract holds several top-level elements; wrap them so the parser sees one document.
    var text = try String(contentsOf: url, encoding: .utf8)
    if let declaration = text.range(of: "?>") { text = String(text[declaration.upperBound...]) }
    let parser = XMLParser(data: Data("<Root>\(text)</Root>".utf8))
    let model = CSDLModel()
    parser.delegate = model
    guard parser.parse() else {
      throw CocoaError(
        .fileReadCorruptFile, userInfo: ["reason": "\(String(describing: parser.parserError))"])
    }
    return model
  }

  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
    qualifiedName: String?, attributes: [String: String] = [:]
  ) {
    switch elementName {
    case "EntityType", "ComplexType":
      guard let name = attributes["Name"] else { return }
      let full = "graph.\(name)"
      current = full
      types[full] = TypeInfo(
        baseType: attributes["BaseType"], isComplex: elementName == "ComplexType")
    case "EnumType":
      if let name = attributes["Name"] { enumTypes.insert("graph.\(name)") }
      current = nil
    case "Property":
      guard let current, let name = attributes["Name"], let type = attributes["Type"] else {
        return
      }
      types[current]?.properties[name] = Property(
        type: type, nullable: attributes["Nullable"] != "false")
    case "NavigationProperty":
      guard let current, let name = attributes["Name"], let type = attributes["Type"] else {
        return
      }
      types[current]?.navigation[name] = Property(type: type, nullable: true)
    default:
      break
    }
  }

  func parser(
    _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
    qualifiedName: String?
  ) {
    if elementName == "EntityType" || elementName == "ComplexType" { current = nil }
  }

  /// A property through the base types: structural first, then navigation.
  func lookup(_ name: String, on type: String) -> (Property, navigation: Bool)? {
    var next: String? = type
    while let type = next, let info = types[type] {
      if let property = info.properties[name] { return (property, false) }
      if let property = info.navigation[name] { return (property, true) }
      next = info.baseType
    }
    return nil
  }

  func derives(_ type: String, from base: String) -> Bool {
    var next: String? = type
    while let current = next {
      if current == base { return true }
      next = types[current]?.baseType
    }
    return false
  }

  /// A response body as JSON values whose booleans and numbers stay apart.
  enum Wire: Decodable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([Wire])
    case object([String: Wire])

    init(from decoder: any Decoder) throws {
      let container = try decoder.singleValueContainer()
      if container.decodeNil() {
        self = .null
      } else if let value = try? container.decode(Bool.self) {
        self = .bool(value)
      } else if let value = try? container.decode(Double.self) {
        self = .number(value)
      } else if let value = try? container.decode(String.self) {
        self = .string(value)
      } else if let value = try? container.decode([Wire].self) {
        self = .array(value)
      } else {
        self = .object(try container.decode([String: Wire].self))
      }
    }

    static func parse(_ data: Data) -> [String: Wire] {
      if case .object(let object) = try? JSONDecoder().decode(Wire.self, from: data) {
        return object
      }
      return [:]
    }

    var objectValue: [String: Wire]? { if case .object(let o) = self { o } else { nil } }
    var arrayValue: [Wire]? { if case .array(let a) = self { a } else { nil } }
    var stringValue: String? { if case .string(let s) = self { s } else { nil } }
  }

  /// Every problem of `object` read as `type`: undeclared names, incompatible JSON types,
  /// null collections and null non-nullable values. `path` prefixes each message.
  func problems(_ object: [String: Wire], as type: String, path: String) -> [String] {
    var found: [String] = []
    var type = type
    if let cast = object["@odata.type"]?.stringValue {
      let named = "graph." + cast.replacingOccurrences(of: "#microsoft.graph.", with: "")
      if derives(named, from: type) {
        type = named
      } else {
        found.append("\(path): @odata.type \(cast) is not a \(type)")
      }
    }
    for (name, value) in object.sorted(by: { $0.key < $1.key }) where !name.contains("@") {
      guard let (property, _) = lookup(name, on: type) else {
        found.append("\(path).\(name): not declared on \(type)")
        continue
      }
      found += problems(value, property, path: "\(path).\(name)")
    }
    return found
  }

  private func problems(_ value: Wire, _ property: Property, path: String) -> [String] {
    if case .null = value {
      if property.isCollection { return ["\(path): a collection is null"] }
      return property.nullable ? [] : ["\(path): null for a non-nullable \(property.type)"]
    }
    if property.isCollection {
      guard let items = value.arrayValue else { return ["\(path): expected an array"] }
      let element = Property(type: property.elementType, nullable: false)
      return items.enumerated().flatMap { problems($1, element, path: "\(path)[\($0)]") }
    }
    return scalarProblems(value, property.type, path: path)
  }

  private func scalarProblems(_ value: Wire, _ type: String, path: String) -> [String] {
    switch (type, value) {
    case ("Edm.String", .string), ("Edm.Guid", .string), ("Edm.Binary", .string),
      ("Edm.Date", .string), ("Edm.TimeOfDay", .string), ("Edm.Duration", .string),
      ("Edm.Boolean", .bool):
      return []
    case ("Edm.DateTimeOffset", .string(let text)):
      return ISO8601DateFormatter().date(from: text) != nil || text.contains("T")
        ? [] : ["\(path): '\(text)' is not an ISO 8601 DateTimeOffset"]
    case ("Edm.Int32", .number), ("Edm.Int64", .number), ("Edm.Double", .number),
      ("Edm.Single", .number), ("Edm.Decimal", .number), ("Edm.Byte", .number):
      return []
    case (_, .string) where enumTypes.contains(type):
      return []
    case (_, .object(let object)) where types[type] != nil:
      return problems(object, as: type, path: path)
    default:
      return ["\(path): \(value) does not fit \(type)"]
    }
  }
}
