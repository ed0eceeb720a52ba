import Foundation
import TestSupport
import Testing

extension EndToEnd {
  /// The directory fails during the read: the DC drops the connection in the middle of the paged
  /// pull, or TLS can't be verified. No plan is made from partial data, nothing reaches the tenant,
  /// and the command fails with a clear error and exit code 1.
  @Suite(.enabled(if: TestDomainController.shouldRun, "needs the test DC: Scripts/dc.sh start"))
  struct DirectoryFaultTests {
    enum Fault: String, CaseIterable { case connectionCutMidPull, untrustedCertificate }

    @Test(arguments: Fault.allCases)
    func aDirectoryFailureLeavesNoPlanAndWritesNothing(fault: Fault) async throws {
      let dc = try TestDomainController.require()
      let root = try #require(try dc.fixture()["fixtureRootDN"]?.string)
      // Every fixture user (thousands: many pages), so the cut lands after some pages were read.
      let rehearsal = try await Rehearsal(usersBases: [root]) { fixture in
        [try Rehearsal.twin(fixture, "alice.anders"), try Rehearsal.twin(fixture, "bob.brandt")]
      }
      defer { Task { try? await rehearsal.shutdown() } }
      var config = try String(contentsOfFile: rehearsal.configPath, encoding: .utf8)
      var proxy: CuttingProxy?
      switch fault {
      case .connectionCutMidPull:
        let host = try #require(URL(string: dc.ldapsURI)?.host)
        let address = try dc.value("AB_DC_ADDR")
        let relay = try CuttingProxy(host: address, upstreamPort: 636, cutAfter: 300_000)
        proxy = relay
        config = config.replacingOccurrences(
          of: "uris: [\(dc.ldapsURI)]", with: "uris: [ldaps://\(host):\(relay.port)]")
      case .untrustedCertificate:
        config = config.replacingOccurrences(
          of: "caFile: \(dc.caFile)", with: "caFile: \(dc.wrongCAFile)")
      }
      try config.write(toFile: rehearsal.configPath, atomically: true, encoding: .utf8)
      defer { proxy?.close() }

      let planPath = rehearsal.temp.url.appendingPathComponent("plan.json").path
      let plan = try await rehearsal.run(["plan", "--out", planPath])
      #expect(plan.status == 1, "\(fault): \(plan.stdout)\(plan.stderr)")
      #expect(plan.stderr.contains("anchor"), "the error names the source: \(plan.stderr)")
      #expect(!FileManager.default.fileExists(atPath: planPath))
      let run = try await rehearsal.run(["run"])
      #expect(run.status == 1, "\(fault): \(run.stdout)\(run.stderr)")
      #expect(await rehearsal.patches().isEmpty)
      #expect(
        !FileManager.default.fileExists(atPath: rehearsal.stateDirectory + "/reports/latest.json"))
      if fault == .untrustedCertificate { #expect(plan.stderr.contains("TLS handshake failed")) }
    }

    /// Verification off is an explicit option, never silent: every run says so on stderr.
    @Test func verificationOffWarnsOnEveryRun() async throws {
      let dc = try TestDomainController.require()
      let rehearsal = try await Rehearsal { fixture in
        [try Rehearsal.twin(fixture, "alice.anders")]
      }
      defer { Task { try? await rehearsal.shutdown() } }
      let config = try String(contentsOfFile: rehearsal.configPath, encoding: .utf8)
      try config.replacingOccurrences(
        of: "caFile: \(dc.caFile)", with: "caFile: \(dc.wrongCAFile), verify: false"
      ).write(toFile: rehearsal.configPath, atomically: true, encoding: .utf8)
      for command in [["plan"], ["run"], ["run"]] {
        let result = try await rehearsal.run(command)
        #expect(result.status == 0, "\(command[0]): \(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("certificate verification is OFF"), "\(result.stderr)")
      }
    }
  }
}
