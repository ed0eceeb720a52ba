import Crypto
import Foundation
import _CryptoExtras

/// The certificate (DER) whose thumbprint Entra knows, and the key that signs assertions.
public struct ClientCertificate: Sendable {
  public let certificateDER: [UInt8]
  let privateKey: _RSA.Signing.PrivateKey
  public let algorithm: TenantConfiguration.AssertionAlgorithm

  public init(
    certificateDER: [UInt8], privateKey: _RSA.Signing.PrivateKey,
    algorithm: TenantConfiguration.AssertionAlgorithm
  ) {
    self.certificateDER = certificateDER
    self.privateKey = privateKey
    self.algorithm = algorithm
  }

  /// base64url(SHA-1(DER)): the `x5t` header of RS256 assertions.
  public var sha1Thumbprint: String {
    Base64URL.encode(Array(Insecure.SHA1.hash(data: certificateDER)))
  }
  /// base64url(SHA-256(DER)): the `x5t#S256` header of PS256 assertions.
  public var sha256Thumbprint: String { Base64URL.encode(Array(SHA256.hash(data: certificateDER))) }
}
