import Agenda
import Foundation
import GRDB

extension AppDatabase {
    /// The specialist's join link secret for a visio booking, created at the first request.
    public func visioLink(booking id: String, now: Date) async throws -> String {
        try await writer.write { db in
            guard let kind = try String.fetchOne(db, sql: "SELECT kind FROM booking WHERE id = ?", arguments: [id]) else {
                throw AgendaError.notFound("booking", id: id)
            }
            guard kind == BookingKind.visio.rawValue else {
                throw AgendaError.invalidField("booking", french: "Ce rendez-vous n’est pas une visio.", english: "This booking is not a visio.")
            }
            if let token = try String.fetchOne(db, sql: "SELECT token FROM visioLink WHERE booking = ?", arguments: [id]) { return token }
            let token = Identifier.secret()
            try db.execute(sql: "INSERT INTO visioLink (booking, token, createdAt) VALUES (?, ?, ?)", arguments: [id, token, now.seconds])
            return token
        }
    }

    /// The booking a join link belongs to and whom it lets in, or nil for an unknown (or
    /// tampered, or withdrawn) link.
    public func visioBooking(token: String) async throws -> (booking: Booking, seat: VisioSeat)? {
        guard token.count == 32, token.allSatisfy({ $0.isLetter || $0.isNumber }) else { return nil }
        let found = try await writer.read { db -> (String, VisioSeat)? in
            if let id = try String.fetchOne(db, sql: "SELECT booking FROM visioLink WHERE token = ?", arguments: [token]) { return (id, .specialist) }
            if let id = try String.fetchOne(db, sql: "SELECT booking FROM visioGuest WHERE token = ?", arguments: [token]) { return (id, .guest) }
            return nil
        }
        guard let (id, seat) = found else { return nil }
        return (try await booking(id: id), seat)
    }

    /// Invites one more participant to a visio booking: their own link, created once.
    public func inviteVisioGuest(booking id: String, now: Date) async throws -> String {
        try await writer.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT kind, status FROM booking WHERE id = ?", arguments: [id]) else {
                throw AgendaError.notFound("booking", id: id)
            }
            guard row["kind"] as String == BookingKind.visio.rawValue else {
                throw AgendaError.invalidField("booking", french: "Ce rendez-vous n’est pas une visio.", english: "This booking is not a visio.")
            }
            guard row["status"] as String != BookingStatus.cancelled.rawValue else {
                throw AgendaError.invalidField("booking", french: "Ce rendez-vous est annulé.", english: "This booking is cancelled.")
            }
            if let token = try String.fetchOne(db, sql: "SELECT token FROM visioGuest WHERE booking = ?", arguments: [id]) { return token }
            let token = Identifier.secret()
            try db.execute(sql: "INSERT INTO visioGuest (booking, token, createdAt) VALUES (?, ?, ?)", arguments: [id, token, now.seconds])
            return token
        }
    }

    /// The invited participant's link, if the agent invited one.
    public func visioGuestLink(booking id: String) async throws -> String? {
        try await writer.read { db in try String.fetchOne(db, sql: "SELECT token FROM visioGuest WHERE booking = ?", arguments: [id]) }
    }

    /// Withdraws the invitation: the link no longer opens. Whether there was one.
    @discardableResult
    public func withdrawVisioGuest(booking id: String) async throws -> Bool {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM visioGuest WHERE booking = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func visioCallStarted(booking: Booking, at: Date) async throws -> Int64 {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO visioCall (booking, partner, startedAt) VALUES (?, ?, ?)", arguments: [booking.id, booking.partner, at.seconds])
            return db.lastInsertedRowID
        }
    }

    public func visioCallEnded(id: Int64, at: Date, outcome: String) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE visioCall SET endedAt = ?, outcome = ? WHERE id = ? AND endedAt IS NULL", arguments: [at.seconds, outcome, id])
        }
    }

    /// Calls a crash or a kill interrupted: ended at the restart, outcome "interrupted".
    public func closeUnfinishedVisioCalls(at: Date) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE visioCall SET endedAt = ?, outcome = 'interrupted' WHERE endedAt IS NULL", arguments: [at.seconds])
        }
    }

    /// A call the server's restart closed ("daemon-stopped" or "interrupted") but the room's PC
    /// kept: its record is opened again and goes on. Nil when there is none from the last hour.
    public func visioCallResumed(booking: String, now: Date) async throws -> Int64? {
        try await writer.write { db in
            guard let id = try Int64.fetchOne(
                db,
                sql: """
                    SELECT id FROM visioCall WHERE booking = ? AND outcome IN ('daemon-stopped', 'interrupted') AND endedAt >= ?
                    ORDER BY id DESC LIMIT 1
                    """,
                arguments: [booking, now.seconds - 3600])
            else { return nil }
            try db.execute(sql: "UPDATE visioCall SET endedAt = NULL, outcome = NULL WHERE id = ?", arguments: [id])
            return id
        }
    }
}
