import Crypto
import Foundation
import _CryptoExtras

/// A credential loaded from the places a `TenantConfiguration` names, ready to use.
public enum ClientCredential: Sendable {
  case secret(Secret)
  case certificate(ClientCertificate)

  /// Reads the secret or the certificate/key pair. `environment` is injectable for tests.
  public static func load(
    _ credential: TenantConfiguration.Credential,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(GraphError) -> ClientCredential {
    switch credential {
    case .clientSecret(.environment(let name)):
      guard let value = environment[name], !value.isEmpty else {
        throw .configuration(
          "tenant.auth.clientSecretEnv", name, "environment variable is not set or empty")
      }
      return .secret(Secret(value))
    case .clientSecret(.file(let path)):
      let text = try readPrivateFile(path, key: "tenant.auth.clientSecretFile")
      let value = text.trimmingCharacters(in: .newlines)
      guard !value.isEmpty else {
        throw .configuration("tenant.auth.clientSecretFile", path, "file is empty")
      }
      return .secret(Secret(value))
    case .certificate(let certificatePath, let keyPath, let algorithm):
      let certificatePEM = try readFile(certificatePath, key: "tenant.auth.certificateFile")
      guard let der = PEM.firstBlock(labelled: "CERTIFICATE", in: certificatePEM) else {
        throw .configuration(
          "tenant.auth.certificateFile", certificatePath, "no PEM CERTIFICATE block found")
      }
      let keyPEM = try readPrivateFile(keyPath, key: "tenant.auth.privateKeyFile")
      let key: _RSA.Signing.PrivateKey
      do {
        key = try _RSA.Signing.PrivateKey(pemRepresentation: keyPEM)
      } catch {
        throw .configuration(
          "tenant.auth.privateKeyFile", keyPath,
          "not an unencrypted PEM RSA private key (PKCS#1 or PKCS#8)")
      }
      return .certificate(
        ClientCertificate(certificateDER: der, privateKey: key, algorithm: algorithm))
    }
  }

  static func readFile(_ path: String, key: String) throws(GraphError) -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .configuration(key, path, "file does not exist or is not readable")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw .configuration(key, path, "file is not UTF-8 text")
    }
    return text
  }

  /// Refuses a secret-bearing file that group or others may read (like ssh does for keys).
  static func readPrivateFile(_ path: String, key: String) throws(GraphError) -> String {
    let attributes: [FileAttributeKey: Any]
    do {
      attributes = try FileManager.default.attributesOfItem(atPath: path)
    } catch {
      throw .configuration(key, path, "file does not exist or is not readable")
    }
    if let mode = (attributes[.posixPermissions] as? NSNumber)?.uint16Value, mode & 0o077 != 0 {
      throw .configuration(
        key, path,
        "file mode \(String(mode & 0o777, radix: 8)) lets group/others read it; chmod 600 it")
    }
    return try readFile(path, key: key)
  }
}
