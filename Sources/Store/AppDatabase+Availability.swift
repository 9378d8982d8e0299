import Agenda
import Foundation
import GRDB

extension AppDatabase {
    /// Free slots for a query, read from one consistent snapshot of the agenda.
    public func availability(_ query: Availability.Query, structure: Structure, now: Date) async throws -> [FreeSlot] {
        try query.validate()
        let zone = structure.timeZone
        let range = TimeSpan(zone.day(query.from).start, zone.day(query.to).end)
        let elsewhere = try await specialistsBusyElsewhere(query.specialist.map { [$0] }, during: range)
        return try await writer.read { db in
            let plan = try Self.hoursPlan(db, structure: structure, now: now)
            return Availability.freeSlots(
                query, permanences: try Self.permanences(db), visioSlots: try Self.visioSlots(db, overlapping: range),
                busy: BusyTimes(bookings: try Self.bookings(db, overlapping: range), specialistsElsewhere: elsewhere),
                closures: try Self.closures(db, overlapping: range), opening: plan.calendar, zone: zone, now: now)
        }
    }

    /// In a network, when this structure's specialists are booked by the others. Out of
    /// reach, none: the structure's own slots are still offered, and booking one that needs
    /// the network says so.
    /// `only`: the specialists asked about (else every specialist of the structure).
    private func specialistsBusyElsewhere(_ only: Set<String>?, during range: TimeSpan) async throws -> [String: [TimeSpan]] {
        guard let network else { return [:] }
        var specialists = only ?? []
        if only == nil { specialists = try await writer.read { db in try Set(String.fetchAll(db, sql: "SELECT id FROM specialist")) } }
        guard !specialists.isEmpty else { return [:] }
        do {
            return try await network.busyElsewhere(specialists: specialists, during: range)
        } catch let error as AgendaError where error == .networkUnavailable {
            return [:]
        }
    }
}
