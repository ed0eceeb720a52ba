/// The one error type of AnchorCore: what was wrong, with the value and where it came from.
/// (Planner findings about the directory or tenant are `Diagnostic`s, never thrown.)
public enum AnchorCoreError: Error, Hashable, Sendable {
  /// A value is none of the anchor forms; `reasons` says why it is not each of them.
  case invalidAnchor(value: String, reasons: [String])
  /// A mapping CSV line could not be used. `line` is 1-based.
  case invalidMapping(source: String, line: Int, message: String)
  /// A plan file was refused (wrong version, bad checksum or seal, truncated,
  /// malformed, inconsistent).
  case invalidPlan(PlanRefusal, detail: String)
  /// A planner setting is unusable.
  case invalidConfiguration(String)
}

/// Why a plan file was refused, as a stable code.
public enum PlanRefusal: String, Hashable, Sendable, Codable {
  case malformedJSON
  case unsupportedFormatVersion
  case unsupportedKind
  case missingField
  case wrongType
  case checksumMismatch
  /// The checksum is right but the seal is missing or not this installation's.
  case sealMismatch
  /// Two copies of one value inside an item disagree (an edited file).
  case inconsistentItem
}

extension AnchorCoreError: CustomStringConvertible {
  public var description: String {
    switch self {
    case .invalidAnchor(let value, let reasons):
      "'\(value)' is not a GUID anchor or an ImmutableID: " + reasons.joined(separator: "; ")
    case .invalidMapping(let source, let line, let message):
      "\(source):\(line): \(message)"
    case .invalidPlan(let refusal, let detail):
      "plan refused (\(refusal.rawValue)): \(detail)"
    case .invalidConfiguration(let message):
      "invalid planner configuration: \(message)"
    }
  }
}
