import Agenda
import App
import DeviceLink
import Foundation
import GRDB
import Hummingbird
import Logging
import OfficeKit
import Store
import StructureConfig

/// A station's outbox after an hour without the server: 1,000 records (sessions, wipes,
/// help requests, satisfaction answers) delivered over HTTP by `RemoteStationBackend`, against
/// the same records written straight into the server's database (the baseline: no HTTP, no
/// JSON, one transaction). Five rounds, each on fresh records.
public struct OutboxBenchmark {
    let configPath: String
    let port: Int
    let records = 1000
    let rounds = 5

    public init(configPath: String, port: Int) {
        self.configPath = configPath
        self.port = port
    }

    public func run() async throws {
        let config = try GuichetConfig.load(path: configPath)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("guichet-bench-outbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try AppDatabase.open(path: folder.appendingPathComponent("server.sqlite").path)
        let baseline = try AppDatabase.open(path: folder.appendingPathComponent("baseline.sqlite").path)
        let station = try AppDatabase.open(path: folder.appendingPathComponent("station.sqlite").path)
        let registry = DeviceRegistry(database: server, clock: { Date() })
        let code = try await registry.issueCode(for: "poste-1", kind: .station, actor: "bench")
        let (_, credential) = try await registry.enrol(code: code.text, kind: .station, version: "bench", address: "127.0.0.1")

        var logger = Logger(label: "guichet.bench")
        logger.logLevel = .critical
        let (ready, announce) = AsyncStream.makeStream(of: Void.self)
        var options = AppOptions()
        (options.port, options.database, options.stations, options.seedDemo, options.logger) = (port, server, false, false, logger)
        options.onRunning = { _ in announce.yield() }
        let app = try await buildApplication(config: config, options: options)
        let client = try DeviceClient(server: "http://127.0.0.1:\(port)", credential: credential, pinnedCertificate: nil, timeoutSeconds: 30)
        let backend = RemoteStationBackend(client: client, outbox: station)
        let count = records
        let rounds = self.rounds
        let (http, direct) = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            for await _ in ready { break }
            var http: [Double] = [], direct: [Double] = []
            for round in 0..<rounds {
                let batch = Self.outage(records: count, round: round)
                for record in batch { try await station.enqueue(record, now: Date()) }
                let t0 = DispatchTime.now().uptimeNanoseconds
                let sent = await backend.deliver()
                http.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                guard sent == count, try await station.outboxCount() == 0 else { throw BenchmarkError("round \(round): \(sent) of \(count) delivered") }
                let keyed = batch.enumerated().map { ("b\(round)-\($0.offset)", $0.element) }
                let t1 = DispatchTime.now().uptimeNanoseconds
                try await baseline.deliver(keyed, device: "poste-1", now: Date())
                direct.append(Double(DispatchTime.now().uptimeNanoseconds - t1) / 1e9)
            }
            group.cancelAll()
            return (http, direct)
        }
        let sessions = try await server.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM stationSession") ?? 0 }
        let expected = rounds * Self.outage(records: count, round: 0).filter { if case .use = $0 { true } else { false } }.count
        guard sessions == expected else { throw BenchmarkError("\(sessions) sessions on the server, \(expected) expected: not exactly once") }
        print("Outbox catch-up after a 1-hour outage (\(count) records, batches of \(RemoteStationBackend.batch), \(rounds) rounds):")
        print(String(format: "  over HTTP (RemoteStationBackend → /api/v1/devices/outbox): median %.0f ms, worst %.0f ms  (goal < 2000 ms)",
                     AgendaBenchmark.percentile(http, 0.5) * 1000, (http.max() ?? 0) * 1000))
        print(String(format: "  baseline, straight into SQLite (one transaction):          median %.0f ms, worst %.0f ms",
                     AgendaBenchmark.percentile(direct, 0.5) * 1000, (direct.max() ?? 0) * 1000))
        print(String(format: "  ratio HTTP / baseline (median): %.1f×; exactly once: %d sessions on the server, as sent", AgendaBenchmark.percentile(http, 0.5) / max(AgendaBenchmark.percentile(direct, 0.5), 1e-9), sessions))
    }

    /// An hour of a busy station: sessions recorded at start and at end, their wipes, a help
    /// request now and then, satisfaction answers.
    static func outage(records: Int, round: Int) -> [StationRecord] {
        let start = Date().addingTimeInterval(-3600)
        var out: [StationRecord] = []
        var i = 0
        while out.count < records {
            let at = start.addingTimeInterval(Double(i) * 3600 / Double(records))
            let id = "k" + String(format: "%016x", round * 1_000_000 + i)
            let use = StationUse(id: id, station: "poste-1", start: at, end: nil, lifeSituations: ["having-baby"], partnerSites: ["caf"],
                                 pagesPrinted: 1, pagesScanned: 1, helpRequested: false, accompanied: false)
            out.append(.use(use))
            out.append(.wipe(station: "poste-1", at: at, durationMs: 40, reason: "button", succeeded: true, leftovers: 0))
            out.append(i % 4 == 0 ? .satisfaction(at: at, score: 4) : .help(station: "poste-1", session: id, at: at))
            i += 1
        }
        return Array(out.prefix(records))
    }
}
