import Foundation
import TestSupport
import Testing

extension EndToEnd {
  /// A state folder that can't be written (read-only, or full) is refused before anything reaches
  /// the tenant: the journal must be able to record the intent first.
  @Suite(.enabled(if: TestDomainController.shouldRun, "needs the test DC: Scripts/dc.sh start"))
  struct StateFolderFaultTests {
    func rehearsalWithPlan() async throws -> (Rehearsal, String) {
      let rehearsal = try await Rehearsal { fixture in
        [try Rehearsal.twin(fixture, "alice.anders")]
      }
      let planPath = rehearsal.temp.url.appendingPathComponent("plan.json").path
      #expect(try await rehearsal.run(["plan", "--out", planPath]).status == 0)
      return (rehearsal, planPath)
    }

    @Test func aReadOnlyStateFolderIsRefusedBeforeAnyWrite() async throws {
      let (rehearsal, planPath) = try await rehearsalWithPlan()
      defer { Task { try? await rehearsal.shutdown() } }
      // Root ignores permission bits: there, a folder on a filesystem that refuses new files.
      let readOnly: String
      if geteuid() == 0 {
        readOnly = "/sys/fs/anchorbridge-e2e-state"
      } else {
        readOnly = rehearsal.temp.url.appendingPathComponent("readonly").path
        #expect(mkdir(readOnly, 0o500) == 0)
      }
      let config = try String(contentsOfFile: rehearsal.configPath, encoding: .utf8)
      try config.replacingOccurrences(
        of: "dir: \(rehearsal.stateDirectory)", with: "dir: \(readOnly)"
      ).write(toFile: rehearsal.configPath, atomically: true, encoding: .utf8)
      for command in [["apply", "--plan", planPath, "--yes"], ["run"]] {
        let result = try await rehearsal.run(command)
        #expect(result.status == 1, "\(command[0]): \(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains(readOnly), "\(command[0]): \(result.stderr)")
      }
      #expect(await rehearsal.patches().isEmpty)
    }

    /// A full disk, as the process sees it: a file-size limit (`ulimit -f`) makes every write past
    /// 512 bytes fail (EFBIG, with SIGXFSZ ignored), as ENOSPC would.
    @Test func aFullStateFolderIsRefusedBeforeAnyWrite() async throws {
      let (rehearsal, planPath) = try await rehearsalWithPlan()
      defer { Task { try? await rehearsal.shutdown() } }
      let binary = Subprocess.binDirectory.appendingPathComponent("anchorbridge").path
      let arguments = [
        "-c", #"trap '' XFSZ; ulimit -f 1; exec "$0" "$@""#, binary, "apply", "--plan", planPath,
        "--yes", "--config", rehearsal.configPath,
      ]
      let environment = [Rehearsal.secretVariable: rehearsal.secret]
      let result = try await Subprocess.offPool {
        try Subprocess.run("/bin/sh", arguments, environment: environment)
      }
      #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
      #expect(result.stderr.contains(rehearsal.stateDirectory), "\(result.stderr)")
      #expect(await rehearsal.patches().isEmpty)
      // With room again, the same plan applies.
      let retry = try await rehearsal.run(["apply", "--plan", planPath, "--yes"])
      #expect(retry.status == 0, "\(retry.stdout)\(retry.stderr)")
      #expect(await rehearsal.patches().count == 1)
    }
  }
}
