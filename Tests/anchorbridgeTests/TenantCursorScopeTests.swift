import Foundation
import StateStore
import TestSupport
import Testing

@testable import anchorbridge

/// Issue 21: a stored delta cursor of another Graph host, tenant or app (or one that does not say)
/// is dropped with a warning and replaced by a full read, never a run that fails forever.
@Suite struct TenantCursorScopeTests {
  static let scope = CursorScope(
    graphRoot: "http://127.0.0.1:8443", tenant: "contoso.onmicrosoft.com",
    clientId: "11111111-2222-3333-4444-555555555555")

  @Test(arguments: [
    ("http://127.0.0.1:9443", scope.tenant, scope.clientId, "Graph host"),
    (scope.graphRoot, "fabrikam.onmicrosoft.com", scope.clientId, "tenant"),
    (scope.graphRoot, scope.tenant, "99999999-2222-3333-4444-555555555555", "application"),
  ])
  func aCursorOfAnotherConfigurationIsDroppedWithAWarning(
    graphRoot: String, tenant: String, clientId: String, named: String
  ) throws {
    let temp = try TemporaryDirectory()
    let path = temp.url.appendingPathComponent("cursor.json").path
    let cache = TenantCache(
      tenantId: "t", domains: [], roleHolders: [], deltaLink: Self.scope.graphRoot + "/delta",
      users: [], scope: Self.scope)
    try TenantCache.save(cache.cursor, path: path)
    var warnings: [String] = []
    #expect(TenantCache.loadCursor(path: path, fitting: Self.scope) { warnings.append($0) } != nil)
    #expect(warnings.isEmpty)
    let other = CursorScope(graphRoot: graphRoot, tenant: tenant, clientId: clientId)
    #expect(TenantCache.loadCursor(path: path, fitting: other) { warnings.append($0) } == nil)
    #expect(warnings.count == 1)
    #expect(warnings.first?.contains(named) == true, "\(warnings)")
    #expect(warnings.first?.contains("read in full") == true)
  }

  @Test func aCursorWithoutItsScopeIsDroppedWithAWarning() throws {
    let temp = try TemporaryDirectory()
    let path = temp.url.appendingPathComponent("cursor.json").path
    let old = TenantCache(
      tenantId: "t", domains: [], roleHolders: [], deltaLink: "http://x/delta", users: [])
    try TenantCache.save(old.cursor, path: path)
    var warnings: [String] = []
    #expect(TenantCache.loadCursor(path: path, fitting: Self.scope) { warnings.append($0) } == nil)
    #expect(warnings.count == 1)
  }
}

extension RunJobStepTests {
  /// The stuck-cron case: the cursor's deltaLink points at a host no longer configured.
  @Test func aCursorOfAnotherGraphHostIsReplacedByAFullRead() async throws {
    try await withTenant { job, client, tenant in
      var cache = try #require(try await job.refreshTenant(tenant, client: client).cache)
      let scope = try #require(cache.cursor.scope)
      try cache.save(cursorPath: job.tenantCursorPath, usersPath: job.tenantUsersPath)
      #expect(try await job.refreshTenant(tenant, client: client).read.mode == "delta")

      cache.cursor.scope?.graphRoot = "http://127.0.0.1:1"
      cache.cursor.deltaLink = "http://127.0.0.1:1/v1.0/users/delta?$deltatoken=old"
      try cache.save(cursorPath: job.tenantCursorPath, usersPath: job.tenantUsersPath)
      let moved = try await job.refreshTenant(tenant, client: client)
      #expect(moved.read.mode == "full")
      #expect(moved.cursor?.scope == scope)

      cache.cursor.scope = nil
      try cache.save(cursorPath: job.tenantCursorPath, usersPath: job.tenantUsersPath)
      #expect(try await job.refreshTenant(tenant, client: client).read.mode == "full")
    }
  }
}
