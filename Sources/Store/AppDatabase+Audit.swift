import Foundation
import GRDB
import Synchronization

/// One line of the audit journal: who did what, when, to which record (by id only).
public struct AuditEntry: Sendable, Equatable {
    public let at: Date
    public let actor: String
    public let action: String
    public let target: String?
}

/// Who is writing and what, for a request that reaches the store through the API, the
/// console or the visio: set around the handler by the web's audit middleware, it makes the
/// request's write transaction append its audit line inside itself, so that the action and
/// its trace commit together (at the cost of one sync, not two). One line per request: the
/// first write records it; a request that wrote nothing is recorded by the middleware.
public struct AuditContext: Sendable {
    public let actor: String
    public let action: String
    /// The record the route names (its `{id}`), else the one the write returns.
    public let target: String?
    public let at: Date
    private let mark: AuditMark

    public init(actor: String, action: String, target: String? = nil, at: Date) {
        self.init(actor: actor, action: action, target: target, at: at, mark: AuditMark())
    }

    private init(actor: String, action: String, target: String?, at: Date, mark: AuditMark) {
        (self.actor, self.action, self.target, self.at, self.mark) = (actor, action, target, at, mark)
    }

    /// Whether a write of this request already recorded the line.
    public var isRecorded: Bool { mark.recorded.withLock { $0 } }

    func markRecorded() { mark.recorded.withLock { $0 = true } }

    /// The same request, its action named more precisely by the handler (a holiday opened
    /// or closed); the line is still recorded once.
    public func with(action: String) -> AuditContext {
        AuditContext(actor: actor, action: action, target: target, at: at, mark: mark)
    }

    @TaskLocal public static var current: AuditContext?

    /// Runs `body` with the current request's action renamed.
    public static func naming<T: Sendable>(_ action: String, _ body: () async throws -> T) async rethrows -> T {
        try await $current.withValue(current?.with(action: action)) { try await body() }
    }
}

/// Shared by the copies of one request's context: set once its line is written.
final class AuditMark: Sendable {
    let recorded = Mutex(false)
}

/// An audit line a store method writes itself when no request context names one (the
/// command line, the daily job).
public struct AuditLine: Sendable {
    let actor: String
    let action: String
    let at: Date

    public init(actor: String, action: String, at: Date) {
        (self.actor, self.action, self.at) = (actor, action, at)
    }
}

extension AppDatabase {
    /// A write transaction that carries the request's audit line, if it has not been written
    /// yet (else `fallback`'s, when given): who, the action, the record — the route's, or the
    /// one `target` reads from the result.
    func write<T: Sendable>(
        target: @escaping @Sendable (T) -> String? = { _ in nil }, fallback: AuditLine? = nil,
        _ updates: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        let request = AuditContext.current.flatMap { $0.isRecorded ? nil : $0 }
        let result = try await writer.write { db in
            let result = try updates(db)
            if let request {
                try Self.audit(db, at: request.at, actor: request.actor, action: request.action, target: request.target ?? target(result))
            } else if let fallback {
                try Self.audit(db, at: fallback.at, actor: fallback.actor, action: fallback.action, target: target(result))
            }
            return result
        }
        request?.markRecorded()
        return result
    }

    /// Appends to the journal inside the caller's transaction, so an action and its trace
    /// commit together or not at all.
    static func audit(_ db: Database, at: Date, actor: String, action: String, target: String?) throws {
        // One per write: a cached statement, prepared once.
        try db.cachedStatement(sql: "INSERT INTO auditEntry (at, actor, action, target) VALUES (?, ?, ?, ?)")
            .execute(arguments: [at.seconds, actor, action, target])
    }

    /// Records an action that wrote nothing here (a visio call admitted: its state is in memory).
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
