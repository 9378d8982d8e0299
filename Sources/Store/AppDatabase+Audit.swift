import Foundation
import GRDB

/// One line of the audit journal: who did what, when, to which record (by id only).
public struct AuditEntry: Sendable, Equatable {
    public let at: Date
    public let actor: String
    public let action: String
    public let target: String?
}

/// Who is writing, for a request that reaches the store through the API: set around the
/// handler, it makes every write transaction append its audit line inside itself, so that
/// the action and its trace commit together at the cost of one sync, not two.
public struct AuditContext: Sendable {
    public let actor: String
    public let action: String
    public let at: Date

    public init(actor: String, action: String, at: Date) {
        self.actor = actor
        self.action = action
        self.at = at
    }

    @TaskLocal public static var current: AuditContext?
}

extension AppDatabase {
    /// A write transaction that carries the task's audit line, if any.
    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let audit = AuditContext.current
        return try await writer.write { db in
            let result = try updates(db)
            if let audit { try Self.audit(db, at: audit.at, actor: audit.actor, action: audit.action, target: nil) }
            return result
        }
    }

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
