import Foundation
import NIOHTTP1
import Testing

@testable import GraphClient

@Suite("Response decoding")
struct ResponseDecodingTests {
  @Test("OData errors keep status, code and both request ids; the message is not parsed")
  func odataError() {
    let body = #"""
      {"error":{"code":"Request_BadRequest","message":"Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.","innerError":{"date":"2021-05-03T18:43:52","request-id":"94fb3b52-0000-4000-8000-000000000000","client-request-id":"c0ffee00-0000-4000-8000-000000000000"}}}
      """#
    let error = GraphClient.serviceError(
      status: 400, headers: HTTPHeaders(), body: Data(body.utf8), clientRequestID: "ignored",
      operation: "PATCH /users/{id}")
    #expect(error.kind == .service)
    #expect(error.status == 400)
    #expect(error.code == "Request_BadRequest")
    #expect(error.requestID == "94fb3b52-0000-4000-8000-000000000000")
    #expect(error.clientRequestID == "c0ffee00-0000-4000-8000-000000000000")
    #expect(error.description.contains("PATCH /users/{id} HTTP 400 Request_BadRequest"))
  }

  @Test("a non-JSON error body still yields status and reason")
  func plainError() {
    var headers = HTTPHeaders()
    headers.add(name: "request-id", value: "r-1")
    let error = GraphClient.serviceError(
      status: 503, headers: headers, body: Data("<html>".utf8), clientRequestID: "c-1",
      operation: "GET /users")
    #expect(error.status == 503)
    #expect(error.code == nil)
    #expect(error.requestID == "r-1")
    #expect(error.clientRequestID == "c-1")
  }

  @Test("pages carry nextLink/deltaLink; delta entries carry @removed and members@delta")
  func deltaPage() throws {
    let json = #"""
      {"@odata.context":"x","value":[
        {"id":"u1","userPrincipalName":"a@contoso.com","onPremisesImmutableId":null},
        {"id":"u2","@removed":{"reason":"deleted"}},
        {"id":"g1","displayName":"G","members@delta":[{"@odata.type":"#microsoft.graph.user","id":"u3"},{"@odata.type":"#microsoft.graph.user","id":"u4","@removed":"deleted"}]}
      ],"@odata.deltaLink":"https://graph.microsoft.com/v1.0/users/delta?$deltatoken=abc"}
      """#
    let users = try JSONDecoder().decode(
      GraphPage<DeltaEntry<GraphUser>>.self, from: Data(json.utf8))
    #expect(users.nextLink == nil)
    #expect(users.deltaLink == "https://graph.microsoft.com/v1.0/users/delta?$deltatoken=abc")
    #expect(users.value.map(\.object.id) == ["u1", "u2", "g1"])
    #expect(users.value.map(\.removedReason) == [nil, "deleted", nil])
    let groups = try JSONDecoder().decode(
      GraphPage<DeltaEntry<GraphGroup>>.self, from: Data(json.utf8))
    #expect(groups.value[2].memberChanges?.map(\.id) == ["u3", "u4"])
    #expect(groups.value[2].memberChanges?.map(\.removed) == [false, true])
  }

  @Test("token responses accept numeric and string expires_in; OAuth errors keep their code")
  func tokenBodies() throws {
    let numeric = try JSONDecoder().decode(
      TokenResponseBody.self,
      from: Data(#"{"token_type":"Bearer","expires_in":3599,"access_token":"eyJ"}"#.utf8))
    #expect(numeric.expiresIn == 3599)
    let text = try JSONDecoder().decode(
      TokenResponseBody.self, from: Data(#"{"expires_in":"3599","access_token":"eyJ"}"#.utf8))
    #expect(text.expiresIn == 3599)
    let refused = TokenProvider.authenticationError(
      TransportResponse(
        status: 401, headers: HTTPHeaders(),
        body: Data(
          #"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: x","error_codes":[7000215],"trace_id":"t-1","correlation_id":"c-1"}"#
            .utf8)))
    #expect(refused.kind == .authentication)
    #expect(refused.code == "invalid_client")
    #expect(refused.status == 401)
    #expect(refused.message == "AADSTS7000215: Invalid client secret provided. (AADSTS 7000215)")
  }

  @Test("delta resync is recognised by status or code")
  func resync() {
    #expect(GraphError(kind: .service, status: 410, message: "gone").requiresFullResync)
    #expect(
      GraphError(kind: .service, status: 400, code: "syncStateNotFound", message: "x")
        .requiresFullResync)
    #expect(
      !GraphError(kind: .service, status: 400, code: "Request_BadRequest", message: "x")
        .requiresFullResync)
  }
}
