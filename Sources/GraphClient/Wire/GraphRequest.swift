import Foundation

/// One Graph call as a value: what the transport sends, and what `$batch` embeds.
public struct GraphRequest: Sendable, Equatable {
  public enum Method: String, Sendable, Equatable {
    case get = "GET"
    case post = "POST"
    case patch = "PATCH"
    case put = "PUT"
    case delete = "DELETE"
  }

  public var method: Method
  /// Relative to `/v1.0` (`/users/{id}?$select=...`), or an absolute `@odata.nextLink`.
  public var path: String
  public var body: JSONValue?
  /// Extra headers (e.g. `ConsistencyLevel`); auth and ids are added by the client.
  public var headers: [String: String]
  /// The operation with ids elided, for logs and errors: `PATCH /users/{id}`.
  public var operation: String

  public init(
    method: Method, path: String, body: JSONValue? = nil, headers: [String: String] = [:],
    operation: String
  ) {
    self.method = method
    self.path = path
    self.body = body
    self.headers = headers
    self.operation = operation
  }

  /// Writes the quota counts: every non-GET costs one (graph-facts §5); a `$batch` envelope
  /// costs what its items cost, which the batch code reserves itself.
  public var writeCost: Int { method == .get ? 0 : 1 }

  /// Safe to send twice: everything but POST (a create, or a `$ref` add).
  public var isIdempotent: Bool { method != .post }

  /// The body bytes: compact, sorted keys, `null` kept.
  public var bodyData: Data? { body?.encoded() }
}

/// Object ids as they go into URLs: checked, then percent-encoded.
public enum GraphObjectID {
  /// Groups, members, owners, role principals: a GUID.
  public static func directoryObject(_ id: String, what: String = "object id") throws(GraphError)
    -> String
  {
    guard TenantConfiguration.isGUID(id) else {
      throw .invalidInput(what, id, "expected a GUID")
    }
    return id.lowercased()
  }

  /// Users: a GUID or a userPrincipalName.
  public static func user(_ id: String) throws(GraphError) -> String {
    if TenantConfiguration.isGUID(id) { return id.lowercased() }
    let parts = id.split(separator: "@", omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty, TenantConfiguration.isDomainName(String(parts[1])),
      !id.unicodeScalars.contains(where: {
        $0.properties.isWhitespace || $0.value < 0x20 || $0 == "/"
      })
    else {
      throw .invalidInput("user id", id, "expected a GUID or a userPrincipalName (alias@domain)")
    }
    return OData.encodePathSegment(id)
  }
}
