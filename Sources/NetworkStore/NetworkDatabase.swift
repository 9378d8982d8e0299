import Agenda
import Foundation
import Logging
import PostgresNIO

/// A network of structures on one PostgreSQL database (`database: postgres://…`): a pool of
/// connections (`PostgresClient`) and the writes whose rules the database keeps. SQLite
/// (`Store.AppDatabase`) stays the default of a structure that runs alone.
public final class NetworkDatabase: Sendable {
    public let client: PostgresClient
    let logger: Logger

    /// Connections one server opens at most: a structure's writes queue behind its SQLite writer
    /// anyway, and 2,800 structures' servers must fit a PostgreSQL (see the README's sizing).
    public static let maximumConnections = 8

    public init(_ location: NetworkDatabaseLocation, logger: Logger = Logger(label: "guichet.network-db")) {
        var configuration = location.configuration
        configuration.options.maximumConnections = Self.maximumConnections
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    /// Runs `body` with the pool running and the schema migrated; the pool stops after it.
    public func run<Result: Sendable>(_ body: @Sendable (NetworkDatabase) async throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.client.run() }
            defer { group.cancelAll() }
            try await migrate()
            return try await body(self)
        }
    }

    /// Brings the schema up to date (the pool must be running).
    public func migrate() async throws {
        try await write { try await NetworkSchema.migrate(self.client, logger: self.logger) }
    }

    /// The schema versions applied, in order.
    public func migrationVersions() async throws -> [Int] {
        try await fetch("SELECT version FROM guichet_migration ORDER BY version", Int.self)
    }

    public func addStructure(id: String, name: String) async throws {
        try await write { try await self.execute("INSERT INTO structure (id, name) VALUES (\(id), \(name)) ON CONFLICT (id) DO NOTHING") }
    }

    /// A specialist of the network (shared by the structures they serve).
    public func addSpecialist(id: String, partner: String, name: String) async throws {
        try await write {
            try await self.execute("INSERT INTO specialist (id, partner, name) VALUES (\(id), \(partner), \(name)) ON CONFLICT (id) DO NOTHING")
        }
    }

    /// Books, or refuses with the same errors as SQLite's store: `slot_taken` (409) when the
    /// structure's room or station, or the network's specialist, is taken at that time; an
    /// id already booked is refused.
    public func createBooking(_ booking: NetworkBooking) async throws {
        try await write(booking, replacing: false)
    }

    /// Writes a structure's booking as it now is (new, moved, cancelled, done…), with the
    /// same refusals as `createBooking`, never over a newer version (`sequence`); the
    /// specialist joins the network's list if new.
    public func recordBooking(_ booking: NetworkBooking) async throws {
        try await write(booking, replacing: true)
    }

    /// One round trip: `guichet_record_booking` (NetworkSchema) takes the advisory locks, adds
    /// the specialist and writes the booking in the statement's own transaction. A booking is
    /// written inside the structure's SQLite transaction, so its time here is the structure's
    /// writes' (five round trips — BEGIN, locks, specialist, insert, COMMIT — made it 4.9 ms).
    private func write(_ booking: NetworkBooking, replacing: Bool) async throws {
        guard booking.end > booking.start else { throw AgendaError.endBeforeStart }
        try await write {
            try await self.execute(
                """
                SELECT guichet_record_booking(\(booking.structure), \(booking.id), \(booking.kind), \(booking.room), \(booking.specialist)::text,
                    \(booking.station)::text, \(booking.start), \(booking.end), \(booking.status), \(booking.partner)::text,
                    \(booking.sequence)::integer, \(replacing))
                """)
        }
    }

    /// When each of `specialists` is booked within `span` by a structure other than `structure`.
    public func specialistsBusy(_ specialists: Set<String>, during span: (start: Date, end: Date), except structure: String) async throws
        -> [String: [(start: Date, end: Date)]]
    {
        var busy: [String: [(start: Date, end: Date)]] = [:]
        let rows = try await fetch(
            """
            SELECT specialist, lower(during), upper(during) FROM booking
            WHERE specialist = ANY(\(Array(specialists))) AND structure <> \(structure) AND status <> 'cancelled'
              AND during && tstzrange(\(span.start), \(span.end), '[)')
            """, (String, Date, Date).self)
        for (specialist, start, end) in rows { busy[specialist, default: []].append((start, end)) }
        return busy
    }

    /// Removes a booking the structure never wrote (its hold let go), unless it changed since.
    public func forgetBooking(structure: String, id: String, sequence: Int) async throws {
        try await write {
            try await self.execute("DELETE FROM booking WHERE structure = \(structure) AND id = \(id) AND sequence = \(sequence)")
        }
    }

    /// Removes a booking the structure does not have (a hold its server never wrote).
    public func deleteBooking(structure: String, id: String) async throws {
        try await write {
            try await self.execute("DELETE FROM booking WHERE structure = \(structure) AND id = \(id)")
        }
    }

    public func cancelBooking(structure: String, id: String) async throws {
        try await write {
            try await self.execute("UPDATE booking SET status = 'cancelled' WHERE structure = \(structure) AND id = \(id)")
        }
    }

    /// The live bookings of a specialist, across every structure, from `from` on (ids, by start).
    public func specialistBookings(_ specialist: String, from: Date) async throws -> [(structure: String, id: String)] {
        try await fetch(
            """
            SELECT structure, id FROM booking WHERE specialist = \(specialist) AND status <> 'cancelled' AND upper(during) > \(from)
            ORDER BY lower(during)
            """, (String, String).self
        ).map { (structure: $0.0, id: $0.1) }
    }

    /// A structure's bookings that still hold their resources, ending after `from`, and written
    /// at least `age` ago (ids).
    public func liveBookings(structure: String, endingAfter from: Date, olderThan age: Duration = .zero) async throws -> Set<String> {
        let seconds = Double(age.components.seconds)
        return Set(
            try await fetch(
                """
                SELECT id FROM booking WHERE structure = \(structure) AND status <> 'cancelled' AND upper(during) > \(from)
                  AND created_at <= now() - make_interval(secs => \(seconds))
                """, String.self))
    }

    /// The last line of `structure`'s mandate journal the network holds (its number there), 0 for none.
    public func lastMandateLine(structure: String) async throws -> Int64 {
        try await fetch("SELECT coalesce(max(source_id), 0)::bigint FROM mandate_event WHERE structure = \(structure)", Int64.self).first ?? 0
    }

    /// Appends lines of `structure`'s mandate journal, those already held left as they are;
    /// the action is the event's kind, and its category when it has one (`category-withdrawn:housing`).
    public func recordMandateLines(_ lines: [(line: Int64, event: MandateEvent)], structure: String) async throws {
        guard !lines.isEmpty else { return }
        let numbers = lines.map(\.line)
        let mandates = lines.map(\.event.mandate)
        let actions = lines.map { $0.event.kind.rawValue + ($0.event.category.map { ":" + $0.rawValue } ?? "") }
        let times = lines.map(\.event.at.timeIntervalSince1970)
        try await write {
            try await self.execute(
                """
                INSERT INTO mandate_event (structure, source_id, mandate, action, at)
                SELECT \(structure), n, m, a, to_timestamp(t)
                FROM unnest(\(numbers)::bigint[], \(mandates)::text[], \(actions)::text[], \(times)::float8[]) AS l(n, m, a, t)
                ON CONFLICT (structure, source_id) DO NOTHING
                """)
        }
    }

    /// A statement's rows, read while its connection is leased. Every statement goes through
    /// here or `execute`, never `PostgresClient.query`: postgres-nio 1.33.2's `query` gives
    /// the connection back only once its rows are read, and not at all when the statement's
    /// error arrives before they are asked for (a refused booking, under load): a rush of
    /// refusals emptied a server's pool, and its bookings then waited for a connection until
    /// they gave up. `withConnection` gives it back however the statement ends.
    func fetch<each Column: PostgresDecodable & Sendable>(_ query: PostgresQuery, _ columns: (repeat each Column).Type) async throws -> [(repeat each Column)] {
        try await client.withConnection { connection in
            var rows: [(repeat each Column)] = []
            for try await row in try await connection.query(query, logger: logger).decode(columns) { rows.append(row) }
            return rows
        }
    }

    /// Runs a statement to its end: a refusal raised after its row description (a function's) is seen.
    func execute(_ query: PostgresQuery) async throws {
        try await client.withConnection { connection in
            for try await _ in try await connection.query(query, logger: logger) {}
        }
    }

    /// Runs a write, turning the database's refusals into the agenda's errors. A transaction
    /// PostgreSQL chose to abort (a deadlock, a serialization failure) is tried again.
    func write(_ body: () async throws -> Void) async throws {
        for attempt in 1... {
            do {
                return try await body()
            } catch {
                let cause = (error as? PostgresTransactionError).flatMap { $0.beginError ?? $0.closureError ?? $0.commitError } ?? error
                guard let refusal = cause as? PSQLError else { throw cause }
                if attempt < 5, ["40P01", "40001"].contains(refusal.serverInfo?[.sqlState]) { continue }
                if NetworkDatabaseError.unreachable(refusal) {
                    logger.info("the network's database is out of reach", metadata: ["guichet.error": "\(String(reflecting: refusal))"])
                }
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
    public var status = "booked"
    /// The specialist's partner, for a specialist the network does not know yet.
    public var partner: String?
    /// Raised by every change: an older version never replaces a newer one.
    public var sequence = 0

    public init(structure: String, id: String, kind: String, room: String, specialist: String?, station: String?, start: Date, end: Date) {
        (self.structure, self.id, self.kind, self.room, self.specialist, self.station, self.start, self.end) =
            (structure, id, kind, room, specialist, station, start, end)
    }
}

public enum NetworkDatabaseError {
    /// The database's own refusals, as the agenda words them; nil for anything else.
    static func refusal(of error: PSQLError) -> (any Error)? {
        if unreachable(error) { return AgendaError.networkUnavailable }
        return switch error.serverInfo?[.sqlState] {
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

    /// The server is gone or going (refused, closed, shutting down, starting up): the request
    /// may succeed later, unchanged.
    static func unreachable(_ error: PSQLError) -> Bool {
        if [.connectionError, .serverClosedConnection, .uncleanShutdown, .poolClosed, .clientClosedConnection].contains(error.code) { return true }
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
    }
}
