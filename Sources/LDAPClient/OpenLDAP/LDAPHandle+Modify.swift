import CLDAP

/// One change in a modify request.
public struct LDAPModification: Sendable, Hashable {
  public enum Operation: Sendable { case add, delete, replace }
  public var operation: Operation
  public var attribute: String
  /// Values as bytes; an empty list with `.delete` removes the whole attribute, with `.replace` too.
  public var values: [[UInt8]]

  public init(_ operation: Operation, _ attribute: String, values: [[UInt8]]) {
    self.operation = operation
    self.attribute = attribute
    self.values = values
  }

  var rawOperation: Int32 {
    let base: Int32
    switch operation {
    case .add: base = LDAP_MOD_ADD
    case .delete: base = LDAP_MOD_DELETE
    case .replace: base = LDAP_MOD_REPLACE
    }
    return base | LDAP_MOD_BVALUES
  }
}

extension LDAPHandle {
  /// `ldap_modify_ext_s` with binary (`LDAP_MOD_BVALUES`) values. Every C structure passed is built
  /// from buffers we own for the duration of the call and freed here; libldap copies nothing back.
  func modify(dn: String, _ modifications: [LDAPModification]) throws(LDAPError) {
    var valueStorage: [[UnsafeMutableBufferPointer<CChar>]] = []
    var bervalArrays: [UnsafeMutablePointer<UnsafeMutablePointer<berval>?>] = []
    var bervals: [UnsafeMutablePointer<berval>] = []
    var names: [UnsafeMutablePointer<CChar>?] = []
    var mods: [UnsafeMutablePointer<LDAPMod>] = []
    defer {
      for buffers in valueStorage { for buffer in buffers { buffer.deallocate() } }
      for array in bervalArrays { array.deallocate() }
      for value in bervals { value.deallocate() }
      for name in names { free(name) }
      for mod in mods { mod.deallocate() }
    }

    for modification in modifications {
      let array = UnsafeMutablePointer<UnsafeMutablePointer<berval>?>.allocate(
        capacity: modification.values.count + 1)
      bervalArrays.append(array)
      var buffers: [UnsafeMutableBufferPointer<CChar>] = []
      for (index, value) in modification.values.enumerated() {
        let buffer = UnsafeMutableBufferPointer<CChar>.allocate(capacity: max(value.count, 1))
        for (offset, byte) in value.enumerated() { buffer[offset] = CChar(bitPattern: byte) }
        buffers.append(buffer)
        let element = UnsafeMutablePointer<berval>.allocate(capacity: 1)
        element.initialize(to: berval(bv_len: ber_len_t(value.count), bv_val: buffer.baseAddress))
        bervals.append(element)
        array[index] = element
      }
      array[modification.values.count] = nil
      valueStorage.append(buffers)

      let name = strdup(modification.attribute)
      names.append(name)
      let mod = UnsafeMutablePointer<LDAPMod>.allocate(capacity: 1)
      var entry = LDAPMod()
      entry.mod_op = modification.rawOperation
      entry.mod_type = name
      entry.mod_vals.modv_bvals = modification.values.isEmpty ? nil : array
      mod.initialize(to: entry)
      mods.append(mod)
    }
    var list: [UnsafeMutablePointer<LDAPMod>?] = mods
    list.append(nil)
    let rc = list.withUnsafeMutableBufferPointer { buffer in
      ldap_modify_ext_s(raw, dn, buffer.baseAddress, nil, nil)
    }
    try check(rc, "modify '\(dn)'")
  }
}
