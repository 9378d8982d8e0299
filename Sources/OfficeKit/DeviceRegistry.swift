import Agenda
import Crypto
import Logging
import Foundation
import Station
import Store

/// Enrolment codes and device credentials: a manager declares a PC and gets a short code,
/// valid fifteen minutes, spent once; the PC exchanges it for a credential (256 random bits)
/// it sends with every call. Only SHA-256 hashes reach the database.
public actor DeviceRegistry {
    public static let codeLifetime: TimeInterval = 15 * 60
    /// Failed enrolments per address per quarter of an hour before the address is refused.
    static let attemptsPerAddress = 10
    /// Contacts are written at most this often per device (a station calls several times a second).
    static let contactInterval: TimeInterval = 30

    let database: AppDatabase
    let clock: @Sendable () -> Date
    private var written: [String: (at: Date, version: String, health: String)] = [:]

    public init(database: AppDatabase, clock: @escaping @Sendable () -> Date) {
        self.database = database
        self.clock = clock
    }

    /// No ambiguous letters (0/O, 1/I/L): read aloud or typed on a keyboard without a mistake.
    static let alphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")

    public struct Code: Sendable {
        public let text: String
        public let expires: Date
    }

    public func issueCode(for id: String, kind: Device.Kind, actor: String) async throws -> Code {
        var generator = SystemRandomNumberGenerator()
        let letters = (0..<8).map { _ in Self.alphabet.randomElement(using: &generator)! }
        let text = String(letters[0..<4]) + "-" + String(letters[4...])
        let now = clock()
        let expires = now.addingTimeInterval(Self.codeLifetime)
        try await database.issueEnrolmentCode(device: id, kind: kind, codeHash: Self.hash(Self.normalised(text)), expires: expires, actor: actor, now: now)
        return Code(text: text, expires: expires)
    }

    public enum EnrolmentError: Error, Equatable {
        case unknownCode, tooManyAttempts
    }

    /// Spends a code issued for a device of `kind`; returns the device and its credential
    /// (shown this once, never stored).
    public func enrol(code: String, kind: Device.Kind, version: String, address: String) async throws -> (Device, credential: String) {
        let now = clock()
        let failures = try await database.recentFailures(login: "device-enrolment", address: address, since: now.addingTimeInterval(-Self.codeLifetime))
        guard failures.address < Self.attemptsPerAddress else {
            SecurityLog.logger.warning("enrolment refused: too many wrong codes", metadata: ["guichet.address": "\(address)"])
            throw EnrolmentError.tooManyAttempts
        }
        let credential = StationSecrets.random()
        guard let device = try await database.enrolDevice(
            codeHash: Self.hash(Self.normalised(code)), kind: kind, credentialHash: Self.hash(credential), version: String(version.prefix(40)), now: now)
        else {
            try await database.recordSignInAttempt(login: "device-enrolment", address: address, succeeded: false, now: now)
            SecurityLog.logger.notice("enrolment refused: unknown or expired code", metadata: ["guichet.address": "\(address)", "guichet.kind": "\(kind.rawValue)"])
            throw EnrolmentError.unknownCode
        }
        try await database.recordSignInAttempt(login: "device-enrolment", address: address, succeeded: true, now: now)
        SecurityLog.logger.notice("device enrolled", metadata: ["guichet.device": "\(device.id)", "guichet.kind": "\(kind.rawValue)", "guichet.address": "\(address)"])
        forget(device.id)
        return (device, credential)
    }

    /// The device a credential belongs to, or nil (unknown, or revoked). Read from the
    /// database each time (an indexed read): a revocation or a re-enrolment made by another
    /// process counts at once.
    public func authenticate(_ credential: String) async throws -> Device? {
        guard credential.count == 64 else { return nil }
        return try await database.device(credentialHash: Self.hash(credential))
    }

    public func revoke(_ id: String, actor: String) async throws {
        try await database.revokeDevice(id: id, actor: actor, now: clock())
        SecurityLog.logger.notice("device revoked", metadata: ["guichet.device": "\(id)", "guichet.actor": "\(actor)"])
        forget(id)
    }

    /// Notes that the device called; written when it says something new, or every 30 s.
    public func contact(_ device: Device, version: String, health: String) async throws {
        let now = clock()
        let (version, health) = (String(version.prefix(40)), String(health.prefix(200)))
        if let last = written[device.id], last.version == version, last.health == health, now.timeIntervalSince(last.at) < Self.contactInterval { return }
        written[device.id] = (now, version, health)
        try await database.recordDeviceContact(id: device.id, version: version, health: health, now: now)
    }

    private func forget(_ id: String) {
        written[id] = nil
    }

    /// Upper-case, without the dash or spaces a person may type.
    static func normalised(_ code: String) -> String {
        code.uppercased().filter { !$0.isWhitespace && $0 != "-" }
    }

    static func hash(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
