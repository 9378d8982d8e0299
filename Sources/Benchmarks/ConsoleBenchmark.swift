import Agenda
import Foundation
import Hummingbird
import Logging
import Reports
import Store
import StructureConfig
import App
import OfficeKit

/// Server-side time of the console's busiest pages, Today and Week, over a busy quarter
/// (the report benchmark's data: ~3,000 bookings, ~10,000 visits), requested on loopback
/// by one keep-alive client so that each figure is one request's full handling.
public struct ConsoleBenchmark: Sendable {
    let configPath: String
    let port: Int
    let requests: Int

    public init(configPath: String, port: Int, requests: Int = 300) {
        self.configPath = configPath
        self.port = port
        self.requests = requests
    }

    public func run() async throws {
        let config = try GuichetConfig.load(path: configPath)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("guichet-console-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let zone = config.structure.timeZone
        let period = ReportPeriod(year: 2026, quarter: 3)
        let seedingTime = zone.instant(period.first, LocalTime.midnight).addingTimeInterval(-86_400)
        let database = try AppDatabase.open(path: folder.appendingPathComponent("console.sqlite").path)
        let seeded = try await ReportBenchmark(configPath: configPath).seed(database: database, structure: config.structure, period: period, now: seedingTime)
        // The pages are looked at on a busy Wednesday in the middle of the quarter.
        let viewedAt = zone.instant(LocalDate(clampingYear: 2026, month: 8, day: 12), LocalTime(clampingMinutes: 10 * 60))
        let office = Office(config: config, database: database, clock: { viewedAt })
        try await office.seedDemo()
        let agent = try await database.addAgent(login: "bench", displayName: "Bench", role: .manager, passwordHash: "-", actor: "bench", now: viewedAt)
        let session = try await database.openSession(kind: .agent, agent: agent, station: nil, replacing: nil, lifetime: 3600, now: viewedAt)
        let cookie = "guichet_session=\(session.token)"
        print("Guichet console benchmark — \(seeded.bookings) bookings and \(seeded.contacts) visits in \(period.label); pages seen on 2026-08-12")

        var logger = Logger(label: "guichet.bench")
        logger.logLevel = .critical
        let (ready, readyContinuation) = AsyncStream.makeStream(of: Void.self)
        var options = AppOptions()
        (options.port, options.database, options.stations, options.seedDemo, options.logger) = (port, database, false, false, logger)
        options.clock = { viewedAt }
        options.onRunning = { _ in readyContinuation.yield() }
        let app = try await buildApplication(config: config, options: options)
        let port = self.port, requests = self.requests
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            for await _ in ready { break }
            for (title, path) in [("Aujourd’hui (/console)", "/console"), ("Semaine (/console/week)", "/console/week")] {
                let timings = try await AgendaBenchmark.runOnThreads(count: 1) { _ in
                    let client = try LoopbackHTTPClient(port: port)
                    var results: [(Int, Double)] = []
                    for i in 0..<(requests + 20) {
                        let t0 = DispatchTime.now().uptimeNanoseconds
                        let status = try client.get(path: path, cookie: cookie)
                        if i >= 20 { results.append((status, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)) }
                    }
                    return results
                }
                guard timings.allSatisfy({ $0.0 == 200 }) else { throw BenchmarkError("\(path) answered \(Set(timings.map(\.0)))") }
                let values = timings.map(\.1)
                let p = AgendaBenchmark.percentile
                print("\(title), \(values.count) requests: p50 \(String(format: "%.2f", p(values, 0.5) * 1000)) ms  p99 \(String(format: "%.2f", p(values, 0.99) * 1000)) ms  (goal: p99 < 20 ms)")
            }
            group.cancelAll()
        }
    }
}
