import Foundation
import Testing

@testable import anchorbridge

@Suite("anchorbridge convert")
struct ConvertCommandTests {
  @Test func textOutputShowsEveryForm() throws {
    let command = try ConvertCommand.parse(["35918bc9-196d-40ea-9779-889d79b753f0"])
    let (output, errors) = ConvertCommand.render(command.values, json: command.json)
    #expect(errors.isEmpty)
    #expect(output.contains("immutableId  yYuRNW0Z6kCXeYidebdT8A=="))
    #expect(output.contains("hex          c98b91356d19ea409779889d79b753f0"))
    #expect(
      output.contains(
        #"ldapFilter   (objectGUID=\c9\8b\91\35\6d\19\ea\40\97\79\88\9d\79\b7\53\f0)"#))
    #expect(output.contains("connectorDn  CN={795975524E57305A366B4358655969646562645438413D3D}"))
    #expect(output.contains("kind         guid"))
  }

  @Test func jsonForOneValueIsAnObject() throws {
    let command = try ConvertCommand.parse(["--json", "V8iHFNr4A0is6I+7qgiTvg=="])
    let (output, errors) = ConvertCommand.render(command.values, json: command.json)
    #expect(errors.isEmpty)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
    #expect(object["input"] as? String == "V8iHFNr4A0is6I+7qgiTvg==")
    #expect(object["kind"] as? String == "guid")
    #expect(object["guid"] as? String == "1487c857-f8da-4803-ace8-8fbbaa0893be")
    #expect(object["immutableId"] as? String == "V8iHFNr4A0is6I+7qgiTvg==")
    #expect(object["hex"] as? String == "57c88714daf80348ace88fbbaa0893be")
    #expect(
      object["ldapFilter"] as? String
        == #"(objectGUID=\57\c8\87\14\da\f8\03\48\ac\e8\8f\bb\aa\08\93\be)"#)
    #expect((object["connectorDn"] as? String)?.hasPrefix("CN={") == true)
    #expect(
      Set(object.keys) == [
        "input", "kind", "guid", "immutableId", "hex", "ldapFilter", "connectorDn",
      ])
  }

  @Test func severalValuesGiveAnArrayWithOpaqueAndErrors() throws {
    let command = try ConvertCommand.parse([
      "--json", "c9 8b 91 35 6d 19 ea 40 97 79 88 9d 79 b7 53 f0", "RTAwMDEyMw==", "E000123",
    ])
    let (output, errors) = ConvertCommand.render(command.values, json: command.json)
    let array = try #require(
      try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]])
    #expect(array.count == 3)
    #expect(array[0]["immutableId"] as? String == "yYuRNW0Z6kCXeYidebdT8A==")
    #expect(array[1]["kind"] as? String == "opaque")
    #expect(array[1]["immutableId"] as? String == "RTAwMDEyMw==")
    #expect(array[1]["guid"] is NSNull)
    #expect(array[2]["error"] as? String != nil)
    #expect(errors.count == 1)
    #expect(errors[0].contains("'E000123'"))
    #expect(errors[0].contains("not a multiple of 4"))
  }

  @Test func rejectsUnknownOptions() {
    #expect(throws: (any Error).self) { try ConvertCommand.parse(["--yaml", "x"]) }
  }

  /// The built binary: exit code 64 for an invalid value, one result per stdin line.
  @Test func binaryExitCodeAndStdin() throws {
    let binary = try #require(
      Self.binaryURL(), "anchorbridge binary not built next to the test bundle")
    let invalid = try Self.run(binary, ["convert", "not-an-anchor!"], stdin: "")
    #expect(invalid.status == 64)
    #expect(invalid.stderr.contains("'not-an-anchor!'"))
    let piped = try Self.run(
      binary, ["convert", "--json"],
      stdin: "35918bc9-196d-40ea-9779-889d79b753f0\n\n  V8iHFNr4A0is6I+7qgiTvg==  \n")
    #expect(piped.status == 0, "\(piped.stderr)")
    let array = try #require(
      try JSONSerialization.jsonObject(with: Data(piped.stdout.utf8)) as? [[String: Any]])
    #expect(
      array.map { $0["immutableId"] as? String } == [
        "yYuRNW0Z6kCXeYidebdT8A==", "V8iHFNr4A0is6I+7qgiTvg==",
      ])
    let ok = try Self.run(binary, ["convert", "{35918BC9-196D-40EA-9779-889D79B753F0}"], stdin: "")
    #expect(ok.status == 0)
    #expect(ok.stdout.contains("yYuRNW0Z6kCXeYidebdT8A=="))
  }

  static func binaryURL() -> URL? {
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
      let candidate = directory.appendingPathComponent("anchorbridge")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
      directory = directory.deletingLastPathComponent()
    }
    return nil
  }

  static func run(_ binary: URL, _ arguments: [String], stdin: String) throws -> (
    status: Int32, stdout: String, stderr: String
  ) {
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    let input = Pipe()
    let output = Pipe()
    let error = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = error
    try process.run()
    input.fileHandleForWriting.write(Data(stdin.utf8))
    try input.fileHandleForWriting.close()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (
      process.terminationStatus, String(decoding: out, as: UTF8.self),
      String(decoding: err, as: UTF8.self)
    )
  }
}
