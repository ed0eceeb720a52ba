/// One user write of a bulk run.
public struct UserWrite: Sendable, Hashable {
  public var userID: String
  public var patch: UserPatch

  public init(userID: String, patch: UserPatch) {
    self.userID = userID
    self.patch = patch
  }
}

/// What happened to one `UserWrite`.
public struct UserWriteOutcome: Sendable {
  public var write: UserWrite
  public var result: Result<Void, GraphError>
}

extension GraphClient {
  /// Applies many user PATCHes as `$batch` requests of 20, `concurrency` batches in flight.
  /// Every item passes the shared write limiter, so the run stays inside the write quota;
  /// throttled items are retried alone after their `Retry-After`. One outcome per write, in
  /// input order; nothing throws except cancellation.
  public func patchUsers(_ writes: [UserWrite], concurrency: Int = 4) async throws
    -> [UserWriteOutcome]
  {
    var outcomes = [Result<Void, GraphError>?](repeating: nil, count: writes.count)
    var chunks: [[(index: Int, item: BatchItem)]] = []
    var current: [(index: Int, item: BatchItem)] = []
    for (index, write) in writes.enumerated() {
      do {
        let request = try GraphRequests.patchUser(write.userID, write.patch)
        current.append((index, BatchItem(id: String(current.count + 1), request: request)))
        if current.count == BatchWire.maxItems {
          chunks.append(current)
          current = []
        }
      } catch {
        // `patchUser` throws only GraphError (typed), so `error` is one.
        outcomes[index] = .failure(error)
      }
    }
    if !current.isEmpty { chunks.append(current) }

    let settled = try await fanOut(chunks, concurrency: concurrency) { chunk in
      await self.runChunk(chunk)
    }
    for (index, result) in settled.joined() { outcomes[index] = result }
    return zip(writes, outcomes).map { write, result in
      UserWriteOutcome(
        write: write,
        result: result
          ?? .failure(GraphError(kind: .invalidResponse, message: "no outcome recorded")))
    }
  }

  private func runChunk(_ chunk: [(index: Int, item: BatchItem)]) async -> [(
    Int, Result<Void, GraphError>
  )] {
    do {
      let results = try await batch(chunk.map(\.item))
      return chunk.map { entry in
        switch results[entry.item.id] {
        case .success: (entry.index, .success(()))
        case .failure(let error): (entry.index, .failure(error))
        case nil:
          (entry.index, .failure(GraphError(kind: .invalidResponse, message: "no batch result")))
        }
      }
    } catch {
      let graphError =
        error as? GraphError
        ?? GraphError(kind: .transport, message: "\(error)", operation: "POST /$batch")
      return chunk.map { ($0.index, .failure(graphError)) }
    }
  }

  /// The same writes one PATCH at a time, for comparison (and for callers that want no batching).
  public func patchUsersSequentially(_ writes: [UserWrite]) async throws -> [UserWriteOutcome] {
    var outcomes: [UserWriteOutcome] = []
    for write in writes {
      try Task.checkCancellation()
      do {
        try await patchUser(write.userID, write.patch)
        outcomes.append(UserWriteOutcome(write: write, result: .success(())))
      } catch let error as GraphError {
        outcomes.append(UserWriteOutcome(write: write, result: .failure(error)))
      }
    }
    return outcomes
  }
}
