import Crypto
import Foundation
import SwiftASN1
import X509

/// The certificate chain and key the emulator serves https with: read from PEM files, or a
/// freshly generated pair (a throwaway CA and a leaf for the loopback names) whose CA clients
/// are told to trust.
public struct EmulatorTLS: Sendable {
  /// Leaf first, PEM.
  public let certificateChainPEM: String
  public let privateKeyPEM: String
  /// The CA of a generated pair (PEM), to hand to clients as their trust root; nil for files.
  public let generatedCAPEM: String?

  public init(certificateChainPEM: String, privateKeyPEM: String, generatedCAPEM: String? = nil) {
    self.certificateChainPEM = certificateChainPEM
    self.privateKeyPEM = privateKeyPEM
    self.generatedCAPEM = generatedCAPEM
  }

  /// Reads a PEM certificate (chain) file and a PEM private key file.
  public static func files(certificate: String, key: String) throws -> EmulatorTLS {
    do {
      return EmulatorTLS(
        certificateChainPEM: try String(contentsOfFile: certificate, encoding: .utf8),
        privateKeyPEM: try String(contentsOfFile: key, encoding: .utf8))
    } catch {
      throw TenantEmulatorError.tlsUnusable(
        reason: "cannot read \(certificate) or \(key): \(error)")
    }
  }

  /// A new CA (valid a year) and a leaf for `localhost`, `127.0.0.1`, `::1` and `hosts`.
  public static func generated(hosts: [String] = []) throws -> EmulatorTLS {
    do {
      let now = Date()
      let caKey = P256.Signing.PrivateKey()
      let caName = try DistinguishedName {
        OrganizationName("AnchorBridge")
        CommonName("AnchorBridge tenant emulator CA")
      }
      let caPublic = Certificate.PublicKey(caKey.publicKey)
      let caIdentifier = SubjectKeyIdentifier(hash: caPublic)
      let ca = try Certificate(
        version: .v3, serialNumber: .init(), publicKey: caPublic,
        notValidBefore: now - 3600, notValidAfter: now + 365 * 86400, issuer: caName,
        subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
        extensions: try Certificate.Extensions {
          Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
          Critical(KeyUsage(keyCertSign: true, cRLSign: true))
          caIdentifier
        }, issuerPrivateKey: .init(caKey))
      let leafKey = P256.Signing.PrivateKey()
      let leafName = try DistinguishedName { CommonName("localhost") }
      var names: [GeneralName] = [
        .dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
        .ipAddress(
          ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1]))),
      ]
      for host in hosts where host != "localhost" {
        if let address = ipv4Bytes(host) {
          names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(address))))
        } else if !host.contains(":") {
          names.append(.dnsName(host))
        }
      }
      let leafPublic = Certificate.PublicKey(leafKey.publicKey)
      let leaf = try Certificate(
        version: .v3, serialNumber: .init(), publicKey: leafPublic,
        notValidBefore: now - 3600, notValidAfter: now + 365 * 86400, issuer: caName,
        subject: leafName, signatureAlgorithm: .ecdsaWithSHA256,
        extensions: try Certificate.Extensions {
          Critical(BasicConstraints.notCertificateAuthority)
          Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
          try ExtendedKeyUsage([.serverAuth])
          SubjectAlternativeNames(names)
          SubjectKeyIdentifier(hash: leafPublic)
          AuthorityKeyIdentifier(keyIdentifier: caIdentifier.keyIdentifier)
        }, issuerPrivateKey: .init(caKey))
      let leafPEM = try leaf.serializeAsPEM().pemString
      let caPEM = try ca.serializeAsPEM().pemString
      return EmulatorTLS(
        certificateChainPEM: leafPEM + "\n" + caPEM, privateKeyPEM: leafKey.pemRepresentation,
        generatedCAPEM: caPEM)
    } catch let error as TenantEmulatorError {
      throw error
    } catch {
      throw TenantEmulatorError.tlsUnusable(reason: "cannot generate a certificate: \(error)")
    }
  }

  private static func ipv4Bytes(_ text: String) -> [UInt8]? {
    let parts = text.split(separator: ".")
    guard parts.count == 4 else { return nil }
    let bytes = parts.compactMap { UInt8($0) }
    return bytes.count == 4 ? bytes : nil
  }
}
