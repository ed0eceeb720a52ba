import ActiveDirectory
import AnchorCore

extension DirectoryRenderer {
  /// Writes one page of users as JSON straight from the page's bytes, appending to `out`: the same
  /// text `page(_:columns:rows:json:)` with `userJSON` writes for the users' `read()` values, without
  /// building them (no per-user strings or arrays). Returns what the anchor policy had to say.
  ///
  /// Keys are written with the punctuation around them in one piece, and the texts that repeat
  /// (the source name, the anchor source) are escaped once per page.
  mutating func usersJSON(_ page: UserPage, into out: inout JSONText) throws(ActiveDirectoryError)
    -> [Diagnostic]
  {
    var repeats = RepeatFilter(active: false)
    return try usersJSON(page, into: &out, repeats: &repeats)
  }

  /// As above, skipping the users `repeats` has seen already (a parallel read's repeats).
  mutating func usersJSON(
    _ page: UserPage, into out: inout JSONText, repeats: inout RepeatFilter
  ) throws(ActiveDirectoryError) -> [Diagnostic] {
    var diagnostics: [Diagnostic] = []
    var failure: ActiveDirectoryError?
    var started = self.started
    page.withUnsafeUsers { users in
      var anchorSources = RepeatedText()
      var sources = RepeatedText()
      for user in users {
        let anchor: UserAnchor
        do throws(ActiveDirectoryError) {
          anchor = try user.anchor()
        } catch {
          failure = error
          return
        }
        if !repeats.admits(anchor.objectGUID) { continue }
        out.raw(started ? ",\n{\"dn\":" : "[\n{\"dn\":")
        started = true
        out.string(utf8: user.distinguishedName)
        out.raw(",\"objectGuid\":")
        out.quoted { anchor.objectGUID.appendCanonicalString(to: &$0) }
        out.raw(",\"immutableId\":")
        switch anchor.resolved.anchor {
        case let immutableId? where immutableId.kind == .guid:
          out.quoted { immutableId.appendImmutableId(to: &$0) }  // base64: nothing to escape
        case let other:
          out.string(other?.immutableId)
        }
        out.raw(",\"anchorSource\":")
        out.append(anchorSources.json(anchor.resolved.source))
        out.raw(",\"userPrincipalName\":")
        out.string(utf8: user.userPrincipalName)
        out.raw(",\"samAccountName\":")
        out.string(utf8: user.samAccountName)
        out.raw(",\"mail\":")
        out.string(utf8: user.mail)
        out.raw(",\"proxyAddresses\":")
        out.strings(utf8: user.proxyAddresses)
        out.raw(user.enabled ? ",\"enabled\":true,\"source\":" : ",\"enabled\":false,\"source\":")
        out.append(sources.json(user.source))
        out.raw("}")
        if !anchor.resolved.diagnostics.isEmpty {
          diagnostics.append(contentsOf: anchor.resolved.diagnostics)
        }
      }
    }
    self.started = started
    if let failure { throw failure }
    return diagnostics
  }
}

/// The JSON string of a text that is nearly always the same as last time, escaped only when it
/// changes.
private struct RepeatedText {
  private var text: String?
  private var encoded = JSONText()

  mutating func json(_ value: String) -> JSONText {
    if value != text {
      text = value
      encoded.removeAll()
      encoded.string(value)
    }
    return encoded
  }
}
