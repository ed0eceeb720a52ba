import ActiveDirectory
import Foundation
import GraphClient
import Logging
import PlanExecutor
import StateStore
import TenantEmulator
import TestSupport
import Testing

@testable import anchorbridge

/// `run`'s steps that need no directory: the shortcut rule, and reading the tenant by delta from
/// the stored cursor, against an emulator in this process.
@Suite struct RunJobStepTests {
  static let day: Double = 24 * 3600

  @Test(arguments: [
    (Int32?(0), Double?(100), 100 + day - 1, true),
    (5, 100, 200, true),
    (0, 100, 100 + day, false),
    (4, 100, 200, false),
    (3, 100, 200, false),
    (nil, 100, 200, false),
    (0, nil, 200, false),
  ])
  func shortcutNeedsARecentConvergedRun(
    lastExit: Int32?, lastFull: Double?, now: Double, allowed: Bool
  ) {
    #expect(
      RunJob.shortcutAllowed(lastExitCode: lastExit, lastFullReadEpoch: lastFull, now: now)
        == allowed)
  }

  @Test func aForcedOrFirstRunNeverTakesTheShortcut() async throws {
    try await withTenant { job, _, _ in
      var forced = job
      forced.forceFull = true
      let watermark = USNWatermark(
        source: "anchor", dcHostName: "dc1.anchor.test", invocationId: "x",
        highestCommittedUSN: 10)
      let forcedAllowed = try forced.shortcutAllowed(previous: [watermark])
      let firstAllowed = try job.shortcutAllowed(previous: [])
      #expect(!forcedAllowed)
      #expect(!firstAllowed)
    }
  }

  @Test func theTenantIsReadInFullThenByDelta() async throws {
    try await withTenant { job, client, tenant in
      let first = try await job.refreshTenant(tenant, client: client)
      #expect(first.read.mode == "full")
      #expect(first.read.users == 2)
      let cache = try #require(first.cache)
      try cache.save(cursorPath: job.tenantCursorPath, usersPath: job.tenantUsersPath)

      let quiet = try await job.refreshTenant(tenant, client: client)
      #expect(quiet.read.mode == "delta")
      #expect(!quiet.changed)
      #expect(quiet.cache == nil)
      var document = RunReportDocument(startedAt: "t")
      let completed = try await job.completeTenant(quiet, client: client, document: &document)
      #expect(completed.users.count == 2)
      #expect(document.tenantRead == nil)

      let anchor = try ImmutableID("yYuRNW0Z6kCXeYidebdT8A==")
      let outcomes = try await client.patchUsers(
        [
          UserWrite(
            userID: TenantFixture.cloudID("ada"),
            patch: UserPatch(immutableID: .set(anchor), userPrincipalName: nil))
        ], concurrency: 1)
      #expect(outcomes.count == 1)
      _ = try #require(outcomes.first).result.get()
      let changed = try await job.refreshTenant(tenant, client: client)
      #expect(changed.read.mode == "delta")
      #expect(changed.read.changes == 1)
      let ada = try #require(
        changed.cache?.users.first { $0.id.lowercased() == TenantFixture.cloudID("ada") })
      #expect(ada.onPremisesImmutableId == "yYuRNW0Z6kCXeYidebdT8A==")
    }
  }

  @Test func aCursorOfAnotherContextIsReplacedByAFullRead() async throws {
    try await withTenant { job, client, tenant in
      var cache = try #require(try await job.refreshTenant(tenant, client: client).cache)
      cache.cursor.roleHolders = ["00000000-0000-4000-8000-000000000001"]
      try cache.save(cursorPath: job.tenantCursorPath, usersPath: job.tenantUsersPath)
      let again = try await job.refreshTenant(tenant, client: client)
      #expect(again.read.mode == "full")
      #expect(again.changed)
    }
  }

  /// A run job over a fresh state folder and a two-user emulator, with a client signed in to it.
  func withTenant(
    _ body: (RunJob, GraphClient, TenantReading) async throws -> Void
  ) async throws {
    let temp = try TemporaryDirectory()
    let secret = "run-steps-" + UUID().uuidString
    let users = [
      TenantFixture.user(id: TenantFixture.cloudID("ada"), upn: "ada@anchor.test", mail: nil),
      TenantFixture.user(id: TenantFixture.cloudID("bob"), upn: "bob@anchor.test", mail: nil),
    ]
    let server = try await TenantEmulatorServer.start(
      stateJSON: Data(TenantFixture.state(users: users, roleAssignments: [], secret: secret).utf8))
    do {
      let secretFile = try temp.write("secret", secret)
      let state = temp.url.appendingPathComponent("state").path
      let configuration = try Configuration(
        yaml: """
          tenant:
            id: \(TenantFixture.tenantID)
            clientId: \(TenantFixture.clientID)
            authorityHost: \(server.baseURL)
            graphHost: \(server.baseURL)
            auth: { clientSecretFile: \(secretFile) }
          state: { dir: \(state) }
          """, file: "run.yaml")
      let operations = Operations(configuration: configuration)
      let journal = try operations.openJournal()
      let job = RunJob(operations: operations, journal: journal)
      try PrivateFile.folder(job.cacheDirectory)
      try await withGraphClient(
        configuration: try configuration.requireTenant(), logger: Logger(label: "test")
      ) { client in
        try await body(
          job, client, TenantReading(client: client, configuredTenant: TenantFixture.tenantID))
      }
    } catch {
      try await server.shutdown()
      throw error
    }
    try await server.shutdown()
  }
}
