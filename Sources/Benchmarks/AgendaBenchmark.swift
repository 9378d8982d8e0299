import Agenda
import Foundation
import GRDBSQLite
import Hummingbird
import Logging
import Store
import StructureConfig
import App
import OfficeKit

/// The agenda's benchmark: availability latency, booking throughput over HTTP, and raw
/// SQLite insert+commit throughput with the same durability settings as the baseline.
public struct AgendaBenchmark: Sendable {
    let configPath: String
    let bookings: Int
    let clients: Int
    let port: Int

    public init(configPath: String, bookings: Int, clients: Int, port: Int) {
        self.configPath = configPath
        self.bookings = bookings
        self.clients = clients
        self.port = port
    }

    public func run() async throws {
        let config = try GuichetConfig.load(path: configPath)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("guichet-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        print("Guichet agenda benchmark — \(config.structure.name)")
        print("(\(ProcessInfo.processInfo.activeProcessorCount) cores; figures from one run, same machine)\n")

        let availability = try await measureAvailability(config: config, path: folder.appendingPathComponent("availability.sqlite").path)
        print("Availability, all partners, 31 days (\(availability.slots) free slots, \(availability.booked) bookings in range):")
        print("  p50 \(ms(availability.p50))  p99 \(ms(availability.p99))  (goal: p99 < 5 ms)\n")

        let raw = try measureRawSQLite(path: folder.appendingPathComponent("raw.sqlite").path, rows: bookings)
        print("Raw SQLite baseline, single-row INSERT + COMMIT, WAL, synchronous=FULL:")
        print("  \(Int(raw)) rows/s\n")

        let store = try await measureStoreBookings(config: config, path: folder.appendingPathComponent("store.sqlite").path)
        print("Booking creation through the store, no HTTP (one writer, every rule and trigger):")
        print("  \(Int(store)) bookings/s  ratio to raw SQLite: \(String(format: "%.2f", store / raw))\n")

        let http = try await measureHTTPBookings(config: config, path: folder.appendingPathComponent("http.sqlite").path)
        print("Booking creation over HTTP on loopback (\(clients) clients, \(http.created) bookings, \(http.refused) refused):")
        print("  \(Int(http.perSecond)) bookings/s  p50 \(ms(http.p50))  p99 \(ms(http.p99)) per request")
        print("  ratio to raw SQLite baseline: \(String(format: "%.2f", http.perSecond / raw)) (goal: ≥ 0.50)")
    }

    func ms(_ seconds: Double) -> String { String(format: "%.2f ms", seconds * 1000) }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    // MARK: availability

    func measureAvailability(config: GuichetConfig, path: String) async throws -> (p50: Double, p99: Double, slots: Int, booked: Int) {
        let database = try AppDatabase.open(path: path)
        let office = Office(config: config, database: database)
        try await office.seedDemo()
        let now = Date()
        let zone = config.structure.timeZone
        let today = zone.localDate(now)
        let query = Availability.Query(from: today, to: today.adding(days: 30), slotMinutes: config.booking.slotMinutes)
        // Book every other free slot so the computation meets real busy times.
        var booked = 0
        for (i, slot) in try await database.availability(query, structure: config.structure, now: now).enumerated() where i % 2 == 0 {
            let request = BookingRequest(
                kind: slot.kind, permanence: slot.permanence, visioSlot: slot.visioSlot, span: slot.span,
                usager: Usager(name: "Usager \(i)"))
            if (try? await database.createBooking(request, structure: config.structure, now: now)) != nil { booked += 1 }
        }
        var timings: [Double] = []
        var slots = 0
        for i in 0..<520 {
            let start = DispatchTime.now().uptimeNanoseconds
            slots = try await database.availability(query, structure: config.structure, now: now).count
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if i >= 20 { timings.append(elapsed) }  // the first runs warm caches
        }
        return (Self.percentile(timings, 0.5), Self.percentile(timings, 0.99), slots, booked)
    }

    // MARK: raw SQLite

    /// Rows per second for single-row insert+commit through the SQLite C API, with the
    /// store's settings (WAL, synchronous=FULL) and a row shaped like a booking.
    func measureRawSQLite(path: String, rows: Int) throws -> Double {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil) == SQLITE_OK else {
            throw BenchmarkError("cannot open \(path)")
        }
        defer { sqlite3_close(db) }
        for sql in [
            "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL",
            "CREATE TABLE booking (id TEXT PRIMARY KEY, room TEXT NOT NULL, startsAt INTEGER NOT NULL, endsAt INTEGER NOT NULL, status TEXT NOT NULL, usagerName TEXT)",
        ] {
            guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw BenchmarkError("\(sql) failed") }
        }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, "INSERT INTO booking VALUES (?, 'salle', ?, ?, 'booked', 'Usager')", -1, &statement, nil) == SQLITE_OK else {
            throw BenchmarkError("prepare failed")
        }
        defer { sqlite3_finalize(statement) }
        let start = DispatchTime.now().uptimeNanoseconds
        for i in 0..<rows {
            sqlite3_bind_text(statement, 1, "b-\(i)", -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
            sqlite3_bind_int64(statement, 2, Int64(1_900_000_000 + i * 1800))
            sqlite3_bind_int64(statement, 3, Int64(1_900_000_000 + i * 1800 + 1800))
            guard sqlite3_step(statement) == SQLITE_DONE else { throw BenchmarkError("insert failed") }
            sqlite3_reset(statement)
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Double(rows) / elapsed
    }

    // MARK: store

    func measureStoreBookings(config: GuichetConfig, path: String) async throws -> Double {
        let database = try AppDatabase.open(path: path)
        let requests = try roomBookingBodies(config: config, count: bookings).map { body in
            guard let json = try JSONSerialization.jsonObject(with: body) as? [String: Any],
                let start = (json["start"] as? String).flatMap(Timestamp.parse), let end = (json["end"] as? String).flatMap(Timestamp.parse)
            else { throw BenchmarkError("a generated booking body does not read back") }
            return BookingRequest(kind: .room, room: json["room"] as? String, span: TimeSpan(start, end), usager: Usager(name: "Usager"))
        }
        let now = Date()
        let start = DispatchTime.now().uptimeNanoseconds
        for request in requests { _ = try await database.createBooking(request, structure: config.structure, now: now) }
        return Double(requests.count) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    // MARK: HTTP

    func measureHTTPBookings(config: GuichetConfig, path: String) async throws -> (perSecond: Double, p50: Double, p99: Double, created: Int, refused: Int) {
        let database = try AppDatabase.open(path: path)
        var logger = Logger(label: "guichet.bench")
        logger.logLevel = .critical  // cancelling the server at the end logs a harmless "already closed"
        let (ready, readyContinuation) = AsyncStream.makeStream(of: Void.self)
        var options = AppOptions()
        (options.port, options.database, options.stations, options.seedDemo, options.logger) = (port, database, false, false, logger)
        options.onRunning = { _ in readyContinuation.yield() }
        let app = try await buildApplication(config: config, options: options)
        let bodies = roomBookingBodies(config: config, count: bookings)
        // The API needs a signed-in agent: open the session directly, as sign-in would.
        let agent = try await database.addAgent(login: "bench", displayName: "Bench", role: .agent, passwordHash: "-", actor: "bench", now: Date())
        let session = try await database.openSession(kind: .agent, agent: agent, station: nil, replacing: nil, lifetime: 3600, now: Date())
        let cookie = "guichet_session=\(session.token)"
        let port = self.port
        let clients = self.clients
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            for await _ in ready { break }
            let start = DispatchTime.now().uptimeNanoseconds
            let results = try await Self.runOnThreads(count: clients) { worker in
                let client = try LoopbackHTTPClient(port: port)
                var results: [(Int, Double)] = []
                for body in stride(from: worker, to: bodies.count, by: clients).map({ bodies[$0] }) {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    let status = try client.post(path: "/api/v1/bookings", body: body, cookie: cookie)
                    results.append((status, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9))
                }
                return results
            }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            group.cancelAll()
            let created = results.filter { $0.0 == 201 }.count
            let latencies = results.map(\.1)
            return (Double(created) / elapsed, Self.percentile(latencies, 0.5), Self.percentile(latencies, 0.99), created, results.count - created)
        }
    }

    /// Runs blocking clients on their own threads, so they never occupy the cooperative pool
    /// the daemon's handlers need.
    static func runOnThreads(
        count: Int, _ work: @escaping @Sendable (Int) throws -> [(Int, Double)]
    ) async throws -> [(Int, Double)] {
        try await withThrowingTaskGroup(of: [(Int, Double)].self) { group in
            for worker in 0..<count {
                group.addTask {
                    try await withCheckedThrowingContinuation { continuation in
                        Thread.detachNewThread {
                            continuation.resume(with: Result { try work(worker) })
                        }
                    }
                }
            }
            var all: [(Int, Double)] = []
            for try await part in group { all += part }
            return all
        }
    }

    /// Distinct 15-minute room bookings inside opening hours (public holidays skipped), from tomorrow on.
    func roomBookingBodies(config: GuichetConfig, count: Int) -> [Data] {
        let zone = config.structure.timeZone
        let opening = OpeningCalendar(initial: config.structure.openingHours)
        var date = zone.localDate(Date()).adding(days: 1)
        var bodies: [Data] = []
        while bodies.count < count {
            for range in opening.ranges(on: date) {
                var minute = range.start.minutes
                while minute + 15 <= range.end.minutes, bodies.count < count {
                    let span = TimeSpan(
                        zone.instant(date, LocalTime(clampingMinutes: minute)), zone.instant(date, LocalTime(clampingMinutes: minute + 15)))
                    for room in config.structure.rooms where bodies.count < count {
                        let json = """
                            {"kind":"room","room":"\(room.id)","start":"\(Timestamp.format(span.start, in: zone))","end":"\(Timestamp.format(span.end, in: zone))","usager":{"name":"Usager \(bodies.count)"}}
                            """
                        bodies.append(Data(json.utf8))
                    }
                    minute += 15
                }
            }
            date = date.adding(days: 1)
        }
        return bodies
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
