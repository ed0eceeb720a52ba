import CLDAP

/// Search scopes (RFC 4511).
public enum LDAPScope: Sendable {
  case base, oneLevel, subtree

  var raw: Int32 {
    switch self {
    case .base: LDAP_SCOPE_BASE
    case .oneLevel: LDAP_SCOPE_ONELEVEL
    case .subtree: LDAP_SCOPE_SUBTREE
    }
  }
}

/// Request controls we know how to build.
public enum LDAPRequestControl: Sendable, Hashable {
  /// AD's extended DN control (1.2.840.113556.1.4.529) with string GUID/SID forms, so entry DNs and
  /// DN-valued attributes such as `member` read `<GUID=...>;<SID=...>;CN=...`.
  case extendedDN
  /// Show deleted objects (1.2.840.113556.1.4.417): tombstones for incremental reads.
  case showDeleted
}

struct SearchPage<Entries> {
  var entries: Entries
  /// The paged-results cookie for the next page; empty when the search is complete.
  var cookie: [UInt8]
  /// How many entries the page holds.
  var count = 0
  /// The entries' DNs as keys, to see whether a search advances (`PagedSearchProgress`).
  var keys: [EntryKey] = []
}

extension LDAPHandle {
  /// One search round trip (`ldap_search_ext`, then `ldap_result` until the result arrives)
  /// carrying an RFC 2696 paged-results control (none when `pageSize` is 0: a single-entry read).
  ///
  /// - Controls are created with `ldap_create_*_control` and freed with `ldap_control_free`.
  /// - The attribute list is a NULL-terminated `char **` of our own strdup'd copies, freed here.
  /// - Messages are taken as they arrive (`LDAP_MSG_RECEIVED`), counted, and handed to `consume`,
  ///   which copies the entries out and must not keep pointers into them; every chain is freed
  ///   with `ldap_msgfree` here. A server that sends far more entries than asked is abandoned
  ///   (`ldap_abandon_ext`) as soon as the count passes the limit, so it can't fill memory.
  /// - The response cookie is binary (may contain NULs): it is copied by length, never by `strlen`,
  ///   and the berval libldap mallocs for it is released with `ber_memfree`.
  func searchPage(
    base: String, scope: LDAPScope, filter: String, attributes: [String], pageSize: Int32,
    cookie: [UInt8], controls: [LDAPRequestControl], timeout: Duration,
    consume: (OpaquePointer) throws(LDAPError) -> Void
  ) throws(LDAPError) -> (cookie: [UInt8], count: Int) {
    var serverControls: [UnsafeMutablePointer<LDAPControl>?] = []
    defer { for control in serverControls { ldap_control_free(control) } }

    if pageSize > 0 {
      var pageControl: UnsafeMutablePointer<LDAPControl>?
      var cookieCopy = cookie.map { CChar(bitPattern: $0) }
      let rcPage = cookieCopy.withUnsafeMutableBufferPointer { buffer -> Int32 in
        var value = berval(bv_len: ber_len_t(buffer.count), bv_val: buffer.baseAddress)
        return ldap_create_page_control(raw, pageSize, &value, 1, &pageControl)
      }
      try check(rcPage, "create paged-results control")
      serverControls.append(pageControl)
    }
    for control in controls {
      var created: UnsafeMutablePointer<LDAPControl>?
      switch control {
      case .extendedDN: try check(ldap_create_extended_dn_control(raw, 1, &created), "extended DN")
      case .showDeleted: try check(ldap_create_show_deleted_control(raw, &created), "show deleted")
      }
      serverControls.append(created)
    }
    serverControls.append(nil)

    var attributeNames: [UnsafeMutablePointer<CChar>?] = attributes.map { strdup($0) }
    attributeNames.append(nil)
    defer { for name in attributeNames { free(name) } }

    let operation = "search '\(filter)' under '\(base)'"
    var id: Int32 = 0
    let rc = serverControls.withUnsafeMutableBufferPointer { controlBuffer in
      attributeNames.withUnsafeMutableBufferPointer { attributeBuffer in
        ldap_search_ext(
          raw, base, scope.raw, filter, attributeBuffer.baseAddress, 0, controlBuffer.baseAddress,
          nil, nil, LDAP_NO_LIMIT, &id)
      }
    }
    // Nothing was sent (client-side failure: bad filter, server down).
    try check(rc, operation)

    var chains: [OpaquePointer] = []
    defer { for chain in chains { ldap_msgfree(chain) } }
    let limit = LDAPSearchLimits.entriesPerPage(asked: Int(pageSize))
    let deadline = ContinuousClock.now + timeout
    var count = 0
    var result: OpaquePointer?
    while result == nil {
      var tv = timeval(duration: max(deadline - ContinuousClock.now, .milliseconds(1)))
      var chain: OpaquePointer?
      let received = ldap_result(raw, id, LDAP_MSG_RECEIVED, &tv, &chain)
      guard received > 0, let chain else {
        _ = ldap_abandon_ext(raw, id, nil, nil)
        throw error(received == 0 ? LDAPError.timeout : lastResultCode(), operation)
      }
      chains.append(chain)
      count += Int(max(ldap_count_entries(raw, chain), 0))
      guard count <= limit else {
        _ = ldap_abandon_ext(raw, id, nil, nil)
        let asked = pageSize > 0 ? "a page of \(pageSize) was asked" : "in an unpaged read"
        throw LDAPError(
          kind: .misbehaved, operation: operation,
          message: "the server sent \(count) entries at once (\(asked); at most \(limit) accepted)")
      }
      try consume(chain)
      var message = ldap_first_message(raw, chain)
      while let current = message {
        if ldap_msgtype(current) == Self.searchResultTag { result = chain }
        message = ldap_next_message(raw, current)
      }
    }
    let message = result!

    var resultCode: Int32 = 0
    var matched: UnsafeMutablePointer<CChar>?
    var diagnostic: UnsafeMutablePointer<CChar>?
    var responseControls: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>?
    let parse = ldap_parse_result(
      raw, message, &resultCode, &matched, &diagnostic, nil, &responseControls, 0)
    defer {
      ldap_memfree(matched)
      ldap_memfree(diagnostic)
      ldap_controls_free(responseControls)
    }
    try check(parse, "read search result")
    guard resultCode == LDAP_SUCCESS else {
      throw LDAPError(
        kind: .result, resultCode: resultCode, operation: "search '\(filter)' under '\(base)'",
        message: LDAPError.name(of: resultCode),
        diagnosticMessage: diagnostic.map { String(cString: $0) },
        matchedDN: matched.map { String(cString: $0) })
    }

    var nextCookie: [UInt8] = []
    if let found = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, responseControls, nil),
      found.pointee.ldctl_value.bv_len > 0
    {
      var estimate: ber_int_t = 0
      var value = berval(bv_len: 0, bv_val: nil)
      try check(
        ldap_parse_pageresponse_control(raw, found, &estimate, &value), "read paged-results cookie")
      if let bytes = value.bv_val, value.bv_len > 0 {
        nextCookie = Array(UnsafeRawBufferPointer(start: bytes, count: Int(value.bv_len)))
      }
      ber_memfree(value.bv_val)
    }
    // No cookie (a server that ignores paging, or an unpaged read): nothing more to fetch.
    return (nextCookie, count)
  }

  /// LDAP_RES_SEARCH_RESULT (a cast macro Swift does not import).
  static var searchResultTag: Int32 { 0x65 }

  /// The result code libldap recorded for the last failure (`LDAP_OPT_RESULT_CODE`).
  func lastResultCode() -> Int32 {
    var code: Int32 = LDAPError.serverDown
    _ = ldap_get_option(raw, LDAP_OPT_RESULT_CODE, &code)
    return code
  }

  /// Every entry of a search result chain in the general form (see `decodeEntry`).
  func entries(of message: OpaquePointer) throws(LDAPError) -> [LDAPEntry] {
    var entries: [LDAPEntry] = []
    var entry = ldap_first_entry(raw, message)
    while let current = entry {
      entries.append(try decodeEntry(current))
      entry = ldap_next_entry(raw, current)
    }
    return entries
  }

  /// Copies one entry out of libldap's message. Walks the entry's BER once with
  /// `ldap_get_dn_ber` / `ldap_get_attribute_ber` (values point into the message, so they are
  /// copied before the message is freed); each value array is released with `ber_memfree`, the
  /// BerElement with `ber_free(ber, 0)` (the buffer belongs to the message).
  private func decodeEntry(_ entry: OpaquePointer) throws(LDAPError) -> LDAPEntry {
    var ber: OpaquePointer?
    var dnValue = berval(bv_len: 0, bv_val: nil)
    try check(ldap_get_dn_ber(raw, entry, &ber, &dnValue), "read entry DN")
    defer { if ber != nil { ber_free(ber, 0) } }
    let dn = String(decoding: bytes(of: dnValue), as: UTF8.self)

    var attributes: [LDAPAttribute] = []
    while true {
      var name = berval(bv_len: 0, bv_val: nil)
      var values: UnsafeMutablePointer<berval>?
      let rc = ldap_get_attribute_ber(raw, entry, ber, &name, &values)
      guard rc == LDAP_SUCCESS else {
        ber_memfree(values)
        throw error(rc, "read attributes of '\(dn)'")
      }
      guard name.bv_val != nil else { break }
      guard attributes.count < LDAPSearchLimits.attributesPerEntry else {
        ber_memfree(values)
        throw LDAPHandle.tooManyAttributes(dn)
      }
      var copied: [[UInt8]] = []
      if let values {
        var index = 0
        while values[index].bv_val != nil {
          copied.append(Array(bytes(of: values[index])))
          index += 1
        }
        ber_memfree(values)
      }
      attributes.append(
        LDAPAttribute(name: String(decoding: bytes(of: name), as: UTF8.self), values: copied))
    }
    return LDAPEntry(dn: dn, attributes: attributes)
  }

  /// An entry with more attribute descriptions than any AD object has.
  static func tooManyAttributes(_ dn: String) -> LDAPError {
    LDAPError(
      kind: .misbehaved, operation: "read entry '\(dn)'",
      message:
        "the server sent more than \(LDAPSearchLimits.attributesPerEntry) attributes for one "
        + "entry, more than any AD object has")
  }

  func bytes(of value: berval) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: value.bv_val, count: value.bv_val == nil ? 0 : Int(value.bv_len))
  }
}

extension SearchPage: Sendable where Entries: Sendable {}
