import Devices
import Foundation
import Hummingbird
import Logging
import CoreMetrics
import Media
import NetworkStore
import ServiceLifecycle
import UnixSignals
import Station
import Store
import StructureConfig
import OfficeKit
import Web

/// How `guichet serve` (and every test of the daemon) wants the daemon built. The defaults
/// are the daemon's: the data folder `data`, CUPS and SANE from the configuration, no visio
/// engine unless media settings are given.
public struct AppOptions: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// The folder holding the database, its lock and the stations' session folders.
    public var data = "data"
    /// An already open database (tests, benchmarks): used instead of `data/guichet.sqlite`,
    /// and no lock is taken on the folder.
    public var database: AppDatabase?
    public var seedDemo = true
    /// Drive the configuration's self-service stations, with CUPS and SANE as it names them
    /// (off: tests of the agenda, the console and the visio alone).
    public var stations = true
    /// The daemon's own TLS; nil serves plain HTTP (on loopback, or behind a reverse proxy).
    public var tls: ServerTLS?
    /// Reverse proxies whose `X-Forwarded-For`/`-Proto` are believed.
    public var trustedProxies: [AddressRange] = []
    /// The structure's own networks (`--local-network`); elsewhere only the visio links answer.
    public var localNetworks: [AddressRange] = NetworkPolicy.defaultLocalNetworks()
    /// The visio room's engine; nil runs no visio calls.
    public var visio: MediaSettings?
    /// The room's engine runs on the room's own PC (`guichet room`), not in the daemon.
    public var remoteRoom = false
    public var clock: @Sendable () -> Date = { Date() }
    public var logger = Logger(label: "guichet")
    /// Called once the socket is bound, with the office it serves (the daemon prints its URLs there).
    public var onRunning: @Sendable (Office) async -> Void = { _ in }
    /// Make the office's registry swift-metrics' factory (once per process: the daemon's).
    public var bootstrapMetrics = false
    /// How often a structure in a network hands its activity over (`--network-sync-seconds`).
    public var networkSync: Duration = .seconds(15 * 60)
    /// How old a hold in the network must be before a reconciliation releases it (`--network-hold-grace-seconds`).
    public var networkHoldGrace: Duration = .seconds(60)

    public init() {}

    public var databasePath: String { (data as NSString).appendingPathComponent("guichet.sqlite") }
}

/// The daemon: the office opened from `config` and `options`, its routes, and its
/// long-running services (the data folder's lock, the daily purge, the stations' clock, the
/// visio's lifecycle), added to the application so that one `runService()` runs them all.
///
/// Hummingbird stops the services in reverse order: the server first (its WebSockets close,
/// requests in flight finish), then the rest.
public func buildApplication(config: GuichetConfig, options: AppOptions) async throws -> some ApplicationProtocol {
    try await buildDaemon(config: config, options: options).app
}

/// The daemon (`buildApplication`) and the services that must stop before its server does:
/// the visio tells each specialist's page that the call has ended while its socket is open.
public func buildDaemon(config: GuichetConfig, options: AppOptions) async throws -> (app: some ApplicationProtocol, stoppingFirst: [any Service]) {
    let logger = options.logger
    // Bad certificate files refuse the start before the data folder is touched.
    let tls = try options.tls?.load()
    var lock: DataFolderLock?
    let database: AppDatabase
    if let given = options.database {
        database = given
    } else {
        // One daemon per data folder, before anything touches it (a second one would wipe
        // the first one's kiosk session in use).
        try FileManager.default.createDirectory(atPath: options.data, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        lock = try DataFolderLock(folder: options.data)
        database = try AppDatabase.open(path: options.databasePath) { logger.notice("\($0)") }
    }
    let network = try config.network.map { try NetworkJoin.membership($0, structure: config.structure, holdGrace: options.networkHoldGrace) }
    if let network { database.joinNetwork(network) }
    var office = Office(config: config, database: database, clock: options.clock)
    office.networkOverview = network
    office.networkAccounts = network
    office.network = NetworkPolicy(
        trustedProxies: options.trustedProxies, tls: tls != nil, certificateFingerprint: tls?.fingerprint, localNetworks: options.localNetworks)
    if let file = config.metrics.tokenFile { office.metricsAccess = try MetricsAccess.load(tokenFile: file) }
    if options.bootstrapMetrics { MetricsSystem.bootstrap(office.metrics.factory) }
    if options.stations {
        let kiosk = config.kiosk
        switch PrinterQueueCheck.check(kiosk) {
        case .fine: break
        case .unreachable(let warning): logger.warning("\(warning)")
        case .unknownQueue(let error): logger.error("\(error): the stations cannot print until it is fixed (see /healthz)")
        }
        office = office.withStations(
            data: URL(fileURLWithPath: options.data),
            devices: StationDevices(
                printer: CupsPrinter(server: kiosk.cupsServer), queue: kiosk.printerQueue, scanner: SaneScanner(extraOptions: kiosk.scannerOptions),
                scannerDevice: kiosk.scanner, pageCap: kiosk.pageCap))
    }
    if var media = options.visio {
        if !options.remoteRoom, media.dtlsCertificate == nil, lock != nil {
            // The room on this machine: its DTLS certificate is kept in the data folder.
            media.dtlsCertificate = try DTLSCertificate.room(in: URL(fileURLWithPath: options.data).appendingPathComponent("visio"))
        }
        office = office.withVisio(media: media, engine: options.remoteRoom ? RemoteRoomEngine() : LocalRoomEngine())
    }
    if options.seedDemo, try await office.seedDemo() {
        logger.info("demo data seeded", metadata: ["guichet.database": "\(database.folder ?? "memory")"])
    }
    let running = office
    let pages = try await WebPages.load()
    var app = Application(
        router: buildRouter(office: office, pages: pages),
        server: try .guichet(office: office, tls: tls?.0),
        configuration: .init(address: .hostname(options.host, port: options.port), serverName: "Guichet"),
        onServerRunning: { _ in await options.onRunning(running) },
        logger: logger)
    if let network {
        // First in, last out: the pool outlives every service that books.
        app.addServices(network.database.client, NetworkJoin(office: office, membership: network, logger: logger, every: options.networkSync))
    }
    if let lock {
        app.addServices(DataFolderLockHolder(lock: lock))
        let folder = config.backups.folder.hasPrefix("/") ? config.backups.folder : (options.data as NSString).appendingPathComponent(config.backups.folder)
        app.addServices(BackupService(office: office, databasePath: options.databasePath, folder: folder, keep: config.backups.keep, logger: logger))
    }
    app.addServices(PurgeService(office: office, logger: logger), StationTicker(office: office, logger: logger), VisioLifecycle(office: office))
    if let notices = config.notices { app.addServices(NoticeService(office: office, settings: notices, logger: logger)) }
    if let watchdog = WatchdogService(database: database) { app.addServices(watchdog) }
    return (app, [VisioEndsFirst(office: office)])
}

/// Keeps the data folder's lock until the daemon has stopped (the lock is released when the
/// process ends in any case).
struct DataFolderLockHolder: Service {
    let lock: DataFolderLock

    func run() async throws {
        try? await gracefulShutdown()
        withExtendedLifetime(lock) {}
    }
}

/// Runs the daemon until SIGTERM or SIGINT; requests in flight then get ten seconds to finish.
/// `stoppingFirst` are stopped before the application (a service group stops in reverse order).
public func runUntilSignalled(_ app: some ApplicationProtocol, stoppingFirst: [any Service] = [], logger: Logger) async throws {
    var configuration = ServiceGroupConfiguration(services: [app] + stoppingFirst, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    configuration.maximumGracefulShutdownDuration = .seconds(10)
    try await ServiceGroup(configuration: configuration).run()
}
