import Agenda
import Foundation
import Logging
import PostgresNIO

/// What the network's reports count, as each structure hands it over: the facts of its visits
/// and station sessions (no name, no agent, no note), and its bookings (`booking`).
extension NetworkDatabase {
    /// Adds or updates a structure's visits, a thousand rows a statement.
    public func recordVisits(_ contacts: [Contact], structure: String) async throws {
        for batch in contacts.chunked(1000) {
            try await write {
                try await self.execute(
                    """
                    INSERT INTO visit (structure, id, at, channel, outcome, accompanied, partners, life_situation)
                    SELECT \(structure), id, at, channel, outcome, accompanied, string_to_array(partners, ','), NULLIF(situation, '')
                    FROM unnest(\(batch.map(\.id)), \(batch.map(\.at)), \(batch.map(\.channel.rawValue)), \(batch.map(\.outcome.rawValue)),
                                \(batch.map(\.accompanied)), \(batch.map { $0.partners.joined(separator: ",") }), \(batch.map { $0.lifeSituation ?? "" }))
                         AS v(id, at, channel, outcome, accompanied, partners, situation)
                    ON CONFLICT (structure, id) DO UPDATE SET at = excluded.at, channel = excluded.channel, outcome = excluded.outcome,
                        accompanied = excluded.accompanied, partners = excluded.partners, life_situation = excluded.life_situation
                    """)
            }
        }
    }

    /// Adds or updates a structure's station sessions (a session's pages grow until it ends).
    public func recordStationSessions(_ uses: [StationUse], structure: String) async throws {
        for batch in uses.chunked(1000) {
            // An open session has no end yet: the epoch stands for none, turned back to NULL.
            let ends = batch.map { $0.end ?? Date(timeIntervalSince1970: 0) }
            // Likewise an empty language stands for none recorded.
            let languages = batch.map { $0.language ?? "" }
            try await write {
                try await self.execute(
                    """
                    INSERT INTO station_session (structure, id, station, started_at, ended_at, pages_printed, pages_scanned, help_requested, accompanied, language)
                    SELECT \(structure), id, station, started, NULLIF(ended, 'epoch'::timestamptz), printed, scanned, help, accompanied, NULLIF(language, '')
                    FROM unnest(\(batch.map(\.id)), \(batch.map(\.station)), \(batch.map(\.start)), \(ends), \(batch.map(\.pagesPrinted)),
                                \(batch.map(\.pagesScanned)), \(batch.map(\.helpRequested)), \(batch.map(\.accompanied)), \(languages))
                         AS s(id, station, started, ended, printed, scanned, help, accompanied, language)
                    ON CONFLICT (structure, id) DO UPDATE SET ended_at = excluded.ended_at, pages_printed = excluded.pages_printed,
                        pages_scanned = excluded.pages_scanned, help_requested = excluded.help_requested, accompanied = excluded.accompanied,
                        language = coalesce(excluded.language, station_session.language)
                    """)
            }
        }
    }

    /// The network's figures over [start, end), one row per structure (every structure, even
    /// with nothing to count), counted by PostgreSQL: the same rules as a structure's own
    /// report (a visit by its time, a session by its start, a booking by its start).
    public func activityByStructure(from start: Date, to end: Date) async throws -> [NetworkActivityRow] {
        let rows = try await fetch(
            """
            WITH v AS (
                SELECT structure, count(*) AS visits, count(*) FILTER (WHERE outcome = 'resolved') AS resolved
                FROM visit WHERE at >= \(start) AND at < \(end) GROUP BY structure
            ), s AS (
                SELECT structure, count(*) AS sessions, count(*) FILTER (WHERE accompanied) AS accompanied,
                       coalesce(sum(pages_printed), 0) AS printed, coalesce(sum(pages_scanned), 0) AS scanned
                FROM station_session WHERE started_at >= \(start) AND started_at < \(end) GROUP BY structure
            ), b AS (
                SELECT structure, count(*) FILTER (WHERE status IN ('done', 'checked-in')) AS held,
                       count(*) FILTER (WHERE status = 'no-show') AS missed, count(*) FILTER (WHERE status = 'cancelled') AS cancelled
                FROM booking WHERE lower(during) >= \(start) AND lower(during) < \(end) GROUP BY structure
            )
            SELECT st.id, st.name, coalesce(v.visits, 0), coalesce(v.resolved, 0), coalesce(s.sessions, 0), coalesce(s.accompanied, 0),
                   coalesce(s.printed, 0)::bigint, coalesce(s.scanned, 0)::bigint, coalesce(b.held, 0), coalesce(b.missed, 0), coalesce(b.cancelled, 0)
            FROM structure st LEFT JOIN v ON v.structure = st.id LEFT JOIN s ON s.structure = st.id LEFT JOIN b ON b.structure = st.id
            ORDER BY st.id
            """, (String, String, Int, Int, Int, Int, Int, Int, Int, Int, Int).self
        ).map { id, name, visits, resolved, sessions, accompanied, printed, scanned, held, missed, cancelled in
            NetworkActivityRow(
                structure: id, name: name, visits: visits, resolvedVisits: resolved, stationSessions: sessions, accompaniedSessions: accompanied,
                pagesPrinted: printed, pagesScanned: scanned, appointmentsHeld: held, appointmentsMissed: missed, appointmentsCancelled: cancelled)
        }
        var languages: [String: [String: Int]] = [:]
        for (structure, language, sessions) in try await fetch(
            """
            SELECT structure, coalesce(language, ''), count(*) FROM station_session
            WHERE started_at >= \(start) AND started_at < \(end) GROUP BY structure, language
            """, (String, String, Int).self)
        {
            languages[structure, default: [:]][language] = sessions
        }
        return rows.map { row in
            var row = row
            row.stationLanguages = languages[row.structure] ?? [:]
            return row
        }
    }
}

extension NetworkDatabase {
    public func structureCount() async throws -> Int {
        try await fetch("SELECT count(*) FROM structure", Int.self).first ?? 0
    }

    /// How many visits, station sessions and live or past bookings the network holds for `structure`.
    public func structureCounts(_ structure: String) async throws -> (visits: Int, sessions: Int, bookings: Int, mandateLines: Int) {
        let counts = try await fetch(
            """
            SELECT (SELECT count(*) FROM visit WHERE structure = \(structure)), (SELECT count(*) FROM station_session WHERE structure = \(structure)),
                   (SELECT count(*) FROM booking WHERE structure = \(structure)), (SELECT count(*) FROM mandate_event WHERE structure = \(structure))
            """, (Int, Int, Int, Int).self)
        return counts.first ?? (0, 0, 0, 0)
    }
}

extension NetworkDatabase {
    /// Every structure's live bookings overlapping [start, end), by start; or one specialist's,
    /// in the structures other than `except`.
    public func bookingsAcrossStructures(
        from start: Date, to end: Date, specialist: String? = nil, except: String? = nil
    ) async throws -> [NetworkBookingLine] {
        try await fetch(
            """
            SELECT b.structure, st.name, b.id, b.sequence, b.kind, b.specialist, b.partner, lower(b.during), upper(b.during)
            FROM booking b JOIN structure st ON st.id = b.structure
            WHERE b.status <> 'cancelled' AND b.during && tstzrange(\(start), \(end), '[)')
              AND (\(specialist)::text IS NULL OR b.specialist = \(specialist)) AND (\(except)::text IS NULL OR b.structure <> \(except))
            ORDER BY lower(b.during), b.structure
            """, (String, String, String, Int, String, String?, String?, Date, Date).self
        ).map { structure, name, id, sequence, kind, specialist, partner, from, to in
            NetworkBookingLine(
                structure: structure, structureName: name, id: id, sequence: sequence, kind: kind, specialist: specialist, partner: partner,
                span: TimeSpan(from, to))
        }
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
