import Foundation
import GRDB

/// One line of the audit journal: who did what, when, to which record (by id only).
public struct AuditEntry: Sendable, Equatable {
    public let at: Date
    public let actor: String
    public let action: String
    public let target: String?
}

extension AppDatabase {
    /// Appends to the journal inside the caller's transaction, so an action and its trace
    /// commit together or not at all.
    static func audit(_ db: Database, at: Date, actor: String, action: String, target: String?) throws {
        try db.execute(
            sql: "INSERT INTO auditEntry (at, actor, action, target) VALUES (?, ?, ?, ?)",
            arguments: [at.seconds, actor, action, target])
    }

    /// Records an action done elsewhere (an agenda write made through the API, say).
    public func audit(actor: String, action: String, target: String?, now: Date) async throws {
        try await writer.write { db in try Self.audit(db, at: now, actor: actor, action: action, target: target) }
    }

    public func auditJournal(limit: Int = 200) async throws -> [AuditEntry] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM auditEntry ORDER BY id DESC LIMIT ?", arguments: [limit]).map {
                AuditEntry(at: Date(seconds: $0["at"]), actor: $0["actor"], action: $0["action"], target: $0["target"])
            }
        }
    }
}
