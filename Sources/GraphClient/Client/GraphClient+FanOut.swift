extension GraphClient {
  /// `items` in chunks of at most `size`, in order.
  static func chunks<Item>(_ items: [Item], of size: Int = BatchWire.maxItems) -> [[Item]] {
    stride(from: 0, to: items.count, by: size).map {
      Array(items[$0..<min($0 + size, items.count)])
    }
  }

  /// Runs `work` on every chunk, at most `concurrency` chunks in flight (the `$batch` fan-out of
  /// bulk reads and writes); the outputs come back in chunk order. The first error thrown cancels
  /// the rest and is rethrown.
  func fanOut<Chunk: Sendable, Output: Sendable>(
    _ chunks: [Chunk], concurrency: Int, _ work: @escaping @Sendable (Chunk) async throws -> Output
  ) async throws -> [Output] {
    var outputs: [(index: Int, output: Output)] = []
    try await withThrowingTaskGroup(of: (Int, Output).self) { group in
      var next = 0
      func launch() {
        let index = next
        let chunk = chunks[index]
        next += 1
        group.addTask { (index, try await work(chunk)) }
      }
      while next < chunks.count, next < max(1, concurrency) { launch() }
      while let (index, output) = try await group.next() {
        outputs.append((index, output))
        if next < chunks.count { launch() }
      }
    }
    return outputs.sorted { $0.index < $1.index }.map(\.output)
  }
}
