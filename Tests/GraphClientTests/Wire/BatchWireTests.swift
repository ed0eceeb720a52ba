import Foundation
import Testing

@testable import GraphClient

@Suite("$batch wire")
struct BatchWireTests {
  static let user = "0f4c5a2e-8b1d-4e3a-9c7f-2d6e1b0a9f31"

  @Test("the envelope embeds bodies byte for byte, with Content-Type and dependsOn")
  func envelopeBytes() throws {
    let items = [
      BatchItem(
        id: "1", request: try GraphRequests.patchUser(Self.user, UserPatch(immutableID: .clear))),
      BatchItem(
        id: "2", request: try GraphRequests.user(Self.user, select: ["id"]), dependsOn: ["1"]),
    ]
    let text = String(decoding: try BatchWire.envelope(items).encoded(), as: UTF8.self)
    #expect(
      text
        == #"{"requests":[{"body":{"onPremisesImmutableId":null},"headers":{"Content-Type":"application/json"},"id":"1","method":"PATCH","url":"/users/\#(Self.user)"},"#
        + #"{"dependsOn":["1"],"id":"2","method":"GET","url":"/users/\#(Self.user)?$select=id"}]}"#)
  }

  @Test(
    "size, duplicate ids (case-insensitive), unknown dependencies and absolute URLs are refused")
  func validation() throws {
    let get = GraphRequests.listUsers()
    let twentyOne = (1...21).map { BatchItem(id: "\($0)", request: get) }
    #expect(throws: GraphError.self) { try BatchWire.envelope(twentyOne) }
    #expect(throws: GraphError.self) { try BatchWire.envelope([]) }
    #expect(throws: GraphError.self) {
      try BatchWire.envelope([BatchItem(id: "a", request: get), BatchItem(id: "A", request: get)])
    }
    #expect(throws: GraphError.self) {
      try BatchWire.envelope([BatchItem(id: "a", request: get, dependsOn: ["b"])])
    }
    #expect(throws: GraphError.self) {
      try BatchWire.envelope([
        BatchItem(
          id: "a",
          request: GraphRequests.link(
            "https://graph.microsoft.com/v1.0/users?$skiptoken=x", operation: "GET"))
      ])
    }
    #expect(try BatchWire.envelope((1...20).map { BatchItem(id: "\($0)", request: get) }) != .null)
  }

  @Test("responses decode with per-item headers, any header case")
  func responseDecoding() throws {
    let json = #"""
      {"responses":[
        {"id":"2","status":429,"headers":{"retry-after":"2.128"},"body":{"error":{"code":"TooManyRequests","message":"Please retry again later."}}},
        {"id":"1","status":204,"body":null},
        {"id":"3","status":424}
      ]}
      """#
    let decoded = try JSONDecoder().decode(
      BatchResponseBody<JSONValue>.self, from: Data(json.utf8))
    #expect(decoded.responses.map(\.id) == ["2", "1", "3"])
    #expect(decoded.responses[0].header("Retry-After") == "2.128")
    #expect(RetryAfter.seconds(from: decoded.responses[0].header("Retry-After")) == 2.128)
    let error = GraphClient.serviceError(
      status: 429, headers: decoded.responses[0].headers,
      body: decoded.responses[0].errorBody?.encoded() ?? Data(), clientRequestID: "c-1",
      operation: "PATCH /users/{id}")
    #expect(error.status == 429)
    #expect(error.code == "TooManyRequests")
    #expect(error.clientRequestID == "c-1")
  }

  @Test("a 2xx item's body decodes straight into its type; an error item's stays JSON")
  func typedResponseDecoding() throws {
    let json = #"""
      {"responses":[
        {"id":"1","status":200,"body":{"id":"u-1","userPrincipalName":"a@contoso.com","onPremisesImmutableId":"AAAA"}},
        {"id":"2","status":404,"body":{"error":{"code":"Request_ResourceNotFound","message":"gone"}}},
        {"id":"3","status":204}
      ]}
      """#
    let decoded = try JSONDecoder().decode(
      BatchResponseBody<GraphUser>.self, from: Data(json.utf8))
    let user = try #require(decoded.responses[0].body)
    #expect(user.id == "u-1")
    #expect(user.userPrincipalName == "a@contoso.com")
    #expect(user.onPremisesImmutableId == "AAAA")
    #expect(decoded.responses[0].errorBody == nil)
    #expect(decoded.responses[1].body == nil)
    #expect(
      decoded.responses[1].errorBody?["error"]?["code"]?.stringValue == "Request_ResourceNotFound")
    #expect(decoded.responses[2].body == nil)
    #expect(decoded.responses[2].errorBody == nil)
  }

  @Test("a 2xx item whose body is not the type fails the decoding")
  func typedResponseMismatch() {
    let json = #"{"responses":[{"id":"1","status":200,"body":{"userPrincipalName":"no id"}}]}"#
    #expect(throws: DecodingError.self) {
      _ = try JSONDecoder().decode(BatchResponseBody<GraphUser>.self, from: Data(json.utf8))
    }
  }
}
