import Agenda
import CoreMetrics
import DeviceLink
import Foundation
import Prometheus

/// What `/metrics` tells an administrator's Prometheus about this process: requests, bookings,
/// the stations' sessions, wipes, prints and scans, the visio calls and their network, and
/// (refreshed at each scrape) the database, the disk and the outbox.
///
/// Labels carry only what an administrator configured or the code names — a route's pattern,
/// a station's id, a refusal's code, an outcome — never a path, a name, a booking or a token.
/// Each process (and each test's application) has its own registry; the daemon also makes it
/// swift-metrics' factory, so what libraries count lands on the same page.
public final class OfficeMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()

    public init() {
        registry.makeGauge(descriptor: Name.buildInfo, labels: [("version", GuichetVersion.text)]).set(to: 1)
        // Shown from the start (empty), so dashboards and rules find them before the first event.
        _ = registry.makeDurationHistogram(descriptor: Name.visioSetup, buckets: Buckets.setup)
        _ = registry.makeDurationHistogram(descriptor: Name.visioDuration, buckets: Buckets.call)
        _ = registry.makeDurationHistogram(descriptor: Name.visioRoundTrip, buckets: Buckets.roundTrip)
        _ = registry.makeValueHistogram(descriptor: Name.visioLoss, buckets: Buckets.loss)
    }

    /// The factory to give `MetricsSystem.bootstrap` (once per process).
    public var factory: PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Buckets.request
        return factory
    }

    /// The exposition text (format 0.0.4).
    public func text() -> String { registry.emitToString() }

    // MARK: HTTP

    /// One request: its route's pattern (never its path), method, status and duration.
    public func request(method: String, route: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: Name.requests, labels: [("method", method), ("route", route), ("status", "\(status)")]).increment()
        registry.makeDurationHistogram(descriptor: Name.requestDuration, labels: [("method", method), ("route", route)], buckets: Buckets.request)
            .record(duration)
    }

    // MARK: Bookings

    /// Takes a booking with `book`, counting it, or its refusal under the agenda's reason.
    public func countingBooking<T>(channel: String, _ book: () async throws -> T) async throws -> T {
        do {
            let booked = try await book()
            bookingCreated(channel: channel)
            return booked
        } catch let error as AgendaError {
            bookingRefused(channel: channel, reason: error.code)
            throw error
        }
    }

    /// A booking taken (`channel`: `api`, `console`, or `self` for a usager on the public page).
    public func bookingCreated(channel: String) {
        registry.makeCounter(descriptor: Name.bookingsCreated, labels: [("channel", channel)]).increment()
    }

    /// A booking refused, by the agenda's stable code (`slot_taken`, `in_the_past`, …).
    public func bookingRefused(channel: String, reason: String) {
        registry.makeCounter(descriptor: Name.bookingsRefused, labels: [("channel", channel), ("reason", reason)]).increment()
    }

    // MARK: Stations

    /// A station's fact as it is recorded (by the station itself, or by the server when a
    /// station's outbox delivers it): sessions and their pages, wipes, help, alerts.
    public func station(_ record: StationRecord) {
        switch record {
        case .use(let use):
            // A session is recorded as it starts and again as it ends; it counts once, ended.
            guard let end = use.end else { return }
            let labels = [("station", use.station)]
            registry.makeCounter(descriptor: Name.sessions, labels: labels).increment()
            registry.makeDurationHistogram(descriptor: Name.sessionDuration, labels: labels, buckets: Buckets.session)
                .record(.milliseconds(max(0, Int64(end.timeIntervalSince(use.start) * 1000))))
            registry.makeCounter(descriptor: Name.pagesPrinted, labels: labels).increment(by: Int64(use.pagesPrinted))
            registry.makeCounter(descriptor: Name.pagesScanned, labels: labels).increment(by: Int64(use.pagesScanned))
        case .wipe(let station, _, let durationMs, _, let succeeded, _):
            registry.makeCounter(descriptor: Name.wipes, labels: [("station", station), ("verified", succeeded ? "true" : "false")]).increment()
            registry.makeDurationHistogram(descriptor: Name.wipeDuration, labels: [("station", station)], buckets: Buckets.wipe)
                .record(.milliseconds(Int64(max(0, durationMs))))
        case .help(let station, _, _):
            registry.makeCounter(descriptor: Name.helpRequests, labels: [("station", station)]).increment()
        case .alert(let station, _, _):
            registry.makeCounter(descriptor: Name.alerts, labels: [("station", station)]).increment()
        case .satisfaction, .closeUnfinished:
            break
        }
    }

    /// A print job sent to CUPS, or refused/failed (`ok` false).
    public func print(station: String, ok: Bool) {
        registry.makeCounter(descriptor: Name.prints, labels: [("station", station), ("outcome", ok ? "ok" : "failed")]).increment()
    }

    /// A scan through SANE, or its failure.
    public func scan(station: String, ok: Bool) {
        registry.makeCounter(descriptor: Name.scans, labels: [("station", station), ("outcome", ok ? "ok" : "failed")]).increment()
    }

    // MARK: Notices

    /// A booking notice handed over (`sent`), refused and to be tried again (`failed`), or given up.
    public func notice(channel: String, kind: String, outcome: String) {
        registry.makeCounter(descriptor: Name.notices, labels: [("channel", channel), ("kind", kind), ("outcome", outcome)]).increment()
    }

    // MARK: Visio

    /// Admission to the first picture from the specialist.
    public func visioSetup(_ duration: Duration) {
        registry.makeDurationHistogram(descriptor: Name.visioSetup, buckets: Buckets.setup).record(duration)
    }

    /// A call ended: how (`ended`, `dropped`, `ended-early`, …) and how long it lasted since admission.
    public func visioEnded(outcome: String, duration: Duration?) {
        registry.makeCounter(descriptor: Name.visioCalls, labels: [("outcome", outcome)]).increment()
        if let duration { registry.makeDurationHistogram(descriptor: Name.visioDuration, buckets: Buckets.call).record(duration) }
    }

    /// One second's network report of a call, from webrtcbin's statistics.
    public func visioNetwork(roundTrip: Double, loss: Double) {
        if roundTrip > 0 {
            registry.makeDurationHistogram(descriptor: Name.visioRoundTrip, buckets: Buckets.roundTrip).record(.milliseconds(Int64(roundTrip * 1000)))
        }
        registry.makeValueHistogram(descriptor: Name.visioLoss, buckets: Buckets.loss).record(min(1, max(0, loss)))
    }

    // MARK: Refreshed at each scrape

    public func set(_ name: MetricNameDescriptor, _ value: Double, labels: [(String, String)] = []) {
        registry.makeGauge(descriptor: name, labels: labels).set(to: value)
    }

    /// The metrics' names, units and help texts: the dashboard and the alert rules use these.
    public enum Name {
        static func name(_ subsystem: String?, _ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "guichet", subsystem: subsystem, metricName: metric, unitName: unit, helpText: help)
        }
        static var buildInfo: MetricNameDescriptor { name(nil, "build", "info", "The running version (always 1).") }
        static var requests: MetricNameDescriptor { name("http", "requests", "total", "HTTP requests by route pattern, method and status.") }
        static var requestDuration: MetricNameDescriptor { name("http", "request_duration", "seconds", "HTTP request durations by route pattern and method.") }
        static var bookingsCreated: MetricNameDescriptor { name("bookings", "created", "total", "Bookings taken, by channel.") }
        static var bookingsRefused: MetricNameDescriptor { name("bookings", "refused", "total", "Bookings refused, by channel and the agenda's reason code.") }
        static var sessions: MetricNameDescriptor { name("station", "sessions", "total", "Self-service sessions ended, by station.") }
        static var sessionDuration: MetricNameDescriptor { name("station", "session_duration", "seconds", "Self-service session lengths, by station.") }
        static var pagesPrinted: MetricNameDescriptor { name("station", "printed_pages", "total", "Pages printed in ended sessions, by station.") }
        static var pagesScanned: MetricNameDescriptor { name("station", "scanned_pages", "total", "Pages scanned in ended sessions, by station.") }
        static var wipes: MetricNameDescriptor { name("station", "wipes", "total", "Session wipes, by station and whether the wipe was verified complete.") }
        static var wipeDuration: MetricNameDescriptor { name("station", "wipe_duration", "seconds", "Session wipe durations, by station.") }
        static var helpRequests: MetricNameDescriptor { name("station", "help_requests", "total", "Calls for an agent from a station.") }
        static var alerts: MetricNameDescriptor { name("station", "alerts", "total", "Alerts raised by a station (a wipe left files, a device failed).") }
        static var prints: MetricNameDescriptor { name("station", "prints", "total", "Print requests from the kiosk, by station and outcome.") }
        static var scans: MetricNameDescriptor { name("station", "scans", "total", "Scan requests from the kiosk, by station and outcome.") }
        public static var sessionOpen: MetricNameDescriptor { name("station", "session_open", "", "1 while a usager's session is open on the station.") }
        static var notices: MetricNameDescriptor { name(nil, "notices", "total", "Booking notices to usagers (e-mail, SMS), by channel, kind and outcome: sent, failed (tried again), given-up.") }
        static var visioSetup: MetricNameDescriptor { name("visio", "setup", "seconds", "Visio calls: admission to the specialist's first picture.") }
        static var visioDuration: MetricNameDescriptor { name("visio", "call_duration", "seconds", "Visio calls: length from admission to the end.") }
        static var visioCalls: MetricNameDescriptor { name("visio", "calls", "total", "Visio calls ended, by outcome.") }
        static var visioRoundTrip: MetricNameDescriptor { name("visio", "round_trip", "seconds", "Visio calls: round-trip time, one sample a second.") }
        static var visioLoss: MetricNameDescriptor { name("visio", "packet_loss", "ratio", "Visio calls: share of the room's packets lost, one sample a second.") }
        public static var visioInProgress: MetricNameDescriptor { name("visio", "calls_in_progress", "", "Visio connections open now (waiting or in a call).") }
        public static var databaseSize: MetricNameDescriptor { name("database", "size", "bytes", "The SQLite database's size with its write-ahead log.") }
        public static var diskFree: MetricNameDescriptor { name("disk", "free", "bytes", "Free space on the data folder's file system.") }
        public static var outbox: MetricNameDescriptor { name("outbox", "records", "", "Station facts waiting to reach the server.") }
        public static var deviceLastContact: MetricNameDescriptor { name(
            "device", "last_contact", "timestamp_seconds", "When an enrolled PC last reached the server (Unix time), by device and role.") }
        public static var lastBackup: MetricNameDescriptor { name("backup", "last_success", "timestamp_seconds", "When the daily backup last succeeded (Unix time).") }
    }

    enum Buckets {
        static let request: [Duration] = [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10)]
        static let session: [Duration] = [60, 300, 600, 1200, 1800, 2700, 3600, 7200].map { .seconds($0) }
        static let wipe: [Duration] = [.milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .seconds(2), .seconds(5), .seconds(10), .seconds(30)]
        static let setup: [Duration] = [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(3), .seconds(5),
            .seconds(10), .seconds(20), .seconds(30)]
        static let call: [Duration] = [60, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200].map { .seconds($0) }
        static let roundTrip: [Duration] = [.milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(200),
            .milliseconds(300), .milliseconds(500), .seconds(1), .seconds(2)]
        static let loss: [Double] = [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5]
    }
}
