import Foundation
import TenantEmulator
import Testing

@Suite("Delta queries")
struct DeltaTests {
  /// Runs one delta round from `target`, following nextLinks; returns entries and the deltaLink.
  static func round(_ emulator: Emulator, _ target: String, token: String) async throws
    -> (entries: [[String: Any]], deltaLink: String, pages: Int)
  {
    var next = target
    var entries: [[String: Any]] = []
    var pages = 0
    while true {
      let reply = try await emulator.call(
        "GET", next, token: token, headers: ["Prefer": "odata.maxpagesize=2"])
      guard reply.status == 200 else {
        Issue.record("delta page \(next) answered \(reply.status): \(reply.text)")
        throw RawHTTPError.malformed
      }
      pages += 1
      entries += reply.values
      if let link = reply.object["@odata.nextLink"] as? String {
        next = emulator.target(of: link)
        continue
      }
      let deltaLink = try #require(reply.object["@odata.deltaLink"] as? String)
      return (entries, deltaLink, pages)
    }
  }

  @Test func usersDeltaReportsChangesAndRemovals() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let initial = try await Self.round(
        emulator, "/v1.0/users/delta?$select=id,userPrincipalName,onPremisesImmutableId",
        token: token)
      #expect(initial.entries.count == 6)
      #expect(initial.pages == 3)
      #expect(initial.deltaLink.contains("$deltatoken="))

      let quiet = try await Self.round(
        emulator, emulator.target(of: initial.deltaLink), token: token)
      #expect(quiet.entries.isEmpty)

      let patch = try await emulator.call(
        "PATCH", "/v1.0/users/u-alice", token: token,
        json: ["onPremisesImmutableId": "QWxpY2VBbmNob3I="])
      #expect(patch.status == 204)
      #expect(try await emulator.call("DELETE", "/v1.0/users/u-bob", token: token).status == 204)
      let changes = try await Self.round(
        emulator, emulator.target(of: quiet.deltaLink), token: token)
      let alice = try #require(changes.entries.first { $0["id"] as? String == "u-alice" })
      #expect(alice["onPremisesImmutableId"] as? String == "QWxpY2VBbmNob3I=")
      let bob = try #require(changes.entries.first { $0["id"] as? String == "u-bob" })
      #expect((bob["@removed"] as? [String: Any])?["reason"] as? String == "changed")
      #expect(changes.entries.count == 2)
    }
  }

  @Test func groupsDeltaCarriesMemberChangesAndDeletions() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let initial = try await Self.round(
        emulator, "/v1.0/groups/delta?$select=displayName,members", token: token)
      let vpn = try #require(initial.entries.first { $0["id"] as? String == "g-sec" })
      let members = (vpn["members@delta"] as? [[String: Any]] ?? []).compactMap {
        $0["id"] as? String
      }
      #expect(members == ["u-alice", "u-bob"])

      let add = try await emulator.call(
        "POST", "/v1.0/groups/g-m365/members/$ref", token: token,
        json: ["@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/u-dave"])
      #expect(add.status == 204)
      let remove = try await emulator.call(
        "DELETE", "/v1.0/groups/g-m365/members/u-carol/$ref", token: token)
      #expect(remove.status == 204)
      #expect(try await emulator.call("DELETE", "/v1.0/groups/g-sec", token: token).status == 204)

      let changes = try await Self.round(
        emulator, emulator.target(of: initial.deltaLink), token: token)
      let falcon = try #require(changes.entries.first { $0["id"] as? String == "g-m365" })
      let delta = falcon["members@delta"] as? [[String: Any]] ?? []
      #expect(delta.count == 2)
      let dave = delta.first { $0["id"] as? String == "u-dave" }
      let carol = delta.first { $0["id"] as? String == "u-carol" }
      #expect(dave != nil && dave?["@removed"] == nil)
      #expect((carol?["@removed"] as? [String: Any])?["reason"] as? String == "deleted")
      let deleted = try #require(changes.entries.first { $0["id"] as? String == "g-sec" })
      #expect((deleted["@removed"] as? [String: Any])?["reason"] as? String == "deleted")
    }
  }

  @Test func latestGivesADeltaLinkWithoutData() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let reply = try await emulator.call(
        "GET", "/v1.0/users/delta?$deltatoken=latest", token: token)
      #expect(reply.status == 200 && reply.values.isEmpty)
      #expect(reply.object["@odata.deltaLink"] is String)
    }
  }

  @Test func unknownAndExpiredDeltaTokensAskForAFullResync() async throws {
    var options = EmulatorOptions()
    options.deltaTokenLifetime = .milliseconds(300)
    try await Emulator.run(options: options) { emulator in
      let token = try await emulator.token()
      let unknown = try await emulator.call(
        "GET", "/v1.0/users/delta?$deltatoken=never-issued", token: token)
      #expect(unknown.status == 410)
      #expect(unknown.errorCode == "syncStateNotFound")
      #expect(unknown.headers["location"]?.hasSuffix("/v1.0/users/delta") == true)

      let latest = try await emulator.call(
        "GET", "/v1.0/users/delta?$deltatoken=latest", token: token)
      let link = try #require(latest.object["@odata.deltaLink"] as? String)
      try await Task.sleep(for: .milliseconds(500))
      let expired = try await emulator.call("GET", emulator.target(of: link), token: token)
      #expect(expired.status == 410 && expired.errorCode == "syncStateNotFound")
    }
  }

  @Test func replacingTheStateInvalidatesDeltaTokens() async throws {
    try await Emulator.run { emulator in
      let token = try await emulator.token()
      let latest = try await emulator.call(
        "GET", "/v1.0/groups/delta?$deltatoken=latest", token: token)
      let link = try #require(latest.object["@odata.deltaLink"] as? String)
      try await emulator.server.replaceState(TestTenant.standard())
      let after = try await emulator.call("GET", emulator.target(of: link), token: token)
      #expect(after.status == 410)
    }
  }
}
