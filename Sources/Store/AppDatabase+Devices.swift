import Agenda
import Foundation
import GRDB

/// The structure's enrolled PCs. Codes and credentials are stored as hashes only: whoever
/// reads the database can neither enrol a PC nor speak for one.
extension AppDatabase {
    /// Issues an enrolment code for the device (a new one replaces any unspent one). The
    /// device's current credential, if any, keeps working until the code is spent.
    public func issueEnrolmentCode(device id: String, kind: Device.Kind, codeHash: String, expires: Date, actor: String, now: Date) async throws {
        try await write(target: { _ in id }, fallback: AuditLine(actor: actor, action: "device.code", at: now)) { db in
            try db.execute(
                sql: """
                    INSERT INTO device (id, kind, codeHash, codeExpiresAt) VALUES (?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, codeHash = excluded.codeHash, codeExpiresAt = excluded.codeExpiresAt
                    """,
                arguments: [id, kind.rawValue, codeHash, expires.seconds])
        }
    }

    /// Spends a code: the device's credential is replaced (a PC re-installed, or replaced,
    /// enrols again and the old one stops working). Nil when no unexpired code has that hash.
    /// A code issued for the other kind (a room's code typed on a station) is not spent.
    public func enrolDevice(codeHash: String, kind: Device.Kind, credentialHash: String, version: String, now: Date) async throws -> Device? {
        try await writer.write { db in
            guard let id = try String.fetchOne(
                db, sql: "SELECT id FROM device WHERE codeHash = ? AND kind = ? AND codeExpiresAt > ?", arguments: [codeHash, kind.rawValue, now.seconds])
            else { return nil }
            try db.execute(
                sql: """
                    UPDATE device SET codeHash = NULL, codeExpiresAt = NULL, credentialHash = ?, enrolledAt = ?, revokedAt = NULL,
                        lastContactAt = ?, version = ?, health = NULL
                    WHERE id = ?
                    """,
                arguments: [credentialHash, now.seconds, now.seconds, version, id])
            try Self.audit(db, at: now, actor: "device:\(id)", action: "device.enrol", target: id)
            return try Self.device(db, id: id)
        }
    }

    /// Revokes the device's credential and any unspent code: its next call gets 401.
    public func revokeDevice(id: String, actor: String, now: Date) async throws {
        try await write(target: { _ in id }, fallback: AuditLine(actor: actor, action: "device.revoke", at: now)) { db in
            try db.execute(
                sql: "UPDATE device SET credentialHash = NULL, codeHash = NULL, codeExpiresAt = NULL, revokedAt = ? WHERE id = ?",
                arguments: [now.seconds, id])
            guard db.changesCount == 1 else { throw AgendaError.notFound("device", id: id) }
        }
    }

    /// The enrolled, unrevoked device holding this credential.
    public func device(credentialHash: String) async throws -> Device? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM device WHERE credentialHash = ? AND revokedAt IS NULL", arguments: [credentialHash])
                .map(Self.device)
        }
    }

    public func recordDeviceContact(id: String, version: String, health: String, now: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE device SET lastContactAt = ?, version = ?, health = ? WHERE id = ? AND revokedAt IS NULL",
                arguments: [now.seconds, version, health, id])
        }
    }

    public func devices() async throws -> [Device] {
        try await writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM device ORDER BY id").map(Self.device) }
    }

    static func device(_ db: Database, id: String) throws -> Device? {
        try Row.fetchOne(db, sql: "SELECT * FROM device WHERE id = ?", arguments: [id]).map(Self.device)
    }

    static func device(_ row: Row) -> Device {
        func date(_ column: String) -> Date? { (row[column] as Int64?).map(Date.init(seconds:)) }
        return Device(
            id: row["id"], kind: Device.Kind(rawValue: row["kind"]) ?? .station, enrolledAt: date("enrolledAt"), revokedAt: date("revokedAt"),
            codeExpiresAt: date("codeExpiresAt"), lastContactAt: date("lastContactAt"), version: row["version"], health: row["health"])
    }
}
