import Foundation
import TenantEmulator
import TestSupport
import Testing

/// The end-to-end suites, one test at a time across all of them: each runs `anchorbridge` processes
/// against the DC and an emulator in this process, and side by side on a 2-core machine they starved
/// the other suites' timeouts.
@Suite(.serialized) enum EndToEnd {}

/// An end-to-end rehearsal: the real test DC, a tenant emulator in this process whose cloud users
/// are twins of the DC's named fixture users, a private state folder, and the built `anchorbridge`
/// binary run as an admin would run it. The cloud side is written here by hand from the fixture
/// manifest (never from the CLI's or GraphClient's types).
final class Rehearsal: @unchecked Sendable {
  // @unchecked Sendable: every stored property is immutable after init (the server is thread-safe).
  static let tenantID = TenantFixture.tenantID
  static let clientID = TenantFixture.clientID
  static let secretVariable = "AB_REHEARSAL_SECRET"

  let dc: TestDomainController
  let fixture: TestFixture
  let temp: TemporaryDirectory
  let server: TenantEmulatorServer
  /// Random per rehearsal, so a test can grep every output for it.
  let secret = "rehearsal-" + UUID().uuidString
  let configPath: String
  let stateDirectory: String

  /// `cloudUsers` builds the tenant's users from the fixture (see `twin`).
  /// `anchor`, `bindAsAdmin`, `usersBases` and `usersFilter` shape the directory source (anchor
  /// writeback tests write to AD, which the read-only service account may not, in their own OU).
  init(
    config extra: String = "", roleHolders: [String] = [], anchor: String = "objectGUID",
    bindAsAdmin: Bool = false, usersBases: [String]? = nil, usersFilter: String? = nil,
    emulator: EmulatorOptions = EmulatorOptions(), groupsBases: [String]? = nil,
    cloudGroups: [String] = [], capabilities: String? = nil,
    cloudUsers: (TestFixture) throws -> [String]
  ) async throws {
    dc = try TestDomainController.require()
    fixture = try dc.fixture()
    temp = try TemporaryDirectory()
    let users = try cloudUsers(fixture)
    server = try await TenantEmulatorServer.start(
      stateJSON: Data(
        Self.state(
          users: users,
          roleAssignments: roleHolders.map { Self.roleAssignment(principal: Self.cloudID($0)) },
          secret: secret, groups: cloudGroups, capabilities: capabilities
        ).utf8), options: emulator)
    stateDirectory = temp.url.appendingPathComponent("state").path
    let passwordFile = try dc.value(
      bindAsAdmin ? "AB_DC_ADMIN_PASSWORD_FILE" : "AB_DC_SVC_PASSWORD_FILE")
    let bindDN = try dc.value(bindAsAdmin ? "AB_DC_ADMIN_DN" : "AB_DC_SVC_UPN")
    let root = try #require(fixture["fixtureRootDN"]?.string)
    let filter = usersFilter.map { ", filter: \"\($0)\"" } ?? ""
    let bases = (usersBases ?? ["OU=Staff,\(root)", "OU=Disabled,\(root)"]).map { "\"\($0)\"" }
      .joined(separator: ", ")
    let groupBases = (groupsBases ?? ["OU=Groups,\(root)"]).map { "\"\($0)\"" }
      .joined(separator: ", ")
    configPath = try temp.write(
      "anchorbridge.yaml",
      """
      directory:
        sources:
          - name: anchor
            uris: [\(dc.ldapsURI)]
            tls: { caFile: \(dc.caFile) }
            bind: { method: simple, dn: "\(bindDN)", passwordFile: \(passwordFile) }
            users: { bases: [\(bases)]\(filter) }
            groups: { bases: [\(groupBases)] }
            anchor: \(anchor)
      tenant:
        id: \(Self.tenantID)
        clientId: \(Self.clientID)
        authorityHost: \(server.baseURL)
        graphHost: \(server.baseURL)
        auth: { clientSecretEnv: \(Self.secretVariable) }
      state:
        dir: \(stateDirectory)
      \(extra)
      """)
  }

  func shutdown() async throws { try await server.shutdown() }

  /// Runs `anchorbridge ARGS --config <rehearsal config>` with the secret in its environment.
  /// The wait happens on a GCD thread: the emulator in this process is an actor on the cooperative
  /// pool, which a blocking wait there (2 threads on this machine) would starve into a deadlock.
  func run(_ arguments: [String], environment: [String: String] = [:]) async throws
    -> ProcessResult
  {
    var env = environment
    env[Self.secretVariable] = secret
    let settings = env
    return try await Self.offPool {
      try Subprocess.anchorbridge(arguments + ["--config", self.configPath], environment: settings)
    }
  }

  /// Starts `anchorbridge ARGS`, kills it with SIGKILL after `milliseconds` if it still runs (a
  /// crash at a random moment), and returns its exit status (9 when it was killed).
  func runKilled(_ arguments: [String], afterMilliseconds milliseconds: Int) async throws -> Int32 {
    let executable = Subprocess.binDirectory.appendingPathComponent("anchorbridge")
    var environment = ProcessInfo.processInfo.environment
    environment[Self.secretVariable] = secret
    let settings = environment
    let config = configPath
    return try await withCheckedThrowingContinuation { continuation in
      Subprocess.onOwnThread {
        do {
          let process = Process()
          process.executableURL = executable
          process.arguments = arguments + ["--config", config]
          process.environment = settings
          process.standardInput = FileHandle.nullDevice
          process.standardOutput = FileHandle.nullDevice
          process.standardError = FileHandle.nullDevice
          try process.run()
          usleep(useconds_t(milliseconds * 1000))
          if process.isRunning { kill(process.processIdentifier, SIGKILL) }
          process.waitUntilExit()
          continuation.resume(returning: process.terminationStatus)
        } catch {
          continuation.resume(throwing: error)
        }
      }
    }
  }

  /// Validates a JSON file against `Schemas/<schema>` with Debian's jsonschema (installed by
  /// Scripts/deps.sh): an independent check of the schema promise.
  static func validate(_ path: String, schema: String) async throws {
    let root = TestDomainController.repositoryRoot.appendingPathComponent("Schemas/\(schema)").path
    let script = """
      import json, sys, jsonschema
      jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))
      """
    let result = try await offPool {
      try Subprocess.run("/usr/bin/python3", ["-c", script, root, path])
    }
    #expect(result.status == 0, "\(path) against \(schema): \(result.stderr)")
  }

  static func offPool(_ body: @escaping @Sendable () throws -> ProcessResult) async throws
    -> ProcessResult
  {
    try await Subprocess.offPool(body)
  }

  // MARK: Fixture users and their cloud twins

  static func cloudID(_ name: String) -> String { TenantFixture.cloudID(name) }

  /// The fixture user's objectGUID as an ImmutableID (the `anchor: objectGUID` policy).
  func anchor(_ sam: String) throws -> String {
    try #require(fixture.users[sam]?["objectGuidBase64"]?.string, "fixture has no \(sam)")
  }

  func upn(_ sam: String) throws -> String {
    try #require(fixture.users[sam]?["userPrincipalName"]?.string, "fixture has no UPN for \(sam)")
  }

  /// A cloud user (JSON text) that is the twin of the fixture user `sam`.
  static func twin(
    _ fixture: TestFixture, _ sam: String, upn: String? = nil, anchor: String? = nil,
    synced: Bool? = nil
  ) throws -> String {
    let principal = try upn ?? #require(fixture.users[sam]?["userPrincipalName"]?.string)
    let mail = fixture.users[sam]?["mail"]?.string
    return Self.user(
      id: Self.cloudID(sam), upn: principal, mail: mail, anchor: anchor, synced: synced)
  }

  static func user(
    id: String, upn: String, mail: String?, anchor: String? = nil, synced: Bool? = nil
  ) -> String {
    TenantFixture.user(id: id, upn: upn, mail: mail, anchor: anchor, synced: synced)
  }

  static func roleAssignment(principal: String) -> String {
    TenantFixture.roleAssignment(principal: principal)
  }

  static func state(
    users: [String], roleAssignments: [String], secret: String, groups: [String] = [],
    capabilities: String? = nil
  ) -> String {
    TenantFixture.state(
      users: users, roleAssignments: roleAssignments, secret: secret, groups: groups,
      capabilities: capabilities)
  }

  // MARK: The emulator's state

  func cloudUser(_ sam: String) async throws -> [String: Any] {
    let data = try await server.stateJSON()
    let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let users = root["users"] as? [[String: Any]] ?? []
    let id = Self.cloudID(sam)
    return try #require(users.first { ($0["id"] as? String)?.lowercased() == id }, "no \(sam)")
  }

  func cloudUsers() async throws -> [[String: Any]] {
    let data = try await server.stateJSON()
    let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    return root["users"] as? [[String: Any]] ?? []
  }

  /// PATCH requests the emulator received (batch items included), in order.
  func patches() async -> [EmulatorRequestRecord] {
    await server.requestLog().filter { $0.method == "PATCH" }
  }

  /// Every file under the state folder, as text (journal, reports, plans, caches).
  func stateFilesText() throws -> String {
    var text = ""
    let enumerator = FileManager.default.enumerator(atPath: stateDirectory)
    while let relative = enumerator?.nextObject() as? String {
      let path = stateDirectory + "/" + relative
      if let data = FileManager.default.contents(atPath: path) {
        text += String(decoding: data, as: UTF8.self)
      }
    }
    return text
  }
}
