import Crypto
import Foundation
import SwiftASN1
import X509

/// The room's DTLS certificate for WebRTC: ECDSA P-256, which every WebRTC stack accepts
/// (GStreamer 1.22 makes an RSA one of its own, and clients that offer only ECDSA suites, such
/// as aiortc, then find no shared cipher). Self-signed: the far end checks it against the
/// fingerprint in the room's offer, not against an authority. Made per room, kept 0600 in the
/// room's data folder, and replaced a week before it expires (30 days), so the key turns over.
public struct DTLSCertificate: Sendable, Equatable {
    /// Certificate then private key, PEM: what `dtlsdec`'s `pem` property takes.
    public let pem: String
    public let notValidAfter: Date

    static let lifetime: TimeInterval = 30 * 86_400
    static let renewal: TimeInterval = 7 * 86_400

    /// A new certificate, valid from a day ago (clocks differ) for `lifetime`.
    public static func make(now: Date = Date()) throws -> DTLSCertificate {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("guichet-room") }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(lifetime),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256, extensions: Certificate.Extensions(),
            issuerPrivateKey: .init(key))
        let pem = try certificate.serializeAsPEM().pemString + "\n" + key.pemRepresentation + "\n"
        return DTLSCertificate(pem: pem, notValidAfter: certificate.notValidAfter)
    }

    /// The room's certificate in `folder` (`dtls.pem`), made or renewed when missing, unreadable
    /// or near its end.
    public static func room(in folder: URL, now: Date = Date()) throws -> DTLSCertificate {
        let file = folder.appendingPathComponent("dtls.pem")
        if let text = try? String(contentsOf: file, encoding: .utf8), let kept = try? DTLSCertificate(pem: text),
            kept.notValidAfter.timeIntervalSince(now) > renewal
        {
            return kept
        }
        let made = try make(now: now)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // Written whole beside it, 0600 from its creation, then renamed over the old one.
        let temporary = folder.appendingPathComponent(".dtls.pem.\(getpid())")
        try? FileManager.default.removeItem(at: temporary)
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw MediaError(description: "cannot write the room's DTLS certificate in \(folder.path)")
        }
        let handle = try FileHandle(forWritingTo: temporary)
        try handle.write(contentsOf: Data(made.pem.utf8))
        try handle.synchronize()
        try handle.close()
        guard rename(temporary.path, file.path) == 0 else {
            throw MediaError(description: "cannot write the room's DTLS certificate in \(folder.path)")
        }
        return made
    }

    init(pem: String, notValidAfter: Date) {
        self.pem = pem
        self.notValidAfter = notValidAfter
    }

    /// Reads a kept certificate: an ECDSA P-256 key that matches an X.509 certificate.
    init(pem: String) throws {
        let documents = try PEMDocument.parseMultiple(pemString: pem)
        guard let certificateDocument = documents.first(where: { $0.discriminator == "CERTIFICATE" }),
            let keyDocument = documents.first(where: { $0.discriminator.hasSuffix("PRIVATE KEY") })
        else { throw MediaError(description: "not a certificate and its key") }
        let certificate = try Certificate(pemDocument: certificateDocument)
        let key = try P256.Signing.PrivateKey(pemRepresentation: keyDocument.pemString)
        guard certificate.publicKey == Certificate.PublicKey(key.publicKey) else { throw MediaError(description: "the key does not match the certificate") }
        self.pem = pem
        notValidAfter = certificate.notValidAfter
    }

    /// `sha-256 AA:BB:…`, as the offer's `a=fingerprint` writes it.
    public var fingerprint: String {
        guard let document = try? PEMDocument.parseMultiple(pemString: pem).first(where: { $0.discriminator == "CERTIFICATE" }) else { return "" }
        return "sha-256 " + SHA256.hash(data: Data(document.derBytes)).map { String(format: "%02X", $0) }.joined(separator: ":")
    }
}
