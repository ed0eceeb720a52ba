import Foundation
import TenantEmulator
import Testing

@Suite("JSON batching")
struct BatchTests {
  static func responses(_ reply: HTTPReply) -> [String: [String: Any]] {
    let list = reply.object["responses"] as? [[String: Any]] ?? []
    return Dictionary(uniqueKeysWithValues: list.map { ($0["id"] as! String, $0) })
  }

  static let json = ["Content-Type": "application/json"]

  @Test func mixedResultsAndAFailedDependency() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let reply = try await emulator.call(
        "POST", "/v1.0/$batch", token: token,
        json: [
          "requests": [
            ["id": "1", "method": "GET", "url": "/users/u-alice?$select=id,onPremisesImmutableId"],
            [
              "id": "2", "method": "PATCH", "url": "/users/u-bob", "headers": Self.json,
              "body": ["onPremisesImmutableId": ""],
            ],
            [
              "id": "3", "method": "PATCH", "url": "/users/u-bob", "headers": Self.json,
              "body": ["jobTitle": "never applied"], "dependsOn": ["2"],
            ],
            ["id": "4", "method": "GET", "url": "users/u-ghost"],
            [
              "id": "5", "method": "PATCH", "url": "/users/u-alice", "headers": Self.json,
              "body": ["jobTitle": "Batch Writer"],
            ],
          ]
        ])
      #expect(reply.status == 200)
      let items = Self.responses(reply)
      #expect(items.count == 5)
      #expect(items["1"]?["status"] as? Int == 200)
      #expect((items["1"]?["body"] as? [String: Any])?["id"] as? String == "u-alice")
      #expect(items["2"]?["status"] as? Int == 400)
      let error = (items["2"]?["body"] as? [String: Any])?["error"] as? [String: Any]
      #expect(error?["code"] as? String == "Request_BadRequest")
      #expect(items["3"]?["status"] as? Int == 424)
      #expect(items["4"]?["status"] as? Int == 404)
      #expect(items["5"]?["status"] as? Int == 204)
      #expect(items["5"]?["body"] == nil)
      #expect(try await emulator.storedUser("u-bob")["jobTitle"] == nil)
      #expect(try await emulator.storedUser("u-alice")["jobTitle"] as? String == "Batch Writer")
      let logged = await emulator.server.requestLog().filter { $0.batchItemId != nil }
      #expect(logged.count == 5)
    }
  }

  @Test func dependsOnRunsTheFederatedWorkaroundInOrder() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let anchor = "TmV3RGF2ZUFuY2hvcg=="
      // Listed out of order on purpose: dependsOn decides the order.
      let reply = try await emulator.call(
        "POST", "/v1.0/$batch", token: token,
        json: [
          "requests": [
            [
              "id": "back", "method": "PATCH", "url": "/users/u-dave", "headers": Self.json,
              "body": ["userPrincipalName": "dave@fabrikam.com", "onPremisesImmutableId": anchor],
              "dependsOn": ["clear"],
            ],
            [
              "id": "away", "method": "PATCH", "url": "/users/u-dave", "headers": Self.json,
              "body": ["userPrincipalName": "dave@contoso.onmicrosoft.com"],
            ],
            [
              "id": "clear", "method": "PATCH", "url": "/users/u-dave", "headers": Self.json,
              "body": ["onPremisesImmutableId": NSNull()], "dependsOn": ["away"],
            ],
          ]
        ])
      let items = Self.responses(reply)
      #expect(items.values.allSatisfy { $0["status"] as? Int == 204 }, "\(reply.text)")
      let dave = try await emulator.storedUser("u-dave")
      #expect(dave["userPrincipalName"] as? String == "dave@fabrikam.com")
      #expect(dave["onPremisesImmutableId"] as? String == anchor)
    }
  }

  static var malformed: [[String: Any]] {
    [
      ["requests": (1...21).map { ["id": "\($0)", "method": "GET", "url": "/users"] }],
      [
        "requests": [
          ["id": "a", "method": "GET", "url": "/users"],
          ["id": "A", "method": "GET", "url": "/users"],
        ]
      ],
      [
        "requests": [["id": "1", "method": "GET", "url": "https://graph.microsoft.com/v1.0/users"]]
      ],
      [
        "requests": [
          ["id": "1", "method": "PATCH", "url": "/users/u-bob", "body": ["jobTitle": "x"]]
        ]
      ],
      ["requests": [["id": "1", "method": "GET", "url": "/users", "dependsOn": ["9"]]]],
      ["requests": "not an array"],
    ]
  }

  @Test(arguments: 0..<6)
  func malformedBatchesFailAsAWhole(_ index: Int) async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let reply = try await emulator.call(
        "POST", "/v1.0/$batch", token: token, json: Self.malformed[index])
      #expect(reply.status == 400, "\(reply.text)")
      #expect(reply.errorCode == "BadRequest")
      #expect(try await emulator.storedUser("u-bob")["jobTitle"] == nil)
    }
  }

  @Test func throttledItemsGetTheirOwn429InsideA200Envelope() async throws {
    var options = EmulatorOptions()
    options.writeQuota = (count: 2, seconds: 30)
    try await Emulator.run(options: options) { emulator in
      let token = try await emulator.token()
      let requests: [[String: Any]] = ["u-alice", "u-bob", "u-carol", "u-frank"].enumerated().map {
        [
          "id": "\($0.offset + 1)", "method": "PATCH", "url": "/users/\($0.element)",
          "headers": Self.json, "body": ["department": "Throttled"],
        ]
      }
      let reply = try await emulator.call(
        "POST", "/v1.0/$batch", token: token, json: ["requests": requests])
      #expect(reply.status == 200)
      let items = Self.responses(reply)
      #expect(items["1"]?["status"] as? Int == 204 && items["2"]?["status"] as? Int == 204)
      for id in ["3", "4"] {
        #expect(items[id]?["status"] as? Int == 429)
        let headers = items[id]?["headers"] as? [String: Any]
        let retryAfter = Double(headers?["Retry-After"] as? String ?? "")
        #expect(retryAfter != nil && retryAfter! > 0 && retryAfter! <= 30)
        let error = (items[id]?["body"] as? [String: Any])?["error"] as? [String: Any]
        #expect(error?["code"] as? String == "TooManyRequests")
      }
      #expect(try await emulator.storedUser("u-carol")["department"] == nil)
      #expect(try await emulator.storedUser("u-frank")["department"] == nil)
      #expect(try await emulator.storedUser("u-bob")["department"] as? String == "Throttled")
    }
  }
}
