import Foundation

/// The fate of one batch item after all retries.
public typealias BatchResult = Result<BatchItemResponse, GraphError>

/// The fate of one batch item whose 2xx body decodes as `Body`.
public typealias BatchReplyResult<Body: Decodable & Sendable> = Result<
  BatchItemReply<Body>, GraphError
>

extension GraphClient {
  /// Sends up to 20 items in one `$batch` and settles each: 2xx kept; a 429 item retried alone
  /// after its own `Retry-After`; a 5xx item retried alone with backoff (if repeating it is
  /// safe); a 424 item retried once everything it depends on succeeded, else failed. The
  /// envelope's own 429/5xx are retried by `send`. Results are keyed by item id.
  public func batch(_ items: [BatchItem]) async throws -> [String: BatchResult] {
    try await batch(items, decoding: JSONValue.self)
  }

  /// `batch(_:)` with each 2xx item's body decoded as `Body` (a body that isn't one fails the
  /// whole envelope's decoding).
  public func batch<Body: Decodable & Sendable>(_ items: [BatchItem], decoding: Body.Type)
    async throws -> [String: BatchReplyResult<Body>]
  {
    let request = try BatchWire.request(items)
    let cost = items.reduce(0) { $0 + $1.request.writeCost }
    let response = try await send(
      request, writeCost: cost, idempotent: items.allSatisfy(\.request.isIdempotent))
    let envelope = try response.decode(
      BatchResponseBody<Body>.self, operation: request.operation)
    var byID: [String: BatchItemReply<Body>] = [:]
    for item in envelope.responses { byID[item.id.lowercased()] = item }

    var results: [String: BatchReplyResult<Body>] = [:]
    var retryAlone: [(BatchItem, Double)] = []
    var dependents: [BatchItem] = []
    var longestRetryAfter: Double?
    for (index, item) in items.enumerated() {
      guard let answer = byID[item.id.lowercased()] else {
        results[item.id] = .failure(
          GraphError(
            kind: .invalidResponse, message: "$batch response has no entry for id \(item.id)",
            requestID: response.requestID, clientRequestID: response.clientRequestID,
            operation: item.request.operation))
        continue
      }
      switch answer.status {
      case 200..<300:
        results[item.id] = .success(answer)
      case 429:
        let wait =
          RetryAfter.seconds(from: answer.header("Retry-After"))
          ?? options.retry.backoff(retry: 1, unit: .random(in: 0..<1))
        longestRetryAfter = max(longestRetryAfter ?? 0, capped(wait, operation: request.operation))
        guard wait <= options.retry.maxRetryAfter else {
          // Not waited out, as `send` does for a whole request: the 429 is the item's answer.
          results[item.id] = .failure(itemError(answer, item: item, batch: response))
          continue
        }
        retryAlone.append((item, wait))
      case 500...504
      where answer.status != 501 && (answer.status == 503 || item.request.isIdempotent):
        let wait =
          RetryAfter.seconds(from: answer.header("Retry-After"))
          ?? options.retry.backoff(retry: 1 + index % 3, unit: .random(in: 0..<1))
        guard wait <= options.retry.maxRetryAfter else {
          results[item.id] = .failure(itemError(answer, item: item, batch: response))
          continue
        }
        retryAlone.append((item, wait))
      case 424 where !item.dependsOn.isEmpty:
        dependents.append(item)
      default:
        results[item.id] = .failure(itemError(answer, item: item, batch: response))
      }
    }
    if let longestRetryAfter, let limiter, cost > 0 {
      await limiter.throttled(retryAfter: longestRetryAfter)
    }
    if !retryAlone.isEmpty {
      logger.notice(
        "retrying batch items alone",
        metadata: [
          "count": "\(retryAlone.count)", "batchClientRequestId": "\(response.clientRequestID)",
          "longestWaitSeconds": "\(retryAlone.map(\.1).max() ?? 0)",
        ])
    }
    for (id, result) in await sendAlone(retryAlone, decoding: Body.self) { results[id] = result }
    // Dependents run in rounds: those whose dependencies all succeeded go next; those with a
    // failed dependency fail with 424 themselves.
    while true {
      settle(dependents, into: &results)
      let ready = readyDependents(dependents, results)
      guard !ready.isEmpty else { break }
      for (id, result) in await sendAlone(ready, decoding: Body.self) { results[id] = result }
    }
    for item in dependents where results[item.id] == nil {
      results[item.id] = .failure(
        GraphError(
          kind: .service, status: 424, code: "failedDependency",
          message: "not run: its dependencies never completed", operation: item.request.operation))
    }
    return results
  }

  /// Sends each item as its own request after its delay, all concurrently. A body that doesn't
  /// decode as `Body` is left out (a read then finds no body; a write needs none).
  private func sendAlone<Body: Decodable & Sendable>(
    _ items: [(BatchItem, Double)], decoding: Body.Type
  ) async -> [(
    String, BatchReplyResult<Body>
  )] {
    await withTaskGroup(of: (String, BatchReplyResult<Body>).self) { group in
      for (item, delay) in items {
        group.addTask {
          do {
            try await self.pause(min(delay, self.options.retry.maxRetryAfter))
            let answer = try await self.send(item.request)
            let body =
              answer.body.isEmpty
              ? nil : try? JSONDecoder().decode(Body.self, from: answer.body)
            var headers: [String: String] = [:]
            for (name, value) in answer.headers { headers[name] = value }
            return (
              item.id,
              .success(
                BatchItemReply(id: item.id, status: answer.status, headers: headers, body: body))
            )
          } catch let error as GraphError {
            return (item.id, .failure(error))
          } catch {
            return (
              item.id,
              .failure(
                GraphError(kind: .transport, message: "\(error)", operation: item.request.operation)
              )
            )
          }
        }
      }
      var out: [(String, BatchReplyResult<Body>)] = []
      for await result in group { out.append(result) }
      return out
    }
  }

  /// Fails every 424 item one of whose dependencies failed (transitively).
  private func settle<Body>(
    _ dependents: [BatchItem], into results: inout [String: BatchReplyResult<Body>]
  ) {
    var changed = true
    while changed {
      changed = false
      for item in dependents where results[item.id] == nil {
        let failed = item.dependsOn.first { dependency in
          guard
            let result = results.first(where: { $0.key.lowercased() == dependency.lowercased() })?
              .value
          else { return false }
          if case .failure = result { return true }
          return false
        }
        if let failed {
          results[item.id] = .failure(
            GraphError(
              kind: .service, status: 424, code: "failedDependency",
              message: "not run: the request it depends on (id \(failed)) failed",
              operation: item.request.operation))
          changed = true
        }
      }
    }
  }

  /// Unsettled 424 items whose dependencies have all succeeded.
  private func readyDependents<Body>(
    _ dependents: [BatchItem], _ results: [String: BatchReplyResult<Body>]
  )
    -> [(BatchItem, Double)]
  {
    var succeeded = Set<String>()
    for (id, result) in results {
      if case .success = result { succeeded.insert(id.lowercased()) }
    }
    return dependents.filter { item in
      results[item.id] == nil && item.dependsOn.allSatisfy { succeeded.contains($0.lowercased()) }
    }.map { ($0, 0) }
  }

  func itemError<Body>(_ answer: BatchItemReply<Body>, item: BatchItem, batch: GraphResponse)
    -> GraphError
  {
    var error = Self.serviceError(
      status: answer.status, headers: answer.headers,
      body: answer.errorBody.map { $0.encoded() } ?? Data(), clientRequestID: batch.clientRequestID,
      operation: item.request.operation)
    if error.requestID == nil { error.requestID = batch.requestID }
    return error
  }
}
