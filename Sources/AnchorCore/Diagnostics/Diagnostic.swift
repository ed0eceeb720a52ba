/// A finding about the input, explained rather than thrown: planners and readers return these next to
/// their results so one odd object never hides the rest.
public struct Diagnostic: Hashable, Sendable, Codable {
  public enum Severity: String, Hashable, Sendable, Codable, Comparable {
    case info, warning, error

    private var rank: Int {
      switch self {
      case .info: 0
      case .warning: 1
      case .error: 2
      }
    }
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
  }

  public var severity: Severity
  public var code: DiagnosticCode
  /// The object the finding is about: a DN, a cloud object id or a UPN.
  public var subject: String
  public var message: String

  public init(_ severity: Severity, _ code: DiagnosticCode, subject: String, _ message: String) {
    self.severity = severity
    self.code = code
    self.subject = subject
    self.message = message
  }
}

/// A stable, machine-readable reason code (what scripts and tests branch on; messages may change).
public struct DiagnosticCode: RawRepresentable, Hashable, Sendable, Codable,
  ExpressibleByStringLiteral,
  CustomStringConvertible
{
  public var rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public init(stringLiteral value: String) { self.rawValue = value }
  public var description: String { rawValue }

  public init(from decoder: any Decoder) throws {
    rawValue = try decoder.singleValueContainer().decode(String.self)
  }
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }

  public static let consistencyGuidWrongLength: DiagnosticCode = "consistencyGuidWrongLength"
  public static let consistencyGuidDiffers: DiagnosticCode = "consistencyGuidDiffers"
  public static let anchorAttributeMissing: DiagnosticCode = "anchorAttributeMissing"
  public static let objectGuidMissing: DiagnosticCode = "objectGuidMissing"
}
