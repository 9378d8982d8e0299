import Agenda
import Foundation
import Prometheus
import Station
import Store

extension Office {
    /// The exposition text, the gauges read from the database, the disk, the stations, the
    /// calls and the outbox refreshed first (so a scrape is always now).
    public func metricsText() async -> String {
        typealias Name = OfficeMetrics.Name
        if let path = database.path {
            let size = ["", "-wal"].compactMap { try? FileManager.default.attributesOfItem(atPath: path + $0)[.size] as? Int }.reduce(0, +)
            metrics.set(Name.databaseSize, Double(size))
        }
        if let folder = database.folder, let free = ComponentChecks.freeBytes(folder: folder) { metrics.set(Name.diskFree, Double(free)) }
        for (id, station) in stations {
            metrics.set(Name.sessionOpen, await station.status().session == nil ? 0 : 1, labels: [("station", id)])
        }
        if let visio { metrics.set(Name.visioInProgress, Double(await visio.presences().count)) }
        if let remote = stationBackend as? RemoteStationBackend, let depth = await remote.waiting() {
            metrics.set(Name.outbox, Double(depth))
        }
        if let devices = try? await database.devices() {
            for device in devices where device.revokedAt == nil {
                guard let seen = device.lastContactAt else { continue }
                metrics.set(Name.deviceLastContact, seen.timeIntervalSince1970, labels: [("device", device.id), ("role", device.kind.rawValue)])
            }
        }
        return metrics.text()
    }

    /// Takes a booking for `channel` (`api`, `console`), counting it or its refusal's reason.
    public func createBooking(_ request: BookingRequest, channel: String) async throws -> Booking {
        try await metrics.countingBooking(channel: channel) { try await database.createBooking(request, structure: structure, now: clock()) }
    }

    /// A usager's own booking on the public page, counted under the `self` channel (a
    /// station's, by its backend, under `station`).
    public func createSelfBooking(_ request: BookingRequest) async throws -> SelfBooked {
        try await metrics.countingBooking(channel: "self") { try await database.createSelfBooking(request, structure: structure, now: clock()) }
    }
}

/// Who may read `/metrics`: the machine itself, or a scraper presenting the configured bearer
/// token (`metrics.tokenFile`); nobody else, and never from outside the structure's network.
public struct MetricsAccess: Sendable {
    /// The token's bytes; nil: loopback only.
    public var token: String?

    public init(token: String? = nil) { self.token = token }

    /// Reads the token file: one line of at least 32 characters, that not everyone may read
    /// (`root:guichet` and 0640 under the package, so that the server can).
    public static func load(tokenFile path: String) throws -> MetricsAccess {
        let token: String
        do { token = try SecretFile.read(path, setting: "metrics.tokenFile") } catch { throw MetricsAccessError(description: error.description) }
        guard token.count >= 32, !token.contains(where: \.isWhitespace) else {
            throw MetricsAccessError(description: "metrics.tokenFile: \(path) must hold one token of at least 32 characters (openssl rand -hex 32)")
        }
        return MetricsAccess(token: token)
    }

    public func allows(origin: ClientOrigin, authorization: String?) -> Bool {
        // No peer at all: a request inside the process (the tests' application).
        if origin.isLoopback || origin.address == ClientOrigin.noPeer { return true }
        guard let token, let authorization, authorization.hasPrefix("Bearer ") else { return false }
        let given = Array(authorization.dropFirst("Bearer ".count).utf8)
        let wanted = Array(token.utf8)
        // Compared in constant time: the scraper's token is a secret.
        guard given.count == wanted.count else { return false }
        return zip(given, wanted).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

public struct MetricsAccessError: Error, CustomStringConvertible {
    public let description: String
}

/// A station's backend that counts each fact (sessions, wipes, help, alerts) as it records it.
struct MeteredStationBackend: StationBackend {
    let inner: any StationBackend
    let metrics: OfficeMetrics

    func record(_ record: StationRecord) async {
        metrics.station(record)
        await inner.record(record)
    }

    func checkIn(name: String, now: Date) async throws -> Bool { try await inner.checkIn(name: name, now: now) }
    func canCallAnAgent() async -> Bool { await inner.canCallAnAgent() }
    func selfBookingStep(_ ask: StationBookingAsk, now: Date) async throws -> StationBookingStep { try await inner.selfBookingStep(ask, now: now) }
    func selfBook(slot: String, situation: String?, name: String, now: Date) async throws -> StationBooked {
        try await inner.selfBook(slot: slot, situation: situation, name: name, now: now)
    }
}
