import Agenda
import Foundation
import GRDB

extension AppDatabase {
    // MARK: station sessions and satisfaction (written by the station)

    /// Records a finished (or running) station session; ids are the station's own.
    public func recordStationUse(_ use: StationUse) async throws {
        try await record(.use(use))
    }

    /// Sessions a crash left open get the restart time as their end.
    public func closeUnfinishedStationUses(station: String, at: Date) async throws {
        try await record(.closeUnfinished(station: station, at: at))
    }

    /// One wipe: when, how long, why, verified or not, and how many things were left.
    public func recordWipe(station: String, at: Date, duration: TimeInterval, reason: String, succeeded: Bool, leftovers: Int) async throws {
        try await record(.wipe(station: station, at: at, durationMs: Int((duration * 1000).rounded()), reason: reason, succeeded: succeeded, leftovers: leftovers))
    }

    public func wipes(station: String, limit: Int = 50) async throws -> [(at: Date, durationMs: Int, reason: String, succeeded: Bool)] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM stationWipe WHERE station = ? ORDER BY id DESC LIMIT ?", arguments: [station, limit]).map {
                (Date(seconds: $0["at"]), $0["durationMs"], $0["reason"], $0["succeeded"])
            }
        }
    }

    public func recordSatisfaction(_ answer: SatisfactionAnswer) async throws {
        guard SatisfactionAnswer.scale.contains(answer.score) else {
            throw AgendaError.invalidField("score", french: "Note de 1 à 5.", english: "Score from 1 to 5.")
        }
        try await writer.write { db in
            try db.execute(sql: "INSERT INTO satisfactionAnswer (at, score, source) VALUES (?, ?, ?)", arguments: [answer.at.seconds, answer.score, answer.source])
        }
    }

    // MARK: contact messages

    public func receiveMessage(name: String, email: String, message: String, now: Date) async throws -> ContactMessage {
        let id = Identifier.make("msg")
        try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO contactMessage (id, receivedAt, name, email, message) VALUES (?, ?, ?, ?, ?)",
                arguments: [id, now.seconds, name, email, message])
        }
        return ContactMessage(id: id, receivedAt: now, name: name, email: email, message: message, answeredAt: nil)
    }

    public func markMessageAnswered(id: String, agent: String, now: Date) async throws {
        try await write { db in
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM contactMessage WHERE id = ?", arguments: [id]) == 1 else {
                throw AgendaError.notFound("message", id: id)
            }
            try db.execute(
                sql: "UPDATE contactMessage SET answeredAt = ?, answeredBy = ? WHERE id = ? AND answeredAt IS NULL", arguments: [now.seconds, agent, id])
        }
    }

    /// Unanswered messages, and those received since `since`, newest first.
    public func messages(openOrSince since: Date) async throws -> [ContactMessage] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM contactMessage WHERE answeredAt IS NULL OR receivedAt >= ? ORDER BY receivedAt DESC", arguments: [since.seconds]
            ).map(Self.message)
        }
    }

    static func message(_ row: Row) -> ContactMessage {
        ContactMessage(
            id: row["id"], receivedAt: Date(seconds: row["receivedAt"]), name: row["name"], email: row["email"], message: row["message"],
            answeredAt: (row["answeredAt"] as Int64?).map(Date.init(seconds:)))
    }

    // MARK: what a report reads

    /// Every record a report over `span` counts, read in one snapshot.
    public func activity(in span: TimeSpan) async throws -> (
        contacts: [Contact], bookings: [Booking], uses: [StationUse], referrals: [Referral], satisfaction: [SatisfactionAnswer],
        messages: [ContactMessage], closures: [Closure]
    ) {
        let range: StatementArguments = [span.start.seconds, span.end.seconds]
        return try await writer.read { db in
            // Columns by position, through a cursor: a quarter holds tens of thousands of rows,
            // and name lookups dominated the report's time.
            var contacts: [Contact] = []
            let contactRows = try Row.fetchCursor(
                db, sql: "SELECT id, at, agentId, partners, lifeSituation, reason, channel, accompanied, outcome, note FROM contact WHERE at >= ? AND at < ?",
                arguments: range)
            while let row = try contactRows.next() {
                contacts.append(Contact(
                    id: row[0], at: Date(seconds: row[1]), agent: row[2], partners: Self.parseArray(row[3]), lifeSituation: row[4], reason: row[5],
                    channel: ContactChannel(rawValue: row[6]) ?? .walkIn, accompanied: row[7], outcome: ContactOutcome(rawValue: row[8]) ?? .resolved,
                    note: row[9]))
            }
            var bookings: [Booking] = []
            let bookingRows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT id, kind, partner, lifeSituation, permanence, visioSlot, room, specialist, station, startsAt, endsAt, status,
                           usagerName, usagerPhone, usagerEmail, reminderConsent, createdAt, updatedAt, sequence
                    FROM booking WHERE startsAt >= ? AND startsAt < ?
                    """, arguments: range)
            while let row = try bookingRows.next() {
                let name: String? = row[12]
                bookings.append(Booking(
                    id: row[0], kind: BookingKind(rawValue: row[1]) ?? .room, partner: row[2], lifeSituation: row[3], permanence: row[4],
                    visioSlot: row[5], room: row[6], specialist: row[7], station: row[8], span: TimeSpan(Date(seconds: row[9]), Date(seconds: row[10])),
                    status: BookingStatus(rawValue: row[11]) ?? .booked,
                    usager: name.map { Usager(name: $0, phone: row[13], email: row[14], reminderConsent: row[15]) },
                    createdAt: Date(seconds: row[16]), updatedAt: Date(seconds: row[17]), sequence: row[18]))
            }
            var uses: [StationUse] = []
            let useRows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT id, station, startedAt, endedAt, lifeSituations, partnerSites, pagesPrinted, pagesScanned, helpRequested, accompanied, language
                    FROM stationSession WHERE startedAt >= ? AND startedAt < ?
                    """, arguments: range)
            while let row = try useRows.next() {
                uses.append(StationUse(
                    id: row[0], station: row[1], start: Date(seconds: row[2]), end: (row[3] as Int64?).map(Date.init(seconds:)),
                    lifeSituations: Self.parseArray(row[4]), partnerSites: Self.parseArray(row[5]), pagesPrinted: row[6], pagesScanned: row[7],
                    helpRequested: row[8], accompanied: row[9], language: row[10]))
            }
            let referrals = try Row.fetchAll(db, sql: "SELECT * FROM referral WHERE sentAt >= ? AND sentAt < ?", arguments: range).map(Self.referral)
            let satisfaction = try Row.fetchAll(db, sql: "SELECT * FROM satisfactionAnswer WHERE at >= ? AND at < ?", arguments: range).map {
                SatisfactionAnswer(at: Date(seconds: $0["at"]), score: $0["score"], source: $0["source"])
            }
            let messages = try Row.fetchAll(db, sql: "SELECT * FROM contactMessage WHERE receivedAt >= ? AND receivedAt < ?", arguments: range)
                .map(Self.message)
            let closures = try Self.closures(db, overlapping: span)
            return (contacts, bookings, uses, referrals, satisfaction, messages, closures)
        }
    }
}
