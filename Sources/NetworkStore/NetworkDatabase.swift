import Agenda
import Foundation
import Logging
import PostgresNIO

/// A network of structures on one PostgreSQL database (`database: postgres://…`): a pool of
/// connections (`PostgresClient`) and the writes whose rules the database keeps. SQLite
/// (`Store.AppDatabase`) stays the default of a structure that runs alone.
public final class NetworkDatabase: Sendable {
    public let client: PostgresClient
    private let logger: Logger

    public init(_ location: NetworkDatabaseLocation, logger: Logger = Logger(label: "guichet.network-db")) {
        client = PostgresClient(configuration: location.configuration, backgroundLogger: logger)
        self.logger = logger
    }

    /// Runs `body` with the pool running and the schema migrated; the pool stops after it.
    public func run<Result: Sendable>(_ body: @Sendable (NetworkDatabase) async throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.client.run() }
            defer { group.cancelAll() }
            try await NetworkSchema.migrate(client, logger: logger)
            return try await body(self)
        }
    }

    /// The schema versions applied, in order.
    public func migrationVersions() async throws -> [Int] {
        var versions: [Int] = []
        for try await version in try await client.query("SELECT version FROM guichet_migration ORDER BY version", logger: logger).decode(Int.self) {
            versions.append(version)
        }
        return versions
    }

    public func addStructure(id: String, name: String) async throws {
        try await write { try await self.client.query("INSERT INTO structure (id, name) VALUES (\(id), \(name)) ON CONFLICT (id) DO NOTHING", logger: self.logger) }
    }

    /// A specialist of the network (shared by the structures they serve).
    public func addSpecialist(id: String, partner: String, name: String) async throws {
        try await write {
            try await self.client.query(
                "INSERT INTO specialist (id, partner, name) VALUES (\(id), \(partner), \(name)) ON CONFLICT (id) DO NOTHING", logger: self.logger)
        }
    }

    /// Books, or refuses with the same errors as SQLite's store: `slot_taken` (409) when the
    /// structure's room or station, or the network's specialist, is taken at that time.
    public func createBooking(_ booking: NetworkBooking) async throws {
        guard booking.end > booking.start else { throw AgendaError.endBeforeStart }
        // The exclusion constraints decide; the advisory locks (always in the same order:
        // specialist, room, station) only queue the requests for one resource, which
        // PostgreSQL's constraint checks would otherwise deadlock on under a rush
        // (40P01 for 87 of 200 concurrent requests, a second each to detect).
        let resources = [booking.specialist.map { "specialist:\($0)" }, "room:\(booking.structure)/\(booking.room)",
                         booking.station.map { "station:\(booking.structure)/\($0)" }].compactMap { $0 }
        try await write {
            try await self.client.withTransaction(logger: self.logger) { connection in
                for resource in resources {
                    try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\(resource), 0))", logger: self.logger)
                }
                try await connection.query(
                    """
                    INSERT INTO booking (structure, id, kind, room, specialist, station, during, status)
                    VALUES (\(booking.structure), \(booking.id), \(booking.kind), \(booking.room), \(booking.specialist), \(booking.station),
                            tstzrange(\(booking.start), \(booking.end), '[)'), 'booked')
                    """, logger: self.logger)
            }
        }
    }

    public func cancelBooking(structure: String, id: String) async throws {
        try await write {
            try await self.client.query("UPDATE booking SET status = 'cancelled' WHERE structure = \(structure) AND id = \(id)", logger: self.logger)
        }
    }

    /// The live bookings of a specialist, across every structure, from `from` on (ids, by start).
    public func specialistBookings(_ specialist: String, from: Date) async throws -> [(structure: String, id: String)] {
        var found: [(String, String)] = []
        let rows = try await client.query(
            """
            SELECT structure, id FROM booking WHERE specialist = \(specialist) AND status <> 'cancelled' AND upper(during) > \(from)
            ORDER BY lower(during)
            """, logger: logger)
        for try await (structure, id) in rows.decode((String, String).self) { found.append((structure, id)) }
        return found
    }

    public func appendMandateEvent(structure: String, mandate: String, action: String, at: Date) async throws {
        try await write {
            try await self.client.query(
                "INSERT INTO mandate_event (structure, mandate, action, at) VALUES (\(structure), \(mandate), \(action), \(at))", logger: self.logger)
        }
    }

    /// Runs a write, turning the database's refusals into the agenda's errors.
    /// Runs a write, turning the database's refusals into the agenda's errors. A transaction
    /// PostgreSQL chose to abort (a deadlock, a serialization failure) is tried again.
    private func write(_ body: () async throws -> Void) async throws {
        for attempt in 1... {
            do {
                return try await body()
            } catch {
                let cause = (error as? PostgresTransactionError).flatMap { $0.closureError ?? $0.commitError } ?? error
                guard let refusal = cause as? PSQLError else { throw cause }
                if attempt < 5, ["40P01", "40001"].contains(refusal.serverInfo?[.sqlState]) { continue }
                throw NetworkDatabaseError.refusal(of: refusal) ?? refusal
            }
        }
    }
}

/// A booking as the network's database keeps it.
public struct NetworkBooking: Sendable {
    public var structure: String
    public var id: String
    public var kind: String
    public var room: String
    public var specialist: String?
    public var station: String?
    public var start: Date
    public var end: Date

    public init(structure: String, id: String, kind: String, room: String, specialist: String?, station: String?, start: Date, end: Date) {
        (self.structure, self.id, self.kind, self.room, self.specialist, self.station, self.start, self.end) =
            (structure, id, kind, room, specialist, station, start, end)
    }
}

public enum NetworkDatabaseError {
    /// The database's own refusals, as the agenda words them; nil for anything else.
    static func refusal(of error: PSQLError) -> (any Error)? {
        switch error.serverInfo?[.sqlState] {
        case "23P01": AgendaError.slotTaken  // exclusion_violation: an overlap
        case "23505": AgendaError(code: "already_exists", kind: .conflict, french: "Cet élément existe déjà.", english: "This already exists.")
        case "23503":
            AgendaError(
                code: "unknown_reference", kind: .invalid, french: "Référence inconnue (structure ou intervenant).",
                english: "Unknown reference (structure or specialist).")
        case "23514": AgendaError.invalidField("booking", french: "Valeur refusée par la base.", english: "Value refused by the database.")
        case "GU001":
            AgendaError(
                code: "append_only", kind: .conflict, french: "Le journal des mandats ne se modifie pas.", english: "The mandate journal is append-only.")
        default: nil
        }
    }
}
