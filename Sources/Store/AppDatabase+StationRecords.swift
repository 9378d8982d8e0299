import Agenda
import Foundation
import GRDB

/// A station's facts into the structure's tables (`record`, for a station the server drives;
/// `deliver`, for one on its own PC, exactly once by idempotency key), and the station's own
/// outbox, where they wait while the server cannot be reached.
extension AppDatabase {
    public func record(_ record: StationRecord) async throws {
        try await writer.write { db in try Self.apply(db, record) }
    }

    /// Applies each record not delivered before by this device, in one transaction; returns
    /// those that were new. A record sent again (its answer lost on the way back) is taken once.
    @discardableResult
    public func deliver(_ records: [(key: String, record: StationRecord)], device: String, now: Date) async throws -> [StationRecord] {
        try await writer.write { db in
            var applied: [StationRecord] = []
            for (key, record) in records {
                try db.execute(
                    sql: "INSERT INTO deviceDelivery (device, key, receivedAt) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    arguments: [device, key, now.seconds])
                guard db.changesCount == 1 else { continue }
                try Self.apply(db, record)
                applied.append(record)
            }
            return applied
        }
    }

    static func apply(_ db: Database, _ record: StationRecord) throws {
        switch record {
        case .use(let use):
            try db.execute(
                sql: """
                    INSERT INTO stationSession
                        (id, station, startedAt, endedAt, lifeSituations, partnerSites, pagesPrinted, pagesScanned, helpRequested, accompanied, language)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET
                        language = coalesce(excluded.language, language),
                        endedAt = excluded.endedAt, lifeSituations = excluded.lifeSituations, partnerSites = excluded.partnerSites,
                        pagesPrinted = excluded.pagesPrinted, pagesScanned = excluded.pagesScanned,
                        -- set elsewhere too (help button, console): never unset by the station
                        helpRequested = max(helpRequested, excluded.helpRequested), accompanied = max(accompanied, excluded.accompanied)
                    """,
                arguments: [
                    use.id, use.station, use.start.seconds, use.end?.seconds, Self.jsonArray(use.lifeSituations), Self.jsonArray(use.partnerSites),
                    use.pagesPrinted, use.pagesScanned, use.helpRequested, use.accompanied, use.language,
                ])
        case .closeUnfinished(let station, let at):
            try db.execute(sql: "UPDATE stationSession SET endedAt = ? WHERE station = ? AND endedAt IS NULL", arguments: [at.seconds, station])
        case .wipe(let station, let at, let durationMs, let reason, let succeeded, let leftovers):
            try db.execute(
                sql: "INSERT INTO stationWipe (station, at, durationMs, reason, succeeded, leftovers) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [station, at.seconds, durationMs, reason, succeeded, leftovers])
        case .satisfaction(let at, let score):
            try db.execute(sql: "INSERT INTO satisfactionAnswer (at, score, source) VALUES (?, ?, ?)", arguments: [at.seconds, score, "station"])
        case .help(let station, let session, let at):
            _ = try requestHelp(db, station: station, now: at, session: session, reason: .help, message: nil)
        case .alert(let station, let message, let at):
            _ = try requestHelp(db, station: station, now: at, session: nil, reason: .outOfService, message: message)
        }
    }

    // MARK: the station's outbox

    /// Queues a record; its key (random, made here) travels with it until the server has it.
    @discardableResult
    public func enqueue(_ record: StationRecord, now: Date) async throws -> String {
        let key = Identifier.make("o")
        let payload = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        try await writer.write { db in
            try db.execute(sql: "INSERT INTO outbox (key, payload, queuedAt) VALUES (?, ?, ?)", arguments: [key, payload, now.seconds])
        }
        return key
    }

    /// The oldest queued records, in order.
    public func outbox(limit: Int) async throws -> [(seq: Int64, key: String, record: StationRecord)] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox ORDER BY seq LIMIT ?", arguments: [limit]).map { row in
                (row["seq"], row["key"], try JSONDecoder().decode(StationRecord.self, from: Data((row["payload"] as String).utf8)))
            }
        }
    }

    /// The server has these: they leave the outbox.
    public func removeFromOutbox(upTo seq: Int64) async throws {
        try await writer.write { db in try db.execute(sql: "DELETE FROM outbox WHERE seq <= ?", arguments: [seq]) }
    }

    public func outboxCount() async throws -> Int {
        try await writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0 }
    }
}
