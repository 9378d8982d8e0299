import Agenda
import Foundation
import GRDB

extension AppDatabase {
    /// Free slots for a query, read from one consistent snapshot of the agenda. In a network,
    /// the network's database is asked meanwhile (its round trip and this read overlap).
    public func availability(_ query: Availability.Query, structure: Structure, now: Date) async throws -> [FreeSlot] {
        try query.validate()
        let zone = structure.timeZone
        let range = TimeSpan(zone.day(query.from).start, zone.day(query.to).end)
        async let elsewhere = specialistsBusyElsewhere(query.specialist.map { [$0] }, during: range)
        let agenda = try await writer.read { db in
            (
                plan: try Self.hoursPlan(db, structure: structure, now: now), permanences: try Self.permanences(db),
                visioSlots: try Self.visioSlots(db, overlapping: range), bookings: try Self.bookings(db, overlapping: range),
                closures: try Self.closures(db, overlapping: range)
            )
        }
        return Availability.freeSlots(
            query, permanences: agenda.permanences, visioSlots: agenda.visioSlots,
            busy: BusyTimes(bookings: agenda.bookings, specialistsElsewhere: try await elsewhere),
            closures: agenda.closures, opening: agenda.plan.calendar, zone: zone, now: now)
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
