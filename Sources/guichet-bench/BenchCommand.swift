import ArgumentParser
import Benchmarks

/// `guichet-bench` (also reached as `guichet bench`): prints the daemon's performance figures.
/// A binary of its own, so the measurements never ship inside the daemon.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guichet-bench",
        abstract: "Measure the agenda (availability, booking throughput over HTTP, raw SQLite baseline), the quarterly report, the console pages, the station (end → ready, scan → PDF) or a station's outbox catch-up.",
        discussion: "Build in release mode for meaningful figures: swift build -c release && .build/release/guichet-bench [agenda|report|console|station]")

    enum Suite: String, ExpressibleByArgument, CaseIterable { case agenda, report, console, station, outbox }

    @Argument(help: "agenda (default), report, console, station or outbox.")
    var suite: Suite = .agenda

    @Option(help: "The structure's configuration file.")
    var config = "config/guichet.json"

    @Option(help: "Bookings created over HTTP (and rows inserted for the SQLite baseline).")
    var bookings = 2000

    @Option(help: "Concurrent HTTP clients.")
    var clients = 4

    @Option(help: "Loopback port for the benchmark's own server.")
    var port = 18_480

    func run() async throws {
        switch suite {
        case .agenda: try await AgendaBenchmark(configPath: config, bookings: bookings, clients: clients, port: port).run()
        case .report: try await ReportBenchmark(configPath: config).run()
        case .console: try await ConsoleBenchmark(configPath: config, port: port).run()
        case .station: try await StationBenchmark().run()
        case .outbox: try await OutboxBenchmark(configPath: config, port: port).run()
        }
    }
}
