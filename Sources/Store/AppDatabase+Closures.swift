import Agenda
import Foundation
import GRDB

extension AppDatabase {
    /// Closures overlapping `span` (all of them when nil), withdrawn ones included, by start.
    public func closures(overlapping span: TimeSpan? = nil) async throws -> [Closure] {
        try await writer.read { db in try Self.closures(db, overlapping: span) }
    }

    static func closures(_ db: Database, overlapping span: TimeSpan?) throws -> [Closure] {
        guard let span else { return try ClosureRecord.order(ClosureRecord.Columns.startsAt).fetchAll(db).map(\.closure) }
        // Read inside every booking's write transaction: a cached statement.
        return try ClosureRecord.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM closure WHERE startsAt < ? AND endsAt > ? ORDER BY startsAt"),
            arguments: [span.end.seconds, span.start.seconds]
        ).map(\.closure)
    }

    /// Announces an exceptional closure (7-day notice unless an emergency) and returns the
    /// bookings it hits, so the usagers can be warned. The bookings are kept: an agent
    /// decides whether to move or cancel each one.
    public func announceClosure(span: TimeSpan, reason: String, emergency: Bool, now: Date) async throws -> (closure: Closure, hits: [Booking]) {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...300).contains(reason.count) else {
            throw AgendaError.invalidField("reason", french: "Le motif est requis (300 caractères au plus).", english: "The reason is required (at most 300 characters).")
        }
        try ClosureNotice.check(span: span, announcedAt: now, emergency: emergency)
        return try await write(target: { $0.closure.id }) { db in
            let closure = Closure(id: Identifier.make("c"), span: span, reason: reason, announcedAt: now, emergency: emergency)
            try ClosureRecord(closure).insert(db)
            let hits = BookingPlacement.hitBy(span, bookings: try Self.bookings(db, overlapping: span))
            return (closure, hits)
        }
    }

    /// Withdraws a closure; it stays in the feeds as cancelled, with a higher SEQUENCE.
    public func withdrawClosure(id: String) async throws -> Closure {
        try await write { db in
            guard var record = try ClosureRecord.fetchOne(db, key: id) else { throw AgendaError.notFound("closure", id: id) }
            guard !record.withdrawn else { return record.closure }
            record.withdrawn = true
            record.sequence += 1
            try record.update(db)
            return record.closure
        }
    }
}
