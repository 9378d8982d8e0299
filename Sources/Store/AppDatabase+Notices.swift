import Agenda
import Foundation
import GRDB

/// One notice's identity: the booking, the kind, the appointment's start it speaks of.
public struct NoticeKey: Sendable, Hashable {
    public var booking: String
    public var channel: NoticeChannel
    public var kind: NoticeKind
    public var startsAt: Date

    public init(booking: String, channel: NoticeChannel, kind: NoticeKind, startsAt: Date) {
        self.booking = booking
        self.channel = channel
        self.kind = kind
        self.startsAt = startsAt
    }
}

/// A notice given up after its last attempt: what an agent needs to phone the usager instead.
public struct GivenUpNotice: Sendable, Equatable {
    public var booking: Booking
    public var channel: NoticeChannel
    public var kind: NoticeKind
    public var gaveUpAt: Date
    public var lastError: String?
}

extension AppDatabase {
    /// Bookings that may owe a notice (the usager left a contact with consent, the appointment
    /// is ahead, booked or cancelled), each with its notices so far.
    public func noticeCandidates(now: Date) async throws -> [(booking: Booking, notices: [NoticeState])] {
        try await writer.read { db in
            let bookings = try BookingRecord
                .filter(sql: "(usagerEmail IS NOT NULL OR usagerPhone IS NOT NULL) AND reminderConsent = 1 AND startsAt > ? AND status IN ('booked', 'cancelled')", arguments: [now.seconds])
                .order(BookingRecord.Columns.startsAt)
                .fetchAll(db)
            guard !bookings.isEmpty else { return [] }
            var notices: [String: [NoticeState]] = [:]
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT n.booking, n.channel, n.kind, n.startsAt, n.nextAttemptAt, n.sentAt, n.gaveUpAt FROM bookingNotice n
                    JOIN booking b ON b.id = n.booking
                    WHERE b.reminderConsent = 1 AND b.startsAt > ?
                    """, arguments: [now.seconds])
            for row in rows {
                guard let kind = NoticeKind(rawValue: row["kind"]), let channel = NoticeChannel(rawValue: row["channel"]) else { continue }
                let state = NoticeState(
                    channel: channel, kind: kind, startsAt: Date(seconds: row["startsAt"]), sentAt: (row["sentAt"] as Int64?).map(Date.init(seconds:)),
                    gaveUpAt: (row["gaveUpAt"] as Int64?).map(Date.init(seconds:)), nextAttemptAt: Date(seconds: row["nextAttemptAt"]))
                notices[row["booking"], default: []].append(state)
            }
            return bookings.map { ($0.booking, notices[$0.id] ?? []) }
        }
    }

    /// Records that an attempt begins; returns its number (1 for the first). Until the attempt
    /// is recorded sent or failed, the notice is not owed again before `retryAt`: a daemon
    /// killed while the MTA takes the message tries again then (at most one duplicate,
    /// with the same Message-ID) rather than never.
    public func beginNotice(_ key: NoticeKey, now: Date, retryAt: Date) async throws -> Int {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO bookingNotice (booking, channel, kind, startsAt, attempts, nextAttemptAt) VALUES (?, ?, ?, ?, 1, ?)
                    ON CONFLICT (booking, channel, kind, startsAt) DO UPDATE SET attempts = attempts + 1, nextAttemptAt = excluded.nextAttemptAt
                    """, arguments: Self.arguments(key) + [retryAt.seconds])
            return try Int.fetchOne(db, sql: "SELECT attempts FROM bookingNotice WHERE \(Self.keyMatch)", arguments: Self.arguments(key)) ?? 1
        }
    }

    public func noticeSent(_ key: NoticeKey, now: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE bookingNotice SET sentAt = ?, lastError = NULL WHERE \(Self.keyMatch)",
                arguments: [now.seconds] + Self.arguments(key))
        }
    }

    /// An attempt failed: tried again from `retryAt`, or given up when nil. `error` must hold
    /// no address and no text of the message.
    public func noticeFailed(_ key: NoticeKey, error: String, now: Date, retryAt: Date?) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE bookingNotice SET lastError = ?, nextAttemptAt = ?, gaveUpAt = ? WHERE \(Self.keyMatch)",
                arguments: [String(error.prefix(200)), (retryAt ?? now).seconds, retryAt == nil ? now.seconds : nil] + Self.arguments(key))
        }
    }

    /// Notices given up since `since` whose appointment is still ahead, for the agents.
    public func givenUpNotices(since: Date, now: Date) async throws -> [GivenUpNotice] {
        try await writer.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT n.booking, n.channel, n.kind, n.gaveUpAt, n.lastError FROM bookingNotice n JOIN booking b ON b.id = n.booking
                    WHERE n.gaveUpAt >= ? AND b.startsAt > ? ORDER BY b.startsAt
                    """, arguments: [since.seconds, now.seconds])
            return try rows.compactMap { row in
                guard let kind = NoticeKind(rawValue: row["kind"]), let channel = NoticeChannel(rawValue: row["channel"]) else { return nil }
                return GivenUpNotice(booking: try Self.bookingRecord(db, id: row["booking"]).booking, channel: channel, kind: kind, gaveUpAt: Date(seconds: row["gaveUpAt"]), lastError: row["lastError"])
            }
        }
    }

    private static let keyMatch = "booking = ? AND channel = ? AND kind = ? AND startsAt = ?"
    private static func arguments(_ key: NoticeKey) -> StatementArguments { [key.booking, key.channel.rawValue, key.kind.rawValue, key.startsAt.seconds] }
}
