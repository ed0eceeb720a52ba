/// The bounds a search holds a server to, taken from AD's documented limits rather than from what
/// a lenient server accepts: a server outside them is broken or hostile, and the search ends with
/// an `LDAPError` of kind `.misbehaved` naming the server instead of looping or growing.
public enum LDAPSearchLimits {
  /// A page may hold at most this multiple of the page size asked: AD never sends more than asked
  /// (nor more than its MaxPageSize, 1,000 by default).
  public static let pageOverrun = 2
  /// Entries an unpaged read may hold: AD applies MaxPageSize to unpaged searches too.
  public static let unpagedEntries = 1_000 * pageOverrun
  /// Attribute descriptions one entry may carry: more than AD's schema (base, Exchange and
  /// extensions together) defines, so no real object reaches it.
  public static let attributesPerEntry = 10_000
  /// Entries one search may return: AD's limit on the objects a domain holds over its lifetime
  /// (2^31 relative identifiers).
  public static let entriesPerSearch = 2_147_483_647
  /// Pages in a row without an entry: AD returns an empty page only when a page's time limit ran
  /// out, never many in a row.
  public static let emptyPagesInARow = 100

  /// The most entries one page may hold when `pageSize` were asked (0: an unpaged read).
  static func entriesPerPage(asked pageSize: Int) -> Int {
    pageSize > 0 ? pageSize * pageOverrun : unpagedEntries
  }
}
