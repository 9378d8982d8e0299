import Agenda
import Foundation
import GRDB

extension AppDatabase {
    /// Opens a help request, or returns the station's open one: pressing twice calls once.
    public func requestHelp(
        station: String, now: Date, session: String? = nil, reason: HelpRequest.Reason = .help, message: String? = nil
    ) async throws -> HelpRequest {
        try await writer.write { db in try Self.requestHelp(db, station: station, now: now, session: session, reason: reason, message: message) }
    }

    static func requestHelp(
        _ db: Database, station: String, now: Date, session: String?, reason: HelpRequest.Reason, message: String?
    ) throws -> HelpRequest {
        if let open = try Row.fetchOne(
            db, sql: "SELECT * FROM helpRequest WHERE station = ? AND reason = ? AND resolvedAt IS NULL", arguments: [station, reason.rawValue])
        {
            return Self.helpRequest(open)
        }
        let id = Identifier.make("h")
        try db.execute(
            sql: "INSERT INTO helpRequest (id, station, at, reason, session, message) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [id, station, now.seconds, reason.rawValue, session, message])
        if let session, reason == .help {
            try db.execute(sql: "UPDATE stationSession SET helpRequested = 1 WHERE id = ?", arguments: [session])
        }
        return HelpRequest(id: id, station: station, at: now, resolvedAt: nil, reason: reason, session: session, message: message)
    }

    /// The agent helped the usager of this request's session: the session counts as accompanied.
    public func markAccompanied(helpRequest id: String) async throws {
        try await write { db in
            guard let session = try String.fetchOne(db, sql: "SELECT session FROM helpRequest WHERE id = ?", arguments: [id]) else {
                throw AgendaError.notFound("help request", id: id)
            }
            try db.execute(sql: "UPDATE stationSession SET accompanied = 1 WHERE id = ?", arguments: [session])
        }
    }

    public func resolveHelpRequest(id: String, agent: String, now: Date) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE helpRequest SET resolvedAt = ?, resolvedBy = ? WHERE id = ? AND resolvedAt IS NULL",
                arguments: [now.seconds, agent, id])
        }
    }

    public func openHelpRequests() async throws -> [HelpRequest] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT helpRequest.*, stationSession.language AS language FROM helpRequest
                    LEFT JOIN stationSession ON stationSession.id = helpRequest.session
                    WHERE helpRequest.resolvedAt IS NULL ORDER BY helpRequest.at
                    """
            ).map(Self.helpRequest)
        }
    }

    static func helpRequest(_ row: Row) -> HelpRequest {
        HelpRequest(
            id: row["id"], station: row["station"], at: Date(seconds: row["at"]), resolvedAt: (row["resolvedAt"] as Int64?).map(Date.init(seconds:)),
            reason: HelpRequest.Reason(rawValue: row["reason"]) ?? .help, session: row["session"], message: row["message"],
            language: row.hasColumn("language") ? row["language"] : nil)
    }
}
