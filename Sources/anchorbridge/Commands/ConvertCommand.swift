import AnchorCore
import ArgumentParser
import Foundation

/// `anchorbridge convert VALUE... [--json]`: shows an anchor in every form.
struct ConvertCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "convert",
    abstract:
      "Convert an anchor between GUID, ImmutableID (base64), hex, LDAP filter and connector DN.",
    discussion: """
      VALUE may be a GUID string (any case, braces optional), a base64 ImmutableID, 32 hex digits in \
      AD byte order (spaces allowed) or an LDAP filter value (\\c9\\8b...). Valid base64 that is not \
      16 bytes is an opaque anchor (a custom sourceAnchor attribute), shown verbatim. Without VALUE, \
      one value per line is read from standard input.

      Exit codes: 0 all values converted; 64 a value is in no recognised form (the others are still \
      shown).
      """)

  @Argument(help: "Values to convert; read one per line from stdin when omitted.")
  var values: [String] = []

  @Flag(help: "Print JSON (an object for one value, an array for several).")
  var json = false

  func validate() throws {
    if values.isEmpty && isatty(FileHandle.standardInput.fileDescriptor) == 1 {
      throw ValidationError(
        "give one or more VALUEs, or pipe values on standard input, one per line")
    }
  }

  func run() throws {
    let inputs = values.isEmpty ? ConvertCommand.readLines(from: .standardInput) : values
    let rendered = ConvertCommand.render(inputs, json: json, arrayForOne: values.isEmpty)
    FileHandle.standardOutput.write(Data(rendered.output.utf8))
    for message in rendered.errors {
      Messages.emit("error", message)
    }
    if !rendered.errors.isEmpty { throw ExitCode(64) }
  }

  /// The output text and one error message per invalid value. Several values, or values from
  /// stdin (`arrayForOne`), give a JSON array; a single argument gives one object.
  static func render(_ inputs: [String], json: Bool, arrayForOne: Bool = false) -> (
    output: String, errors: [String]
  ) {
    var results: [Result<AnchorConversion, AnchorCoreError>] = []
    for input in inputs {
      do {
        results.append(.success(try AnchorConversion(input)))
      } catch {
        results.append(.failure(error))
      }
    }
    let errors = results.compactMap { result -> String? in
      if case .failure(let error) = result { return error.description }
      return nil
    }
    if json {
      let objects = results.map(ConvertOutput.init)
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
      let data: Data
      if objects.count == 1 && !arrayForOne {
        data = (try? encoder.encode(objects[0])) ?? Data()
      } else {
        data = (try? encoder.encode(objects)) ?? Data()
      }
      return (String(decoding: data, as: UTF8.self) + "\n", errors)
    }
    var blocks: [String] = []
    for result in results {
      guard case .success(let conversion) = result else { continue }
      blocks.append(
        conversion.fields.map { name, value in
          name.padding(toLength: 13, withPad: " ", startingAt: 0) + (value ?? "-")
        }.joined(separator: "\n") + "\n")
    }
    return (blocks.joined(separator: "\n"), errors)
  }

  static func readLines(from handle: FileHandle) -> [String] {
    let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    return text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
      .map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }
  }
}

/// One JSON result: every form, or the input with an `error`. Absent forms are explicit nulls.
private struct ConvertOutput: Encodable {
  var result: Result<AnchorConversion, AnchorCoreError>

  init(_ result: Result<AnchorConversion, AnchorCoreError>) { self.result = result }

  enum CodingKeys: String, CodingKey {
    case input, kind, guid, immutableId, hex, ldapFilter, connectorDn, error
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    switch result {
    case .success(let conversion):
      try container.encode(conversion.input, forKey: .input)
      try container.encode(conversion.kind.rawValue, forKey: .kind)
      try container.encode(conversion.guid, forKey: .guid)
      try container.encode(conversion.immutableId, forKey: .immutableId)
      try container.encode(conversion.hex, forKey: .hex)
      try container.encode(conversion.ldapFilter, forKey: .ldapFilter)
      try container.encode(conversion.connectorDn, forKey: .connectorDn)
    case .failure(let error):
      if case .invalidAnchor(let value, _) = error {
        try container.encode(value, forKey: .input)
      }
      try container.encode(error.description, forKey: .error)
    }
  }
}
