import Foundation

/// `$batch` wire shapes (graph-facts §6): at most 20 items, ids unique (case-insensitive).
public struct BatchItem: Sendable, Equatable {
  public var id: String
  public var request: GraphRequest
  public var dependsOn: [String]

  public init(id: String, request: GraphRequest, dependsOn: [String] = []) {
    self.id = id
    self.request = request
    self.dependsOn = dependsOn
  }
}

public enum BatchWire {
  public static let maxItems = 20

  /// The envelope body `{"requests":[…]}`; checks size, id uniqueness and dependency targets,
  /// and that every item is a relative URL (a nextLink can't be batched).
  public static func envelope(_ items: [BatchItem]) throws(GraphError) -> JSONValue {
    guard !items.isEmpty, items.count <= maxItems else {
      throw .invalidInput("$batch size", String(items.count), "expected 1–\(maxItems) requests")
    }
    var seen = Set<String>()
    for item in items {
      guard !item.id.isEmpty, seen.insert(item.id.lowercased()).inserted else {
        throw .invalidInput("$batch id", item.id, "ids must be non-empty and unique")
      }
    }
    var requests: [JSONValue] = []
    for item in items {
      for dependency in item.dependsOn where !seen.contains(dependency.lowercased()) {
        throw .invalidInput("$batch dependsOn", dependency, "no item with that id in the batch")
      }
      guard item.request.path.hasPrefix("/") else {
        throw .invalidInput("$batch url", item.request.operation, "batch items need relative URLs")
      }
      var object: [String: JSONValue] = [
        "id": .string(item.id), "method": .string(item.request.method.rawValue),
        "url": .string(item.request.path),
      ]
      var headers = item.request.headers
      if let body = item.request.body {
        object["body"] = body
        headers["Content-Type"] = headers["Content-Type"] ?? "application/json"
      }
      if !headers.isEmpty { object["headers"] = .object(headers.mapValues(JSONValue.string)) }
      if !item.dependsOn.isEmpty {
        object["dependsOn"] = .array(item.dependsOn.map(JSONValue.string))
      }
      requests.append(.object(object))
    }
    return .object(["requests": .array(requests)])
  }

  public static func request(_ items: [BatchItem]) throws(GraphError) -> GraphRequest {
    GraphRequest(
      method: .post, path: "/$batch", body: try envelope(items),
      headers: ["Content-Type": "application/json"], operation: "POST /$batch")
  }
}

/// One `responses[]` entry, a 2xx item's body decoded straight into `Body`; any other item's body
/// (Graph's error object) stays JSON.
public struct BatchItemReply<Body: Decodable & Sendable>: Decodable, Sendable {
  public var id: String
  public var status: Int
  public var headers: [String: String]
  /// The body of a 2xx item; nil for other statuses and for a 2xx item without a body.
  public var body: Body?
  /// The body of a non-2xx item (Graph's `error` object).
  public var errorBody: JSONValue?

  enum CodingKeys: String, CodingKey { case id, status, headers, body }

  public init(
    id: String, status: Int, headers: [String: String] = [:], body: Body? = nil,
    errorBody: JSONValue? = nil
  ) {
    self.id = id
    self.status = status
    self.headers = headers
    self.body = body
    self.errorBody = errorBody
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    id = try container.decode(String.self, forKey: .id)
    status = try container.decode(Int.self, forKey: .status)
    headers = try container.decodeIfPresent([String: String].self, forKey: .headers) ?? [:]
    if (200..<300).contains(status) {
      body = try container.decodeIfPresent(Body.self, forKey: .body)
    } else {
      errorBody = try container.decodeIfPresent(JSONValue.self, forKey: .body)
    }
  }

  /// Header lookup ignoring case (`Retry-After` vs `retry-after`).
  public func header(_ name: String) -> String? {
    headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
  }
}

extension BatchItemReply: Equatable where Body: Equatable {}

/// A batch item whose body is kept as JSON (writes, whose answers callers rarely read).
public typealias BatchItemResponse = BatchItemReply<JSONValue>

struct BatchResponseBody<Body: Decodable & Sendable>: Decodable {
  var responses: [BatchItemReply<Body>]
}
