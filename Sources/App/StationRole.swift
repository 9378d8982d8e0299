import Agenda
import DeviceLink
import Devices
import Foundation
import Hummingbird
import Logging
import OfficeKit
import ServiceLifecycle
import Station
import Store
import StructureConfig
import Web

/// How `guichet station` runs a station on its own PC.
public struct StationRoleOptions: Sendable {
    public var station: String
    /// This PC's folder: its enrolment, the cached settings, its outbox, the session folders.
    public var data: String
    public var identity: DeviceIdentity
    /// The server's address, when not the one the station was enrolled with.
    public var server: String?
    /// The kiosk's own port on 127.0.0.1 (0: any free one).
    public var port = 8090
    /// This PC's printer queue and scanner, when not the configuration's.
    public var printerQueue: String?
    public var cupsServer: String?
    public var scanner: String?
    public var logger = Logger(label: "guichet.station")
    public var clock: @Sendable () -> Date = { Date() }
    /// How often the station says it is alive and retries its outbox.
    public var contactInterval: Duration = .seconds(2)
    /// Called once the kiosk listens, with its base URL and the office it serves.
    public var onRunning: @Sendable (String, Office) async -> Void = { _, _ in }

    public init(station: String, data: String, identity: DeviceIdentity) {
        (self.station, self.data, self.identity) = (station, data, identity)
    }
}

public struct StationRoleError: Error, CustomStringConvertible {
    public let description: String
}

/// A station on its own PC: its kiosk pages on 127.0.0.1, its session folders, devices and
/// wipe all local, its facts in a local outbox delivered to the server exactly once. The
/// structure's settings come from the server, and a copy is kept to start without it.
public func buildStationApplication(options: StationRoleOptions) async throws -> some ApplicationProtocol {
    let logger = options.logger
    let folder = URL(fileURLWithPath: options.data)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let lock = try DataFolderLock(folder: options.data)
    let client = try DeviceClient(identity: options.identity, server: options.server)
    let config = try await StationSettings.load(client: client, folder: folder, logger: logger)
    guard config.structure.stations.contains(where: { $0.id == options.station && $0.selfService }) else {
        throw StationRoleError(description: "\(options.station) is not a self-service station of the server's configuration")
    }
    let database = try AppDatabase.open(path: folder.appendingPathComponent("station.sqlite").path) { logger.notice("\($0)") }
    let backend = RemoteStationBackend(client: client, outbox: database, clock: options.clock)
    let kiosk = config.kiosk
    let queue = options.printerQueue ?? kiosk.printerQueue
    let devices = StationDevices(
        printer: CupsPrinter(server: options.cupsServer ?? kiosk.cupsServer), queue: queue, scanner: SaneScanner(extraOptions: kiosk.scannerOptions),
        scannerDevice: options.scanner ?? kiosk.scanner, pageCap: kiosk.pageCap)
    let office = Office(config: config, database: database, clock: options.clock)
        .withStations(data: folder, devices: devices, only: [options.station], backend: backend)
    let pages = try await WebPages.load()
    let interval = options.contactInterval
    var app = Application(
        router: buildStationRouter(office: office, pages: pages),
        configuration: .init(address: .hostname("127.0.0.1", port: options.port), serverName: "Guichet station"),
        onServerRunning: { channel in
            await options.onRunning("http://127.0.0.1:\(channel.localAddress?.port ?? options.port)", office)
        },
        logger: logger)
    app.addServices(
        DataFolderLockHolder(lock: lock), StationTicker(office: office, logger: logger), StationLinkService(backend: backend, interval: interval))
    return app
}

/// The station's link to the server: contact, and the outbox's delivery.
struct StationLinkService: Service {
    let backend: RemoteStationBackend
    let interval: Duration

    func run() async throws {
        await cancelWhenGracefulShutdown { await backend.run(interval: interval) }
    }
}

/// The structure's settings as the server gives them to its stations, kept in
/// `settings.json` so that a station starts (and protects its usagers) without the server.
enum StationSettings {
    static func load(client: DeviceClient, folder: URL, logger: Logger) async throws -> GuichetConfig {
        let cache = folder.appendingPathComponent("settings.json")
        do {
            let object = try await client.call("GET", "/api/v1/devices/settings")
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            let config = try GuichetConfig.parse(data, file: "the server's settings")
            let temporary = folder.appendingPathComponent(".settings.json.tmp")
            try data.write(to: temporary)
            _ = rename(temporary.path, cache.path)
            return config
        } catch let failure as DeviceClient.Failure where failure.status == 401 {
            throw StationRoleError(description: "the server refused this station's credential (revoked?): enrol it again. \(failure)")
        } catch {
            guard let data = FileManager.default.contents(atPath: cache.path) else {
                throw StationRoleError(description: "cannot reach the server for the structure's settings, and none were kept here yet: \(error)")
            }
            logger.warning("the server does not answer (\(error)); starting with the settings kept in \(cache.path)")
            return try GuichetConfig.parse(data, file: cache.path)
        }
    }
}
