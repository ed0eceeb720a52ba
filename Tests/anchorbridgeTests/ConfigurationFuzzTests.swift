import Testing

@testable import anchorbridge

/// The YAML loader takes any text: a random mutation of a valid configuration either loads or is a
/// `ConfigurationError` naming the file (never a crash, a hang or another error type).
@Suite struct ConfigurationFuzzTests {
  static let valid = """
    directory:
      sources:
        - name: corp
          uris: [ldaps://dc1.corp.example.com]
          bind: { method: gssapi, keytab: /etc/anchorbridge/svc.keytab }
          users: { bases: ["OU=Staff,DC=corp,DC=example,DC=com"] }
    tenant:
      id: contoso.onmicrosoft.com
      clientId: 11111111-2222-3333-4444-555555555555
      auth: { clientSecretEnv: AB_SECRET }
    matching: { order: [immutableId, userPrincipalName], allowRelink: false }
    safety: { maxChanges: 50 }
    state: { dir: /var/lib/anchorbridge }
    """

  @Test(arguments: [41, 42, 43] as [UInt64])
  func mutatedConfigurations(seed: UInt64) {
    var state = seed
    func next(_ bound: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(bound))
    }
    let pieces = Array("{}[]:,-\"' \n\t#&*!|>%@`~\\0aZ".unicodeScalars)
    #expect((try? Configuration(yaml: Self.valid, file: "fuzz.yaml")) != nil)
    for _ in 0..<500 {
      var scalars = Array(Self.valid.unicodeScalars)
      for _ in 0..<(1 + next(4)) {
        let index = next(scalars.count)
        switch next(3) {
        case 0: scalars.remove(at: index)
        case 1: scalars.insert(pieces[next(pieces.count)], at: index)
        default: scalars[index] = pieces[next(pieces.count)]
        }
      }
      var text = String.UnicodeScalarView()
      text.append(contentsOf: scalars)
      do {
        _ = try Configuration(yaml: String(text), file: "fuzz.yaml")
      } catch {
        #expect(error.file == "fuzz.yaml" && !error.problem.isEmpty)
      }
    }
  }
}
