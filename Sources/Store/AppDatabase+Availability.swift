import Agenda
import Foundation
import GRDB

extension AppDatabase {
    /// Free slots for a query, read from one consistent snapshot of the agenda.
    public func availability(_ query: Availability.Query, structure: Structure, now: Date) async throws -> [FreeSlot] {
        try query.validate()
        let zone = structure.timeZone
        let range = TimeSpan(zone.day(query.from).start, zone.day(query.to).end)
        return try await writer.read { db in
            let plan = try Self.hoursPlan(db, structure: structure, now: now)
            return Availability.freeSlots(
                query, permanences: try Self.permanences(db), visioSlots: try Self.visioSlots(db, overlapping: range),
                busy: BusyTimes(bookings: try Self.bookings(db, overlapping: range)),
                closures: try Self.closures(db, overlapping: range), opening: plan.calendar, zone: zone, now: now)
        }
    }
}
