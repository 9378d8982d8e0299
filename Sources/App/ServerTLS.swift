import Crypto
import Foundation
import NIOSSL

/// The daemon's own TLS (`--tls-cert`, `--tls-key`): PEM files, often a self-signed
/// certificate on a LAN server, which is why a device pins its fingerprint at enrolment.
public struct ServerTLS: Sendable {
    public var certificatePath: String
    public var keyPath: String

    public init(certificatePath: String, keyPath: String) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The server configuration, and the SHA-256 fingerprint of the certificate it serves.
    func load() throws -> (TLSConfiguration, fingerprint: String) {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw LoadError(description: "--tls-cert \(certificatePath): not a readable PEM certificate (\(error))")
        }
        guard let leaf = chain.first else { throw LoadError(description: "--tls-cert \(certificatePath): no certificate in the file") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw LoadError(description: "--tls-key \(keyPath): not a readable PEM private key (\(error))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        do {
            // Building the context checks that the key belongs to the certificate.
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw LoadError(description: "--tls-key \(keyPath) does not match --tls-cert \(certificatePath) (\(error))")
        }
        return (configuration, try Self.fingerprint(leaf))
    }

    /// `sha256:` and the DER's digest in lower-case hex pairs separated by colons, as
    /// `openssl x509 -fingerprint -sha256` prints it (lower-cased).
    public static func fingerprint(_ certificate: NIOSSLCertificate) throws -> String {
        let digest = SHA256.hash(data: try certificate.toDERBytes())
        return "sha256:" + digest.map { String(format: "%02x", $0) }.joined(separator: ":")
    }
}
