import Agenda
import Foundation
import Logging
import Station
import Store

/// What a station needs of the structure: somewhere to put its facts (usage, wipes, help,
/// alerts, satisfaction) and the day's appointments to check a usager in. The server's own
/// stations use the database (`LocalStationBackend`); a station on its own PC uses the
/// server, through its outbox (`RemoteStationBackend`).
public protocol StationBackend: StationRecorder {
    /// Puts a fact where the structure will read it; never throws: the station must go on.
    func record(_ record: StationRecord) async
    /// Checks the usager in by the name given at booking; throws `StationBackendError.unreachable`
    /// when the agenda cannot be asked now.
    func checkIn(name: String, now: Date) async throws -> Bool
    /// Whether an agent can be called now (the station says so plainly when not).
    func canCallAnAgent() async -> Bool
    /// One step of the usager's self-booking at the station; `unreachable` as for check-in.
    func selfBookingStep(_ ask: StationBookingAsk, now: Date) async throws -> StationBookingStep
    /// Books for the usager at the station (name only); an `AgendaError` says why not.
    func selfBook(slot: String, situation: String?, name: String, now: Date) async throws -> StationBooked
}

public enum StationBackendError: Error {
    case unreachable
}

extension StationBackend {
    public func record(_ use: StationUse) async { await record(.use(use)) }

    public func wiped(_ record: WipeRecord, station: String, reason: SessionEndReason) async {
        await self.record(
            .wipe(
                station: station, at: record.at, durationMs: Int((record.duration * 1000).rounded()), reason: reason.rawValue,
                succeeded: record.succeeded, leftovers: record.leftovers.count))
        Logger(label: "guichet.station").info(
            "wipe", metadata: ["station": "\(station)", "succeeded": "\(record.succeeded)", "ms": "\(Int(record.duration * 1000))"])
    }

    public func alert(station: String, message: String) async {
        Logger(label: "guichet.station").critical("\(message)", metadata: ["station": "\(station)"])
        await record(.alert(station: station, message: message, at: Date()))
    }

    public func help(station: String, session: String?) async {
        await record(.help(station: station, session: session, at: Date()))
    }

    public func closeUnfinished(station: String, at: Date) async {
        await record(.closeUnfinished(station: station, at: at))
    }
}

/// The server's own stations: straight into its database. A failure to record is logged and
/// never stops the station (the wipe must go on).
public struct LocalStationBackend: StationBackend {
    let database: AppDatabase
    let zone: StructureTimeZone
    let flow: SelfBookingFlow
    let metrics: OfficeMetrics
    let logger = Logger(label: "guichet.station")

    public init(database: AppDatabase, structure: Structure, slotMinutes: Int, metrics: OfficeMetrics) {
        self.database = database
        self.zone = structure.timeZone
        self.flow = SelfBookingFlow(database: database, structure: structure, slotMinutes: slotMinutes)
        self.metrics = metrics
    }

    public func selfBookingStep(_ ask: StationBookingAsk, now: Date) async throws -> StationBookingStep {
        try await flow.stationStep(ask, now: now)
    }

    public func selfBook(slot: String, situation: String?, name: String, now: Date) async throws -> StationBooked {
        try await flow.stationBook(slot: slot, situation: situation, name: name, now: now) { request in
            try await metrics.countingBooking(channel: "station") { try await database.createSelfBooking(request, structure: flow.structure, now: now) }
        }
    }

    public func record(_ record: StationRecord) async {
        do { try await database.record(record) } catch { logger.error("station record not written: \(error)") }
    }

    /// Only today's bookings, by the folded name; nobody's name is ever shown on the station.
    public func checkIn(name: String, now: Date) async throws -> Bool {
        let folded = Self.fold(name)
        guard !folded.isEmpty else { return false }
        let today = zone.day(zone.localDate(now))
        let candidates = try await database.bookings(overlapping: today).filter {
            $0.status == .booked && $0.usager.map { Self.fold($0.name) == folded } == true
        }
        guard candidates.count == 1 else { return false }
        return (try? await database.applyBookingEvent(id: candidates[0].id, .checkIn, now: now)) != nil
    }

    public func canCallAnAgent() async -> Bool { true }

    public static func fold(_ name: String) -> String {
        name.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "fr_FR"))
            .split(whereSeparator: { $0 == " " || $0 == "-" }).joined(separator: " ")
    }
}
