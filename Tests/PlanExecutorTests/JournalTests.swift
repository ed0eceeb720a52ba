import AnchorCore
import PlanExecutor
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

private func mode(_ path: String) -> mode_t? {
  var info = stat()
  guard stat(path, &info) == 0 else { return nil }
  return info.st_mode & 0o777
}

@Suite("Journal")
struct JournalTests {
  @Test("the state folder is 0700, the journal and its WAL files 0600, whatever the umask")
  func fileModes() async throws {
    let previous = umask(0)
    defer { umask(previous) }
    let directory = temporaryDirectory() + "/nested/state"
    let journal = try Journal.open(directory: directory)
    try journal.setValue("x", forKey: "probe")
    #expect(journal.path == directory + "/journal.sqlite")
    #expect(mode(directory) == 0o700)
    #expect(mode(journal.path) == 0o600)
    #expect(mode(journal.path + "-wal") == 0o600)
    #expect(mode(journal.path + "-shm") == 0o600)
  }

  @Test("a read-only state folder is refused at open, naming the path")
  func readOnlyFolder() throws {
    // Root ignores permission bits: there, use a filesystem that refuses every new file.
    let directory: String
    if geteuid() == 0 {
      directory = "/sys/fs/anchorbridge-test-state"
    } else {
      directory = temporaryDirectory() + "/state"
      #expect(mkdir(directory, 0o500) == 0)
    }
    #expect {
      _ = try Journal.open(directory: directory)
    } throws: { error in
      guard let error = error as? JournalError else { return false }
      return error.description.contains(directory)
        && (error.kind == .notWritable || error.kind == .stateDirectory)
    }
  }

  @Test("a state path that is a file is refused, naming it")
  func stateIsAFile() throws {
    let file = temporaryDirectory() + "/state"
    let descriptor = creat(file, 0o600)
    #expect(descriptor >= 0)
    close(descriptor)
    #expect {
      _ = try Journal.open(directory: file)
    } throws: { error in
      (error as? JournalError)?.kind == .stateDirectory
        && "\(error)".contains("state folder \(file) is unusable: not a folder")
    }
  }

  @Test("key/value entries survive reopening; nil removes them")
  func keyValue() throws {
    let directory = temporaryDirectory() + "/state"
    do {
      let journal = try Journal.open(directory: directory)
      #expect(try journal.value(forKey: "delta") == nil)
      try journal.setValue("https://graph/delta?token=1", forKey: "delta")
      try journal.setValue("42", forKey: "usn")
      try journal.setValue("43", forKey: "usn")
      try journal.setValue(nil, forKey: "delta")
    }
    let reopened = try Journal.open(directory: directory)
    #expect(try reopened.value(forKey: "usn") == "43")
    #expect(try reopened.value(forKey: "delta") == nil)
  }

  @Test("runs, items and steps read back as written, oldest run first")
  func roundTrip() async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    let first = try await scenario.executor().apply(plan, planSource: "a.json", expectedTenant: nil)
    let second = try await scenario.executor().apply(
      plan, planSource: "b.json", expectedTenant: nil)

    let reopened = try Journal.open(directory: scenario.directory)
    let runs = try reopened.runs()
    #expect(runs.map(\.id) == [first.runId, second.runId])
    #expect(runs.map(\.planSource) == ["a.json", "b.json"])
    #expect(runs[0].counts == first.counts)
    #expect(try reopened.run(first.runId) == runs[0])
    #expect(try reopened.run("nope") == nil)
    let items = try reopened.items(ofRun: first.runId)
    #expect(items.map(\.seq) == Array(0..<plan.items.count))
    let bob = try #require(items.first { $0.targetId == "u2" })
    #expect(
      bob.steps.map(\.kind.rawValue) == [
        "setUserPrincipalName", "setImmutableId", "setUserPrincipalNameAndImmutableId",
      ])
    #expect(bob.steps[0].expect == plan.items.first { $0.cloud?.id == "u2" }?.before)
    #expect(bob.steps[2].after.immutableId == Fixture.anchor(2))
    #expect(bob.steps[2].after.userPrincipalName == "bob@fed.contoso.com")
  }

  @Test("run ids sort by start time and are unique")
  func runIds() async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    var ids: [String] = []
    for _ in 0..<3 {
      ids.append(
        try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil).runId)
    }
    #expect(Set(ids).count == 3)
    #expect(ids.allSatisfy { $0.wholeMatch(of: /\d{8}T\d{6}Z-[0-9a-f]{6}/) != nil })
  }

  @Test("ANCHORBRIDGE_TEST_CRASH arms a hook only for its point (it kills at the n-th pass)")
  func environmentHook() throws {
    // A count no test reaches: the hook must stay quiet for other points and early passes.
    setenv("ANCHORBRIDGE_TEST_CRASH", "afterDone:1000000", 1)
    let hook = ExecutorOptions.environmentCrashHook()
    unsetenv("ANCHORBRIDGE_TEST_CRASH")
    let armed = try #require(hook)
    for point in CrashPoint.allCases { try armed(point) }
    #expect(ExecutorOptions.environmentCrashHook() == nil)
  }

  @Test("the clock used by default is RFC 3339 UTC")
  func utcClock() {
    #expect(ExecutorOptions.utcNow().wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil)
  }

  @Test("port errors name their origin: Graph by HTTP status and request id, LDAP by result code")
  func portErrorOrigins() {
    let graph = TenantPortError(
      status: 403, code: "Authorization_RequestDenied", message: "Insufficient privileges",
      requestId: "r-1")
    #expect(
      graph.description
        == "Authorization_RequestDenied: Insufficient privileges (HTTP 403, request-id r-1)")
    let ldap = TenantPortError(
      ldapResultCode: 50, name: "insufficientAccessRights", message: "denied")
    #expect(ldap.description == "insufficientAccessRights: denied (LDAP 50)")
    #expect(ldap.status == nil && ldap.code == "insufficientAccessRights")
    #expect(TenantPortError(refusal: "no value").description == "no value")
  }

  @Test("typed values are stored as the journal's text and read back as the same enums")
  func typedValuesRoundTrip() async throws {
    let scenario = try Scenario(Standard.users)
    let plan = await scenario.linkPlan(Standard.directory)
    let report = try await scenario.executor().apply(plan, planSource: nil, expectedTenant: nil)
    let run = try #require(try scenario.journal.run(report.runId))
    #expect(run.kind == .apply && run.status == .completed)
    #expect(run.planKind == .users && run.planMode == .link)
    #expect(run.planChecksum == plan.writeJSON { _ in })
    let items = try scenario.journal.items(ofRun: report.runId)
    #expect(items.allSatisfy { $0.outcome != .pending })
    #expect(Set(items.map(\.outcome.rawValue)).isSubset(of: Set(run.counts.keys)))
  }
}
