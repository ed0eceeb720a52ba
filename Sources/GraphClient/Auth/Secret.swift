/// A credential that never prints: `description`, `debugDescription`, `dump` and string
/// interpolation all show `<redacted>`. The value is reachable only through `withValue`, which
/// keeps the places that touch it greppable.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
  CustomReflectable
{
  private let storage: String

  public init(_ value: String) { storage = value }

  public var description: String { "<redacted>" }
  public var debugDescription: String { "<redacted>" }
  public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

  public var isEmpty: Bool { storage.isEmpty }

  /// Hands the clear text to `body`; don't let it escape into logs or errors.
  public func withValue<R>(_ body: (String) throws -> R) rethrows -> R { try body(storage) }
}
