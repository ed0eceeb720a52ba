import AnchorCore
import Dispatch

/// One journaled item the engine works on.
struct WorkItem: Sendable {
  var seq: Int
  /// The object the port addresses (cloud user id, or DN for a writeback).
  var targetId: String
  var steps: [JournalStep]
  /// The next step to write; nil once the item has an outcome.
  var next: Int?
  /// A step of this item was attempted before (an interrupted run): reaching the final state
  /// then means `applied`, not `unchanged`.
  var startedBefore: Bool

  init(_ item: JournalItem) {
    seq = item.seq
    targetId = item.targetId
    steps = item.steps
    next = nil
    startedBefore = item.steps.contains { $0.status != .planned }
  }
}

extension PlanExecutor {
  /// Executes the items' steps in waves of `waveSize`: position every item by its current state,
  /// then rounds of intent → write → done/failed → read-back, each journaled before the next.
  func execute(run id: String, items: [WorkItem]) async throws {
    var start = 0
    while start < items.count {
      var wave = Array(items[start..<min(start + options.waveSize, items.count)])
      start += options.waveSize
      try await position(&wave, run: id)
      while true {
        let active = wave.indices.filter { wave[$0].next != nil }
        if active.isEmpty { break }
        try await round(&wave, active: active, run: id)
      }
    }
  }

  func crash(_ point: CrashPoint) throws {
    try options.crashHook?(point)
  }

  func journaled<T>(_ body: () throws(JournalError) -> T) throws(ExecutorError) -> T {
    do { return try body() } catch { throw .journal(error) }
  }

  /// A journal commit (fsync'd: it blocks for as long as the disk takes) on the journal's own
  /// thread, never on Swift's cooperative pool, whose few threads every other task needs. The
  /// caller waits, so an intent is durable before the remote write.
  func journaledCommit(_ body: @escaping @Sendable () throws(JournalError) -> Void)
    async throws(ExecutorError)
  {
    let result: Result<Void, JournalError> = await withCheckedContinuation { continuation in
      Self.journalQueue.async {
        do throws(JournalError) {
          try body()
          continuation.resume(returning: .success(()))
        } catch {
          continuation.resume(returning: .failure(error))
        }
      }
    }
    if case .failure(let error) = result { throw .journal(error) }
  }

  /// One serial thread for every journal commit of the process.
  static let journalQueue = DispatchQueue(label: "anchorbridge.journal")

  func read(_ ids: [String]) async throws(ExecutorError) -> [String: CloudUserState] {
    guard !ids.isEmpty else { return [:] }
    do { return try await port.readUsers(ids: ids) } catch { throw .port(error) }
  }

  /// Position by state, not by memory: the final state means done; otherwise the highest step whose
  /// expectation is the current state is where the item (re)starts; no match is stale.
  private func position(_ wave: inout [WorkItem], run id: String) async throws {
    let states = try await read(wave.map(\.targetId))
    var outcomes: [OutcomeUpdate] = []
    var steps: [StepUpdate] = []
    for index in wave.indices {
      let item = wave[index]
      guard let last = item.steps.last else { continue }
      guard let state = states[item.targetId]?.image else {
        outcomes.append(
          OutcomeUpdate(
            seq: item.seq, outcome: .notFound,
            detail: "the \(options.planKind.targetNoun) \(item.targetId) no longer exists"))
        continue
      }
      let reached: Int?
      if StepState.matches(state, last.after) {
        reached = item.steps.count
      } else {
        reached = item.steps.indices.last { StepState.matches(state, item.steps[$0].expect) }
      }
      guard let reached else {
        let first = item.steps.first { !$0.wasWritten } ?? item.steps[0]
        outcomes.append(
          OutcomeUpdate(
            seq: item.seq, outcome: .stale,
            detail:
              "stale: the plan expects \(StepState.describe(first.expect)), the tenant has \(StepState.describe(state))"
          ))
        continue
      }
      // Steps attempted by an interrupted run that the state shows did take.
      for step in item.steps[..<reached] where step.status == .intent {
        steps.append(StepUpdate(seq: item.seq, index: step.index, status: .verified))
        wave[index].steps[step.index].status = .verified
      }
      if reached == item.steps.count {
        outcomes.append(
          item.startedBefore
            ? Self.finished(wave[index])
            : OutcomeUpdate(seq: item.seq, outcome: .unchanged))
      } else {
        wave[index].next = reached
      }
    }
    try await journaledCommit { [journal, options, steps, outcomes] () throws(JournalError) in
      try journal.record(run: id, steps: steps, outcomes: outcomes, at: options.now())
    }
  }

  /// One step of every active item: intent (durable) → write → done/failed → read back.
  private func round(_ wave: inout [WorkItem], active: [Int], run id: String) async throws {
    let changes = active.map { index in
      StepState.change(userId: wave[index].targetId, step: wave[index].steps[wave[index].next!])
    }
    let intents = active.map {
      StepUpdate(seq: wave[$0].seq, index: wave[$0].next!, status: .intent)
    }
    try await journaledCommit { [journal, options] () throws(JournalError) in
      try journal.record(run: id, steps: intents, outcomes: [], at: options.now())
    }
    try crash(.afterIntent)

    let results: [WriteOutcome]
    do {
      results = try await port.write(changes)
      guard results.count == changes.count else {
        throw TenantPortError(
          refusal: "the port returned \(results.count) results for \(changes.count) changes")
      }
    } catch {
      // Whether any of them took is unknown: the intents stay, the run stays `running`, and the
      // next apply or rollback recovers these items from the tenant's state.
      throw ExecutorError.port(error)
    }
    try crash(.afterWrite)

    var record = RoundRecord()
    var written: [Int] = []
    var unclear: [Int: String] = [:]
    for (position, index) in active.enumerated() {
      let item = wave[index]
      switch results[position] {
      case .applied:
        record.steps.append(StepUpdate(seq: item.seq, index: item.next!, status: .done))
        written.append(index)
      case .refused(let error):
        // Refused: the user is still where the step expected it.
        let step = item.steps[item.next!]
        fail(&wave[index], at: step.expect, error.description, into: &record)
      case .unknown(let error):
        // The intent stays until the read-back shows what happened.
        unclear[index] = error.description
        written.append(index)
      }
    }
    try await journaledCommit { [journal, options, record] () throws(JournalError) in
      try journal.record(
        run: id, steps: record.steps, outcomes: record.outcomes, added: record.added,
        at: options.now())
    }
    try crash(.afterDone)

    try await verify(&wave, written: written, unclear: unclear, run: id)
    try crash(.afterVerify)
  }

  /// Reads back what the tenant accepted, and what it answered unclearly: a write that did not
  /// take is a failure (the `$null` trap), an unclear one is journaled as what the read shows.
  private func verify(
    _ wave: inout [WorkItem], written: [Int], unclear: [Int: String], run id: String
  ) async throws {
    var states = try await read(written.map { wave[$0].targetId })
    for _ in 0..<options.readBackRetries {
      let lagging = written.filter { index in
        let item = wave[index]
        guard let state = states[item.targetId]?.image else { return true }
        return !StepState.matches(state, item.steps[item.next!].after)
      }
      if lagging.isEmpty { break }
      try await Task.sleep(for: options.readBackDelay)
      for (id, state) in try await read(lagging.map { wave[$0].targetId }) { states[id] = state }
    }
    var record = RoundRecord()
    for index in written {
      let item = wave[index]
      let step = item.steps[item.next!]
      guard let state = states[item.targetId]?.image else {
        let text = "read back: the \(options.planKind.targetNoun) \(item.targetId) no longer exists"
        record.steps.append(
          StepUpdate(seq: item.seq, index: step.index, status: .failed, error: text))
        record.outcomes.append(
          OutcomeUpdate(seq: item.seq, outcome: .notFound, detail: text))
        wave[index].next = nil
        continue
      }
      if StepState.matches(state, step.after) {
        record.steps.append(StepUpdate(seq: item.seq, index: step.index, status: .verified))
        wave[index].steps[step.index].status = .verified
        if step.index + 1 == item.steps.count {
          record.outcomes.append(Self.finished(wave[index]))
          wave[index].next = nil
        } else {
          wave[index].next = step.index + 1
        }
      } else if let answer = unclear[index] {
        let found =
          StepState.matches(state, step.expect)
          ? "not applied" : StepState.difference(found: state, wanted: step.after)
        fail(
          &wave[index], at: state, "outcome unclear (\(answer)); read back: \(found)", into: &record
        )
      } else {
        let text =
          "accepted but did not take: " + StepState.difference(found: state, wanted: step.after)
        fail(&wave[index], at: state, text, into: &record)
      }
    }
    try await journaledCommit { [journal, options, record] () throws(JournalError) in
      try journal.record(
        run: id, steps: record.steps, outcomes: record.outcomes, added: record.added,
        at: options.now())
    }
  }
}
