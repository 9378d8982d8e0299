import Agenda
import Foundation
import GRDB

/// How many records lost their personal data in one purge run.
public struct PurgeReport: Sendable, Equatable {
    public var bookings = 0
    public var contactNotes = 0
    public var referrals = 0
    public var mandates = 0
    public var messages = 0

    public var total: Int { bookings + contactNotes + referrals + mandates + messages }

    public init(bookings: Int = 0, contactNotes: Int = 0, referrals: Int = 0, mandates: Int = 0, messages: Int = 0) {
        self.bookings = bookings
        self.contactNotes = contactNotes
        self.referrals = referrals
        self.mandates = mandates
        self.messages = messages
    }
}

extension AppDatabase {
    /// Clears personal fields whose purpose has ended, keeping every row so that aggregate
    /// figures (reports) do not change. One transaction: a kill leaves all or nothing.
    public func purgePersonalData(
        bookingDays: Int, contactNoteDays: Int, referralDays: Int, mandateDays: Int, messageDays: Int = 30, actor: String, now: Date
    ) async throws -> PurgeReport {
        let cutoff: @Sendable (Int) -> Int64 = { days in now.seconds - Int64(days) * 86_400 }
        let report = try await write(target: { (report: PurgeReport) in "\(report.total)" }, fallback: AuditLine(actor: actor, action: "purge", at: now)) { db in
            var report = PurgeReport()
            try db.execute(
                sql: """
                    UPDATE booking SET usagerName = NULL, usagerPhone = NULL, usagerEmail = NULL, reminderConsent = 0, purgedAt = ?
                    WHERE purgedAt IS NULL AND endsAt <= ? AND (status IN ('done', 'no-show', 'cancelled') OR endsAt <= ?)
                      AND (usagerName IS NOT NULL OR usagerPhone IS NOT NULL OR usagerEmail IS NOT NULL)
                    """,
                // A booking never closed by an agent is purged a week after its end anyway.
                arguments: [now.seconds, cutoff(bookingDays), cutoff(max(bookingDays, 7))])
            report.bookings = db.changesCount
            // A purged self-booking's code no longer opens it, and its contact key goes too.
            try db.execute(
                sql: """
                    UPDATE selfBooking SET code = NULL, contact = NULL
                    WHERE (code IS NOT NULL OR contact IS NOT NULL) AND booking IN (SELECT id FROM booking WHERE purgedAt IS NOT NULL)
                    """)
            try db.execute(sql: "UPDATE contact SET note = NULL WHERE note IS NOT NULL AND at <= ?", arguments: [cutoff(contactNoteDays)])
            report.contactNotes = db.changesCount
            try db.execute(
                sql: """
                    UPDATE referral SET usagerName = NULL, subject = NULL, answer = NULL, purgedAt = ?
                    WHERE purgedAt IS NULL AND closedAt IS NOT NULL AND closedAt <= ?
                    """,
                arguments: [now.seconds, cutoff(referralDays)])
            report.referrals = db.changesCount
            let ended = try String.fetchAll(
                db,
                sql: """
                    SELECT id FROM mandate WHERE purgedAt IS NULL
                      AND ((withdrawnAt IS NOT NULL AND withdrawnAt <= ?) OR expiresAt <= ?)
                    """,
                arguments: [cutoff(mandateDays), cutoff(mandateDays)])
            for id in ended {
                try db.execute(sql: "UPDATE mandate SET usagerName = NULL, identityDocument = NULL, purgedAt = ? WHERE id = ?", arguments: [now.seconds, id])
                try Self.journal(db, id, .purged, category: nil, actor: actor, now: now)
            }
            report.mandates = ended.count
            try db.execute(
                sql: """
                    UPDATE contactMessage SET name = NULL, email = NULL, message = NULL, purgedAt = ?
                    WHERE purgedAt IS NULL AND answeredAt IS NOT NULL AND answeredAt <= ?
                    """,
                arguments: [now.seconds, cutoff(messageDays)])
            report.messages = db.changesCount
            // Delivery keys only guard against a record sent twice within days; a quarter's are plenty.
            try db.execute(sql: "DELETE FROM deviceDelivery WHERE receivedAt < ?", arguments: [cutoff(90)])
            return report
        }
        try? await Self.flushWriteAheadLog(writer)
        return report
    }

    /// Copies the log into the file and truncates it: the pages that held purged values
    /// are no longer kept in the write-ahead log.
    static func flushWriteAheadLog(_ writer: any DatabaseWriter) async throws {
        guard writer is DatabasePool else { return }
        _ = try await writer.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
    }
}
