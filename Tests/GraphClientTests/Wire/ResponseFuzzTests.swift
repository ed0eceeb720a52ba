import Foundation
import NIOHTTP1
import Testing

@testable import GraphClient

/// Whatever a server sends back, decoding it yields the value or a `GraphError` naming the
/// operation: mutated and truncated pages, batch envelopes and error bodies never crash the client.
@Suite("Fuzzed responses")
struct ResponseFuzzTests {
  static let samples: [String] = [
    #"{"@odata.nextLink":"https://graph.microsoft.com/v1.0/users?$skiptoken=X","value":[{"id":"00000000-0000-4000-8000-000000000001","userPrincipalName":"a@contoso.com","mail":null,"proxyAddresses":["SMTP:a@contoso.com"],"onPremisesImmutableId":"yYuRNW0Z6kCXeYidebdT8A==","onPremisesSyncEnabled":null,"accountEnabled":true}]}"#,
    #"{"responses":[{"id":"1","status":204,"headers":{"Retry-After":"2"}},{"id":"2","status":429,"body":{"error":{"code":"TooManyRequests","message":"slow down"}}}]}"#,
    #"{"@odata.deltaLink":"https://graph.microsoft.com/v1.0/users/delta?$deltatoken=Y","value":[{"id":"x","@removed":{"reason":"deleted"}},{"id":"y","members@delta":[{"id":"z","@removed":{}}]}]}"#,
  ]

  @Test(arguments: [61, 62, 63] as [UInt64])
  func mutatedBodiesDecodeOrFailWithGraphError(seed: UInt64) {
    var state = seed
    func next(_ bound: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(bound))
    }
    let pieces = Array(#"{}[]:,"\ 0aZ-.nulltrue"#.utf8) + [0x00, 0xff, 0xc3]
    for round in 0..<1_500 {
      var bytes = Array(Self.samples[round % Self.samples.count].utf8)
      if round % 3 == 0 {
        bytes.removeLast(next(bytes.count))
      } else {
        for _ in 0..<(1 + next(4)) {
          let index = next(bytes.count)
          if next(2) == 0 {
            bytes[index] = pieces[next(pieces.count)]
          } else {
            bytes.insert(pieces[next(pieces.count)], at: index)
          }
        }
      }
      let response = GraphResponse(
        status: 200, headers: HTTPHeaders(), body: Data(bytes), clientRequestID: "fuzz")
      for decode in [
        { _ = try response.decode(GraphPage<GraphUser>.self, operation: "GET /users") },
        { _ = try response.decode(BatchResponseBody<JSONValue>.self, operation: "POST /$batch") },
        { _ = try response.decode(BatchResponseBody<GraphUser>.self, operation: "POST /$batch") },
        {
          _ = try response.decode(
            GraphPage<DeltaEntry<GraphGroup>>.self, operation: "GET /groups/delta")
        },
      ] as [() throws -> Void] {
        do {
          try decode()
        } catch let error as GraphError {
          #expect(error.kind == .invalidResponse && error.operation != nil)
        } catch {
          Issue.record("round \(round): not a GraphError: \(error)")
        }
      }
      // An error body of any shape still gives a GraphError with the status.
      let error = GraphClient.serviceError(
        status: 400, headers: HTTPHeaders(), body: Data(bytes), clientRequestID: "fuzz",
        operation: "PATCH /users/{id}")
      #expect(error.status == 400)
    }
  }
}
