import Foundation
import GRDB

/// A usager at a station asked for an agent.
public struct HelpRequest: Sendable, Equatable {
    public let id: String
    public let station: String
    public let at: Date
    public let resolvedAt: Date?
}

extension AppDatabase {
    /// Opens a help request, or returns the station's open one: pressing twice calls once.
    public func requestHelp(station: String, now: Date) async throws -> HelpRequest {
        try await writer.write { db in
            if let open = try Row.fetchOne(db, sql: "SELECT * FROM helpRequest WHERE station = ? AND resolvedAt IS NULL", arguments: [station]) {
                return Self.helpRequest(open)
            }
            let id = Identifier.make("h")
            try db.execute(sql: "INSERT INTO helpRequest (id, station, at) VALUES (?, ?, ?)", arguments: [id, station, now.seconds])
            return HelpRequest(id: id, station: station, at: now, resolvedAt: nil)
        }
    }

    public func resolveHelpRequest(id: String, agent: String, now: Date) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE helpRequest SET resolvedAt = ?, resolvedBy = ? WHERE id = ? AND resolvedAt IS NULL",
                arguments: [now.seconds, agent, id])
        }
    }

    public func openHelpRequests() async throws -> [HelpRequest] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM helpRequest WHERE resolvedAt IS NULL ORDER BY at").map(Self.helpRequest)
        }
    }

    static func helpRequest(_ row: Row) -> HelpRequest {
        HelpRequest(id: row["id"], station: row["station"], at: Date(seconds: row["at"]), resolvedAt: (row["resolvedAt"] as Int64?).map(Date.init(seconds:)))
    }
}
