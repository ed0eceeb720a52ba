import Crypto
import Foundation
import _CryptoExtras

/// A self-signed RSA certificate made by `openssl req -x509` (building X.509 in Swift would need
/// a dependency the product does not have), plus client-assertion signing.
struct TestCertificate: Sendable {
  let pem: String
  let privateKey: _RSA.Signing.PrivateKey
  let derBytes: Data

  /// One certificate per test process, made on its own thread (openssl key generation blocks).
  static func shared() async throws -> TestCertificate {
    try await SharedCertificate.instance.get()
  }

  static func make() throws -> TestCertificate {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("emulator-cert-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let keyPath = directory.appendingPathComponent("key.pem").path
    let certPath = directory.appendingPathComponent("cert.pem").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
      "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPath, "-out",
      certPath, "-subj", "/CN=anchorbridge-emulator-test", "-days", "2",
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw CocoaError(.fileWriteUnknown)
    }
    let pem = try String(contentsOfFile: certPath, encoding: .utf8)
    let key = try _RSA.Signing.PrivateKey(
      pemRepresentation: try String(contentsOfFile: keyPath, encoding: .utf8))
    let base64 = pem.components(separatedBy: "\n").filter { !$0.hasPrefix("-----") }.joined()
    return TestCertificate(pem: pem, privateKey: key, derBytes: Data(base64Encoded: base64)!)
  }

  static func base64URL(_ data: Data) -> String {
    data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
      .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
  }

  var sha1Thumbprint: String { Self.base64URL(Data(Insecure.SHA1.hash(data: derBytes))) }
  var sha256Thumbprint: String { Self.base64URL(Data(SHA256.hash(data: derBytes))) }

  enum Algorithm: String, Sendable {
    case rs256 = "RS256"
    case ps256 = "PS256"
  }

  /// A client assertion; `header`/`claims` entries override the correct defaults.
  func assertion(
    audience: String, clientId: String, algorithm: Algorithm = .rs256,
    header overrides: [String: Any] = [:], claims claimOverrides: [String: Any] = [:],
    tamper: Bool = false
  ) throws -> String {
    let now = Int(Date().timeIntervalSince1970)
    var header: [String: Any] = ["alg": algorithm.rawValue, "typ": "JWT"]
    switch algorithm {
    case .rs256: header["x5t"] = sha1Thumbprint
    case .ps256: header["x5t#S256"] = sha256Thumbprint
    }
    for (key, value) in overrides { header[key] = value }
    var claims: [String: Any] = [
      "aud": audience, "iss": clientId, "sub": clientId, "jti": UUID().uuidString,
      "nbf": now, "iat": now, "exp": now + 600,
    ]
    for (key, value) in claimOverrides { claims[key] = value }
    let signingInput =
      Self.base64URL(try JSONSerialization.data(withJSONObject: header)) + "."
      + Self.base64URL(try JSONSerialization.data(withJSONObject: claims))
    let padding: _RSA.Signing.Padding = algorithm == .rs256 ? .insecurePKCS1v1_5 : .PSS
    var signature = try privateKey.signature(
      for: SHA256.hash(data: Data(signingInput.utf8)), padding: padding
    ).rawRepresentation
    if tamper { signature[signature.startIndex] ^= 0xFF }
    return signingInput + "." + Self.base64URL(signature)
  }
}

private actor SharedCertificate {
  static let instance = SharedCertificate()
  private var made: Task<TestCertificate, any Error>?

  func get() async throws -> TestCertificate {
    if let made { return try await made.value }
    let task = Task<TestCertificate, any Error> {
      try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try TestCertificate.make() }) }.start()
      }
    }
    made = task
    return try await task.value
  }
}
