import Foundation

extension GraphService {
  /// `POST /$batch`: at most 20 items with unique ids and relative urls. Items run one by one
  /// (in `dependsOn` order); each counts against the write quota on its own, so a throttled item
  /// gets its own 429 + Retry-After while the envelope stays 200.
  func batch(_ envelope: GraphCall, requestId: String, clientRequestId: String, now: Date)
    throws -> GraphReply
  {
    func malformed(_ message: String) -> GraphFailure {
      GraphFailure(status: 400, code: "BadRequest", message: message)
    }
    guard let requests = try envelope.jsonObject(type: nil)["requests"]?.arrayValue else {
      throw malformed("Invalid batch payload format: 'requests' must be an array.")
    }
    guard !requests.isEmpty else { throw malformed("Invalid batch payload format: no requests.") }
    guard requests.count <= 20 else {
      throw malformed("Invalid batch payload format: batch contains more than 20 requests.")
    }
    struct Item {
      let id: String
      let method: String
      let url: String
      let headers: [String: String]
      let body: JSONValue?
      let dependsOn: [String]
    }
    var items: [Item] = []
    var seen = Set<String>()
    for (position, value) in requests.enumerated() {
      guard let object = value.objectValue, let id = object.string("id"), !id.isEmpty,
        let method = object.string("method"), let url = object.string("url")
      else {
        throw malformed(
          "Invalid batch payload format: request \(position) needs id, method and url.")
      }
      guard seen.insert(id.lowercased()).inserted else {
        throw malformed("Invalid batch payload format: duplicate request id '\(id)'.")
      }
      guard !url.lowercased().hasPrefix("http"), !url.hasPrefix("//") else {
        throw malformed("Invalid batch payload format: request '\(id)' must use a relative url.")
      }
      var headers: [String: String] = [:]
      for (name, header) in object["headers"]?.objectValue ?? [:] {
        headers[name.lowercased()] = header.stringValue ?? ""
      }
      let body = object["body"]
      if body != nil, headers["content-type"] == nil {
        throw malformed(
          "Invalid batch payload format: request '\(id)' has a body but no Content-Type header.")
      }
      items.append(
        Item(
          id: id, method: method.uppercased(), url: url, headers: headers, body: body,
          dependsOn: object["dependsOn"]?.stringArray ?? []))
    }
    for item in items {
      for dependency in item.dependsOn where !seen.contains(dependency.lowercased()) {
        throw malformed(
          "Invalid batch payload format: '\(item.id)' depends on unknown '\(dependency)'.")
      }
    }

    var statuses: [String: Int] = [:]
    var responses: [JSONValue] = []
    var pending = items
    while !pending.isEmpty {
      guard
        let next = pending.firstIndex(where: { item in
          item.dependsOn.allSatisfy { statuses[$0.lowercased()] != nil }
        })
      else { throw malformed("Invalid batch payload format: dependsOn forms a cycle.") }
      let item = pending.remove(at: next)
      let reply: GraphReply
      if item.dependsOn.contains(where: { (statuses[$0.lowercased()] ?? 0) >= 400 }) {
        reply = GraphFailure(
          status: 424, code: "FailedDependency",
          message: "The request failed because a request it depends on failed."
        ).reply(requestId: requestId, clientRequestId: clientRequestId, date: now)
      } else {
        reply = runItem(
          envelope, method: item.method, url: item.url, headers: item.headers, body: item.body,
          requestId: requestId, clientRequestId: clientRequestId, now: now)
      }
      statuses[item.id.lowercased()] = reply.status
      log.append(
        EmulatorRequestRecord(
          method: item.method, target: "/v1.0" + (item.url.hasPrefix("/") ? "" : "/") + item.url,
          status: reply.status, fault: reply.status == 429 ? "throttled" : nil, time: now,
          body: item.body.map { String(decoding: JSONCoding.encode($0), as: UTF8.self) },
          batchItemId: item.id))
      var entry: JSONObject = ["id": .string(item.id), "status": .number(Double(reply.status))]
      var headers = reply.headers
      if reply.body != nil, headers["Content-Type"] == nil {
        headers["Content-Type"] = "application/json"
      }
      entry["headers"] = .object(headers.mapValues { .string($0) })
      if let body = reply.body { entry["body"] = body }
      responses.append(.object(entry))
    }
    return .json(.object(["responses": .array(responses)]))
  }

  private func runItem(
    _ envelope: GraphCall, method: String, url: String, headers: [String: String],
    body: JSONValue?, requestId: String, clientRequestId: String, now: Date
  ) -> GraphReply {
    let relative = url.hasPrefix("/") ? String(url.dropFirst()) : url
    let parts = relative.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
    let query = parts.count > 1 ? String(parts[1]) : ""
    var segments = parts[0].split(separator: "/").map { FormDecoding.decodeSegment($0) }
    if segments.first == "v1.0" { segments.removeFirst() }
    let call = GraphCall(
      method: method, segments: segments, query: FormDecoding.dictionary(query),
      queryPairs: FormDecoding.pairs(query), headers: headers,
      body: body.map { JSONCoding.encode($0) } ?? Data(), app: envelope.app,
      token: envelope.token)
    do {
      if segments == ["$batch"] {
        throw GraphFailure(
          status: 400, code: "BadRequest", message: "Nested batches are not allowed.")
      }
      return try admitAndRoute(call)
    } catch let failure as GraphFailure {
      return failure.reply(requestId: requestId, clientRequestId: clientRequestId, date: now)
    } catch {
      return GraphFailure(status: 500, code: "generalException", message: "\(error)")
        .reply(requestId: requestId, clientRequestId: clientRequestId, date: now)
    }
  }
}
