import Agenda
import Foundation
import Store
import Media
import Visio
import Station
import StructureConfig

/// What every handler works with: the structure's configuration, its database and the
/// clock (injected so tests can move time; never `Date()` inside a rule).
public struct Office: Sendable {
    public let config: GuichetConfig
    public let database: AppDatabase
    public let clock: @Sendable () -> Date
    public let formTokens = FormTokens()
    public let healthCache = HealthCache()
    /// The enrolled stations and room PCs.
    public let devices: DeviceRegistry
    /// TLS and the trusted reverse proxies (who the client really is).
    public var network = NetworkPolicy()
    /// What `/metrics` shows (one registry per office, shared by its copies).
    public let metrics: OfficeMetrics
    /// Who may read `/metrics`.
    public var metricsAccess = MetricsAccess()
    /// The network's view across its structures, for its coordinators (in a network only).
    public var networkOverview: (any NetworkOverview)?
    /// The network's accounts, which sign in here with their role in this structure (in a network only).
    public var networkAccounts: (any NetworkAccounts)?
    /// The visio calls, once `withVisio` gave the room's media settings.
    public private(set) var visio: VisioCalls?
    /// The self-service stations this daemon drives, by id (empty until `withStations`).
    public private(set) var stations: [String: StationService] = [:]
    /// The stations' printer and scanner (their health is reported by `/healthz`).
    public private(set) var stationDevices: StationDevices?
    /// Where the stations put their facts and ask for appointments: this database, unless
    /// `withStations` was given the server's (a station on its own PC).
    public private(set) var stationBackend: any StationBackend

    public init(config: GuichetConfig, database: AppDatabase, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.config = config
        self.database = database
        self.clock = clock
        devices = DeviceRegistry(database: database, clock: clock)
        let metrics = OfficeMetrics()
        self.metrics = metrics
        stationBackend = LocalStationBackend(database: database, structure: config.structure, slotMinutes: config.booking.slotMinutes, metrics: metrics)
    }

    public var structure: Structure { config.structure }
    public var zone: StructureTimeZone { config.structure.timeZone }

    public var kioskSites: [String] { config.kioskSites }

    /// The same office driving its self-service stations (all of the configuration's, or
    /// `only` those), whose session folders live under `data`; the devices are given (CUPS
    /// and SANE), and the backend when the structure's agenda is not this database.
    public func withStations(data: URL, devices: StationDevices, only: Set<String>? = nil, backend: (any StationBackend)? = nil) -> Office {
        var office = self
        office.stationDevices = devices
        if let backend { office.stationBackend = backend }
        let timings = KioskTimings(inactivity: TimeInterval(config.kiosk.inactivitySeconds), warning: TimeInterval(config.kiosk.warningSeconds))
        let recorder = MeteredStationBackend(inner: office.stationBackend, metrics: metrics)
        for station in structure.stations where station.selfService && only.map({ $0.contains(station.id) }) != false {
            office.stations[station.id] = StationService(
                station: station.id, data: data, timings: timings, devices: devices, recorder: recorder, clock: clock)
        }
        return office
    }

    /// The same office running visio calls with the room's media settings; the room's engine
    /// runs in this process unless another is given (the room's own PC).
    public func withVisio(media: MediaSettings, engine: any RoomEngine = LocalRoomEngine()) -> Office {
        var office = self
        let visio = structure.visio
        office.visio = VisioCalls(
            database: database, media: media,
            ice: IceConfiguration(stunServers: visio.stunServers, turnServers: visio.turnServers, turnSecret: visio.turnSecret), codec: visio.codec,
            engine: engine, metrics: metrics,
            clock: clock)
        if let remote = engine as? RemoteRoomEngine, let calls = office.visio {
            remote.setAdopter { call, station in await calls.adopt(call, station: station) }
        }
        return office
    }

    /// Seeds the configuration's demo data into an empty database.
    @discardableResult
    public func seedDemo() async throws -> Bool {
        let demo = config.demo
        return try await database.seedDemoIfEmpty(
            specialists: demo.specialists.map { ($0.id, $0.partner, $0.displayName) },
            permanences: demo.permanences.map { ($0.specialist, $0.room, $0.recurrence, $0.hours) },
            visioSlots: demo.visioSlots.map { ($0.specialist, $0.weekday, $0.hours, $0.weeks) },
            structure: structure, now: clock())
    }
}
