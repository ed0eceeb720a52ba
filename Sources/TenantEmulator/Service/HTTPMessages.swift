import Foundation

/// One HTTP request as the server hands it to the service (transport-neutral).
struct EmulatorHTTPRequest: Sendable {
  var method: String
  /// Path and query as sent, e.g. `/v1.0/users?$top=5`.
  var target: String
  /// Header names lower-cased; repeated headers joined with ", ".
  var headers: [String: String]
  var body: Data

  var path: String {
    String(target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0])
  }

  var rawQuery: String {
    let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
    return parts.count > 1 ? String(parts[1]) : ""
  }
}

/// A complete HTTP response.
struct EmulatorHTTPResponse: Sendable {
  var status: Int
  var headers: [(String, String)]
  var body: Data
}

/// What the server must do with a request.
enum EmulatorAction: Sendable {
  case respond(EmulatorHTTPResponse, delay: Duration)
  /// Close the connection without answering.
  case reset
  /// Answer nothing; close after the given time (or at shutdown).
  case hold(Duration)
}

/// One entry of the request log. Secrets (client secrets, assertions, tokens) never appear.
public struct EmulatorRequestRecord: Sendable, Codable, Equatable {
  public var method: String
  /// Path and query, e.g. `/v1.0/users?$top=5`; for a `$batch` item, `/v1.0` + its url.
  public var target: String
  /// HTTP status sent, or nil when no response was sent (a fault).
  public var status: Int?
  /// Name of the injected fault, if any (`EmulatorFault.rawValue`), or "throttled".
  public var fault: String?
  public var time: Date
  /// Request body as text, with secrets replaced by `<redacted>`.
  public var body: String?
  /// For a `$batch` item: its `id` inside the batch.
  public var batchItemId: String?
}

/// A Graph-level answer before it is serialized; used both for top-level responses and for
/// `$batch` items.
struct GraphReply: Sendable {
  var status: Int
  var headers: [String: String] = [:]
  var body: JSONValue?

  static func json(_ body: JSONValue, status: Int = 200) -> GraphReply {
    GraphReply(status: status, body: body)
  }

  static let noContent = GraphReply(status: 204)
}

/// A Graph error answer: HTTP status, `error.code`, `error.message`.
struct GraphFailure: Error, Sendable {
  var status: Int
  var code: String
  var message: String
  var headers: [String: String] = [:]
  /// Extra members of `innerError` (the 429 body carries `code`, `message`, `status` there).
  var innerError: JSONObject = [:]

  static func badRequest(_ message: String, code: String = "Request_BadRequest") -> GraphFailure {
    GraphFailure(status: 400, code: code, message: message)
  }

  static func notFound(_ id: String) -> GraphFailure {
    GraphFailure(
      status: 404, code: "Request_ResourceNotFound",
      message:
        "Resource '\(id)' does not exist or one of its queried reference-property objects are not present."
    )
  }

  /// What Graph answers for a path segment it does not know.
  static func segmentNotFound(_ segment: String) -> GraphFailure {
    GraphFailure(
      status: 400, code: "BadRequest", message: "Resource not found for the segment '\(segment)'.")
  }

  static let insufficientPrivileges = GraphFailure(
    status: 403, code: "Authorization_RequestDenied",
    message: "Insufficient privileges to complete the operation.")

  static func invalidValue(_ property: String, _ resource: String) -> GraphFailure {
    .badRequest("Invalid value specified for property '\(property)' of resource '\(resource)'.")
  }

  static let malformedJSON = GraphFailure(
    status: 400, code: "BadRequest",
    message:
      "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."
  )

  static let syncedObject = GraphFailure.badRequest(
    "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration."
  )

  /// The reply with Graph's error body; ids are those of the enclosing HTTP request.
  func reply(requestId: String, clientRequestId: String, date: Date) -> GraphReply {
    var inner: JSONObject = innerError
    inner["date"] = .string(GraphClock.isoSeconds(date))
    inner["request-id"] = .string(requestId)
    inner["client-request-id"] = .string(clientRequestId)
    let error: JSONObject = [
      "code": .string(code), "message": .string(message), "innerError": .object(inner),
    ]
    var headers = self.headers
    headers["Content-Type"] = "application/json"
    return GraphReply(status: status, headers: headers, body: .object(["error": .object(error)]))
  }
}

enum GraphClock {
  /// `2021-05-03T18:43:52`, the format of innerError.date.
  static func isoSeconds(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [
      .withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate,
    ]
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date)
  }

  static func isoUTC(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: date)
  }
}

/// Query-string and form decoding. `+` decodes to a space, as ASP.NET (and Graph) decode it:
/// a client that does not percent-encode the `+` of a Base64 ImmutableID gets what Graph gives it.
enum FormDecoding {
  static func pairs(_ query: String) -> [(String, String)] {
    query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      let key = decode(String(parts[0]))
      let value = parts.count > 1 ? decode(String(parts[1])) : ""
      return (key, value)
    }
  }

  static func dictionary(_ query: String) -> [String: String] {
    var result: [String: String] = [:]
    for (key, value) in pairs(query) where result[key] == nil { result[key] = value }
    return result
  }

  static func decode(_ text: String) -> String {
    let spaced = text.replacingOccurrences(of: "+", with: " ")
    return spaced.removingPercentEncoding ?? spaced
  }

  /// Percent-decoding for path segments (`+` stays a plus there).
  static func decodeSegment(_ text: Substring) -> String {
    String(text).removingPercentEncoding ?? String(text)
  }

  static func encodeComponent(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~$,'()")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
  }
}
