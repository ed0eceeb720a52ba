import AnchorCore
import Foundation
import StateStore
import Testing

/// Issue 21: the state folder is this user's own, and no file in it is written through a link.
@Suite struct StateFolderSafetyTests {
  /// A fresh folder (0700) under the system's temporary folder, removed afterwards.
  static func withFolder(_ body: (String) throws -> Void) throws {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("anchorbridge-state-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(
      atPath: path, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
    defer { try? FileManager.default.removeItem(atPath: path) }
    try body(path)
  }

  static func unsafeRefusal(_ body: () throws -> Void) -> StateFolderError? {
    do {
      try body()
      return nil
    } catch let error as StateFolderError {
      return error.unsafe ? error : nil
    } catch {
      return nil
    }
  }

  @Test(arguments: [0o777, 0o775, 0o757, 0o722])
  func aFolderOthersCanWriteIsRefusedNamingItsMode(_ mode: Int) throws {
    try Self.withFolder { state in
      #expect(chmod(state, mode_t(mode)) == 0)
      let error = try #require(Self.unsafeRefusal { _ = try RunLock(stateDirectory: state) })
      #expect(error.description.contains(state))
      #expect(error.description.contains(String(mode, radix: 8)))
      #expect(Self.unsafeRefusal { try StateFolder.prepare(state) } != nil)
      #expect(
        Self.unsafeRefusal { _ = try PlanSealKeyFile.loadOrCreate(stateDirectory: state) } != nil)
      #expect(!FileManager.default.fileExists(atPath: state + "/anchorbridge.lock"))
    }
  }

  @Test func aPrivateFolderIsAccepted() throws {
    try Self.withFolder { state in
      #expect(chmod(state, 0o755) == 0)
      let lock = try RunLock(stateDirectory: state)
      withExtendedLifetime(lock) {}
    }
  }

  @Test func aFolderOfAnotherUserIsRefused() throws {
    // Only root can give a folder away; elsewhere this case can't be built.
    guard geteuid() == 0 else { return }
    try Self.withFolder { state in
      #expect(chown(state, 4242, 4242) == 0)
      let error = try #require(Self.unsafeRefusal { try StateFolder.prepare(state) })
      #expect(error.description.contains("uid 4242"))
    }
  }

  @Test func aLinkAtTheLockIsRefusedAndItsTargetKept() throws {
    try Self.withFolder { state in
      let target = state + "/precious.txt"
      try "keep me\n".write(toFile: target, atomically: false, encoding: .utf8)
      #expect(symlink(target, state + "/anchorbridge.lock") == 0)
      let error = try #require(Self.unsafeRefusal { _ = try RunLock(stateDirectory: state) })
      #expect(error.description.contains("symbolic link"))
      #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep me\n")
      // A hard link to another file is refused too (the lock would truncate the shared file).
      #expect(unlink(state + "/anchorbridge.lock") == 0)
      #expect(link(target, state + "/anchorbridge.lock") == 0)
      #expect(Self.unsafeRefusal { _ = try RunLock(stateDirectory: state) } != nil)
      #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep me\n")
    }
  }

  @Test func privateFilesNeverWriteThroughALinkAtTheirTemporaryName() throws {
    try Self.withFolder { state in
      let target = state + "/precious.txt"
      try "keep me\n".write(toFile: target, atomically: false, encoding: .utf8)
      #expect(symlink(target, state + "/cursor.json.tmp") == 0)
      try PrivateFile.write(Data("new\n".utf8), to: state + "/cursor.json")
      #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep me\n")
      #expect(try String(contentsOfFile: state + "/cursor.json", encoding: .utf8) == "new\n")
      let mode =
        try FileManager.default.attributesOfItem(atPath: state + "/cursor.json")[
          .posixPermissions] as? Int
      #expect(mode == 0o600)
    }
  }

  @Test func theJournalIsNeverOpenedThroughALink() throws {
    try Self.withFolder { state in
      #expect(symlink("/tmp/elsewhere.sqlite", state + "/journal.sqlite") == 0)
      #expect(Self.unsafeRefusal { try StateFolder.checkJournal(in: state) } != nil)
    }
  }

  @Test func theSealKeyIsCreatedPrivateOnceAndRefusedWhenExposed() throws {
    try Self.withFolder { state in
      let first = try PlanSealKeyFile.loadOrCreate(stateDirectory: state)
      let path = PlanSealKeyFile.path(stateDirectory: state)
      let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
      #expect(mode == 0o600)
      let again = try PlanSealKeyFile.loadOrCreate(stateDirectory: state)
      #expect(
        again.seal(kind: "users", checksum: "sha256:x")
          == first.seal(kind: "users", checksum: "sha256:x"))
      #expect(chmod(path, 0o644) == 0)
      #expect(
        Self.unsafeRefusal { _ = try PlanSealKeyFile.loadOrCreate(stateDirectory: state) } != nil)
      #expect(unlink(path) == 0)
      #expect(symlink(state + "/other.key", path) == 0)
      let linked = Self.unsafeRefusal {
        _ = try PlanSealKeyFile.loadOrCreate(stateDirectory: state)
      }
      #expect(linked?.description.contains("symbolic link") == true)
    }
  }
}
