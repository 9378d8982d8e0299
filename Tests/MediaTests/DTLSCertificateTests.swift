import Foundation
import Media
import Testing

/// The room's DTLS certificate: ECDSA P-256, made once, kept 0600, renewed before its end.
struct DTLSCertificateTests {
    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("guichet-dtls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func madeOnceKeptPrivateAndReused() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let made = try DTLSCertificate.room(in: folder.appendingPathComponent("visio"))
        #expect(made.pem.contains("BEGIN CERTIFICATE") && made.pem.contains("PRIVATE KEY"))
        #expect(made.fingerprint.hasPrefix("sha-256 ") && made.fingerprint.split(separator: ":").count == 32)
        let file = folder.appendingPathComponent("visio/dtls.pem").path
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try DTLSCertificate.room(in: folder.appendingPathComponent("visio")) == made)
    }

    @Test func renewedNearItsEndAndReplacedWhenUnreadable() throws {
        let folder = try folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try DTLSCertificate.room(in: folder)
        // 24 days later, a week before its end: a new one (and a new key).
        let later = try DTLSCertificate.room(in: folder, now: Date().addingTimeInterval(24 * 86_400))
        #expect(later != first && later.notValidAfter > first.notValidAfter)
        // A damaged or foreign file: replaced, not trusted.
        try "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".write(to: folder.appendingPathComponent("dtls.pem"), atomically: true, encoding: .utf8)
        let replaced = try DTLSCertificate.room(in: folder)
        #expect(replaced != later && replaced.pem.contains("PRIVATE KEY"))
        // Another certificate's key beside this one's certificate: refused, replaced.
        let other = try DTLSCertificate.make()
        let certificate = replaced.pem.components(separatedBy: "-----BEGIN PRIVATE KEY-----")[0]
        let key = "-----BEGIN PRIVATE KEY-----" + other.pem.components(separatedBy: "-----BEGIN PRIVATE KEY-----")[1]
        try (certificate + key).write(to: folder.appendingPathComponent("dtls.pem"), atomically: true, encoding: .utf8)
        #expect(try DTLSCertificate.room(in: folder) != replaced)
    }
}
