import CLDAP

extension LDAPHandle {
  /// Every entry of a search result chain, packed into one `LDAPEntryBatch`. Runs on the
  /// connection's thread while the message chain is alive; the batch holds copies only.
  func batch(of message: OpaquePointer, into builder: inout LDAPEntryBatchBuilder)
    throws(LDAPError)
  {
    var entry = ldap_first_entry(raw, message)
    while let current = entry {
      try appendEntry(current, to: &builder)
      entry = ldap_next_entry(raw, current)
    }
  }

  /// Walks one entry's BER in place, with a handful of libldap calls per entry and none per
  /// attribute or value.
  ///
  /// - `ldap_get_dn_ber` allocates a BerElement positioned at the attribute list (its buffer
  ///   belongs to the message, so it is released with `ber_free(ber, 0)`).
  /// - `ber_skip_element` steps over the first attribute and points at its contents inside the
  ///   message. A BerElement reads one contiguous buffer, so the rest of the list starts right
  ///   where those contents end and runs for `LBER_OPT_BER_REMAINING_BYTES`; `BERReader` reads
  ///   every attribute, `SEQUENCE { type, SET OF value }`, from there.
  /// - The bytes are copied into the builder's arena before the message is freed.
  /// - The list ends at the end of the bytes or at anything that is not an attribute sequence
  ///   (entry controls, `[0]`, may follow it).
  func appendEntry(_ entry: OpaquePointer, to builder: inout LDAPEntryBatchBuilder)
    throws(LDAPError)
  {
    var ber: OpaquePointer?
    var dn = berval(bv_len: 0, bv_val: nil)
    // Freed whatever the result: a BerElement handed out with a failure must not leak.
    defer { if ber != nil { ber_free(ber, 0) } }
    try check(ldap_get_dn_ber(raw, entry, &ber, &dn), "read entry DN")
    builder.beginEntry(dn: bytes(of: dn))

    var first = berval(bv_len: 0, bv_val: nil)
    let tag = ber_skip_element(ber, &first)
    var remaining: ber_len_t = 0
    guard
      ber_get_option(UnsafeMutableRawPointer(ber), LBER_OPT_BER_REMAINING_BYTES, &remaining)
        == LBER_OPT_SUCCESS
    else { throw malformed(dn, "can't read the attribute list") }
    if tag == cldap_lber_error() {
      // Nothing left (an entry without attributes), or an element cut short.
      guard remaining == 0 else { throw malformed(dn, "an attribute is truncated") }
      return
    }
    guard tag == Self.sequenceTag else { return }
    guard let contents = first.bv_val else { throw malformed(dn, "an attribute is empty") }
    try appendAttribute(contents: bytes(of: first), dn: dn, to: &builder)

    let rest = UnsafeRawBufferPointer(
      start: UnsafeRawPointer(contents) + Int(first.bv_len), count: Int(remaining))
    var attributes = BERReader(rest)
    var count = 1
    while !attributes.isAtEnd {
      guard let attribute = attributes.next() else {
        throw malformed(dn, "an attribute is truncated")
      }
      guard attribute.tag == UInt8(Self.sequenceTag) else { return }
      count += 1
      guard count <= LDAPSearchLimits.attributesPerEntry else {
        throw LDAPHandle.tooManyAttributes(String(decoding: bytes(of: dn), as: UTF8.self))
      }
      try appendAttribute(contents: attribute.contents, dn: dn, to: &builder)
    }
  }

  /// One attribute's `type, SET OF value` into the builder (skipped when nobody asked for it).
  private func appendAttribute(
    contents: UnsafeRawBufferPointer, dn: berval, to builder: inout LDAPEntryBatchBuilder
  ) throws(LDAPError) {
    var reader = BERReader(contents)
    guard let type = reader.next(), let set = reader.next() else {
      throw malformed(dn, "an attribute lacks its type or its value set")
    }
    guard let index = builder.attributeIndex(type.contents), builder.beginAttribute(index) else {
      return
    }
    var values = BERReader(set.contents)
    while !values.isAtEnd {
      guard let value = values.next() else { throw malformed(dn, "a value is truncated") }
      builder.append(value.contents, attribute: index)
    }
  }

  /// BER tag of a constructed SEQUENCE (LBER_SEQUENCE, a cast macro Swift does not import).
  private static var sequenceTag: ber_tag_t { 0x30 }

  private func malformed(_ dn: berval, _ problem: String) -> LDAPError {
    LDAPError(
      kind: .result, resultCode: LDAP_DECODING_ERROR,
      operation: "read entry '\(String(decoding: bytes(of: dn), as: UTF8.self))'",
      message: "the server's entry is malformed: \(problem)")
  }
}
