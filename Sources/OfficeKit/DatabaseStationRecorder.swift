import Agenda
import Foundation
import Logging
import Station
import Store

/// The station's facts into the database: usage figures, wipes, help requests and alerts.
/// A failure to record is logged and never stops the station (the wipe must go on).
struct DatabaseStationRecorder: StationRecorder {
    let database: AppDatabase
    let logger = Logger(label: "guichet.station")

    func record(_ use: StationUse) async {
        do { try await database.recordStationUse(use) } catch { logger.error("station use not recorded: \(error)") }
    }

    func wiped(_ record: WipeRecord, station: String, reason: SessionEndReason) async {
        do {
            try await database.recordWipe(
                station: station, at: record.at, duration: record.duration, reason: reason.rawValue, succeeded: record.succeeded,
                leftovers: record.leftovers.count)
        } catch {
            logger.error("wipe not recorded: \(error)")
        }
        logger.info("wipe", metadata: ["station": "\(station)", "succeeded": "\(record.succeeded)", "ms": "\(Int(record.duration * 1000))"])
    }

    func alert(station: String, message: String) async {
        logger.critical("\(message)", metadata: ["station": "\(station)"])
        _ = try? await database.requestHelp(station: station, now: Date(), reason: .outOfService, message: message)
    }

    func help(station: String, session: String?) async {
        _ = try? await database.requestHelp(station: station, now: Date(), session: session)
    }

    func closeUnfinished(station: String, at: Date) async {
        try? await database.closeUnfinishedStationUses(station: station, at: at)
    }
}
