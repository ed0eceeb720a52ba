import Foundation

/// The fate of one batch item after all retries.
public typealias BatchResult = Result<BatchItemResponse, GraphError>

extension GraphClient {
  /// Sends up to 20 items in one `$batch` and settles each: 2xx kept; a 429 item retried alone
  /// after its own `Retry-After`; a 5xx item retried alone with backoff (if repeating it is
  /// safe); a 424 item retried once everything it depends on succeeded, else failed. The
  /// envelope's own 429/5xx are retried by `send`. Results are keyed by item id.
  public func batch(_ items: [BatchItem]) async throws -> [String: BatchResult] {
    let request = try BatchWire.request(items)
    let cost = items.reduce(0) { $0 + $1.request.writeCost }
    let response = try await send(
      request, writeCost: cost, idempotent: items.allSatisfy(\.request.isIdempotent))
    let envelope = try response.decode(BatchResponseBody.self, operation: request.operation)
    var byID: [String: BatchItemResponse] = [:]
    for item in envelope.responses { byID[item.id.lowercased()] = item }

    var results: [String: BatchResult] = [:]
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
        longestRetryAfter = max(longestRetryAfter ?? 0, wait)
        retryAlone.append((item, wait))
      case 500...504
      where answer.status != 501 && (answer.status == 503 || item.request.isIdempotent):
        let wait =
          RetryAfter.seconds(from: answer.header("Retry-After"))
          ?? options.retry.backoff(retry: 1 + index % 3, unit: .random(in: 0..<1))
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
        ])
    }
    for (id, result) in await sendAlone(retryAlone) { results[id] = result }
    // Dependents run in rounds: those whose dependencies all succeeded go next; those with a
    // failed dependency fail with 424 themselves.
    while true {
      settle(dependents, into: &results)
      let ready = readyDependents(dependents, results)
      guard !ready.isEmpty else { break }
      for (id, result) in await sendAlone(ready) { results[id] = result }
    }
    for item in dependents where results[item.id] == nil {
      results[item.id] = .failure(
        GraphError(
          kind: .service, status: 424, code: "failedDependency",
          message: "not run: its dependencies never completed", operation: item.request.operation))
    }
    return results
  }

  /// Sends each item as its own request after its delay, all concurrently.
  private func sendAlone(_ items: [(BatchItem, Double)]) async -> [(String, BatchResult)] {
    await withTaskGroup(of: (String, BatchResult).self) { group in
      for (item, delay) in items {
        group.addTask {
          do {
            try await self.pause(min(delay, self.options.retry.maxRetryAfter))
            let answer = try await self.send(item.request)
            let body =
              answer.body.isEmpty
              ? nil : try? JSONDecoder().decode(JSONValue.self, from: answer.body)
            var headers: [String: String] = [:]
            for (name, value) in answer.headers { headers[name] = value }
            return (
              item.id,
              .success(
                BatchItemResponse(id: item.id, status: answer.status, headers: headers, body: body))
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
      var out: [(String, BatchResult)] = []
      for await result in group { out.append(result) }
      return out
    }
  }

  /// Fails every 424 item one of whose dependencies failed (transitively).
  private func settle(_ dependents: [BatchItem], into results: inout [String: BatchResult]) {
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
  private func readyDependents(_ dependents: [BatchItem], _ results: [String: BatchResult])
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

  func itemError(_ answer: BatchItemResponse, item: BatchItem, batch: GraphResponse) -> GraphError {
    var error = Self.serviceError(
      status: answer.status, headers: answer.headers,
      body: answer.body.map { $0.encoded() } ?? Data(), clientRequestID: batch.clientRequestID,
      operation: item.request.operation)
    if error.requestID == nil { error.requestID = batch.requestID }
    return error
  }
}
