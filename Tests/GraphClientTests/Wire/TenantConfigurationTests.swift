import Foundation
import Testing

@testable import GraphClient

@Suite("TenantConfiguration")
struct TenantConfigurationTests {
  static let tenantID = "11111111-2222-3333-4444-555555555555"
  static let clientID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"

  func configuration(
    tenant: String = tenantID, clientID: String = clientID,
    cloud: TenantConfiguration.Cloud = .global,
    authority: String? = nil, graph: String? = nil
  ) -> TenantConfiguration {
    TenantConfiguration(
      tenant: tenant, clientID: clientID, cloud: cloud, authorityHost: authority, graphHost: graph,
      credential: .clientSecret(.environment(name: "GRAPH_SECRET")))
  }

  @Test(
    "national clouds map to the documented hosts",
    arguments: [
      (
        TenantConfiguration.Cloud.global, "https://login.microsoftonline.com",
        "https://graph.microsoft.com"
      ),
      (.usgov, "https://login.microsoftonline.us", "https://graph.microsoft.us"),
      (.usgovdod, "https://login.microsoftonline.us", "https://dod-graph.microsoft.us"),
      (
        .china, "https://login.partner.microsoftonline.cn",
        "https://microsoftgraph.chinacloudapi.cn"
      ),
    ])
  func clouds(cloud: TenantConfiguration.Cloud, authority: String, graph: String) throws {
    let endpoints = try configuration(cloud: cloud).endpoints()
    #expect(endpoints.tokenURL == "\(authority)/\(Self.tenantID)/oauth2/v2.0/token")
    #expect(endpoints.apiBase == "\(graph)/v1.0")
    #expect(endpoints.scope == "\(graph)/.default")
  }

  @Test("cloud names parse; unknown names name the key")
  func cloudParsing() throws {
    #expect(try TenantConfiguration.Cloud(parsing: "USGovDoD") == .usgovdod)
    let error = #expect(throws: GraphError.self) { try TenantConfiguration.Cloud(parsing: "mars") }
    #expect(error?.code == "tenant.cloud")
    #expect(error?.message.contains("mars") == true)
  }

  @Test(
    "plain http is allowed only on loopback",
    arguments: [
      ("http://127.0.0.1:8080", true), ("http://127.200.3.4", true), ("http://localhost:99", true),
      ("http://[::1]:8443", true), ("https://emulator.example.com", true),
      ("http://10.0.0.5:8080", false), ("http://graph.example.com", false),
      ("http://127.0.0.1.evil.com", false), ("http://128.0.0.1", false), ("ftp://127.0.0.1", false),
      ("http://127.0.0.1:8080/v1.0", false), ("not a url", false),
    ])
  func loopbackRule(url: String, allowed: Bool) throws {
    let result = Result { try configuration(authority: url, graph: url).endpoints() }
    switch result {
    case .success(let endpoints):
      #expect(allowed, "\(url) should have been refused")
      #expect(
        endpoints.graphRoot.hasPrefix(url.lowercased().hasPrefix("https") ? "https://" : "http://"))
    case .failure(let error):
      #expect(!allowed, "\(url) should have been accepted: \(error)")
      let graphError = try #require(error as? GraphError)
      #expect(graphError.kind == .configuration)
      #expect(graphError.code == "tenant.authorityHost")
      #expect(graphError.message.contains(url))
    }
  }

  @Test("override hosts replace the cloud's and keep their port")
  func overrides() throws {
    let endpoints = try configuration(
      tenant: "contoso.onmicrosoft.com", authority: "http://127.0.0.1:4000/",
      graph: "http://127.0.0.1:4000"
    ).endpoints()
    #expect(endpoints.tokenURL == "http://127.0.0.1:4000/contoso.onmicrosoft.com/oauth2/v2.0/token")
    #expect(endpoints.apiBase == "http://127.0.0.1:4000/v1.0")
  }

  @Test(
    "bad ids are refused with the key and the value",
    arguments: [
      ("contoso", clientID, "tenant.id"), ("a b.com", clientID, "tenant.id"),
      (tenantID, "my-app", "tenant.clientId"), (tenantID, "", "tenant.clientId"),
    ])
  func badIDs(tenant: String, clientID: String, key: String) {
    let error = #expect(throws: GraphError.self) {
      try configuration(tenant: tenant, clientID: clientID).endpoints()
    }
    #expect(error?.code == key)
    #expect(error?.message.contains("\"\(key == "tenant.id" ? tenant : clientID)\"") == true)
  }

  @Test("an http graph host outside loopback names tenant.graphHost")
  func graphHostKey() {
    let error = #expect(throws: GraphError.self) {
      try configuration(graph: "http://192.168.1.10:8080").endpoints()
    }
    #expect(error?.code == "tenant.graphHost")
    #expect(error?.message.contains("http://192.168.1.10:8080") == true)
  }
}
