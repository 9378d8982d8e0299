import Agenda
import Foundation
import GRDB
import Store
import Testing

struct StoreTests {
    let now = Timestamp.parse("2026-11-25T10:00:00+01:00")!
    let structure: Structure = {
        let zone = StructureTimeZone(identifier: "Europe/Paris")!
        let day = [LocalTimeRange(iso: "09:00-12:30")!, LocalTimeRange(iso: "13:30-17:30")!]
        let hours = try! WeeklyHours([.monday: day, .tuesday: day, .wednesday: day, .thursday: day, .friday: day])
        return Structure(
            id: "test", name: "Test", address: "1 rue", timeZone: zone, email: "a@b.fr", phone: "0100000000", label: .franceServices,
            openingHours: hours, partners: [Partner(id: "caf", name: "Caf", national: true, website: "https://www.caf.fr")], lifeSituations: [],
            rooms: [Room(id: "salle", name: "Salle", confidential: false), Room(id: "conf", name: "Confidentiel", confidential: true)],
            stations: [Station(id: "visio", name: "Visio", room: "conf", selfService: false, visio: true)],
            visio: VisioSettings(slotMinutes: 30, stunServers: [], turnServers: [], joinEarlyMinutes: 10))
    }()

    func span(_ start: String, minutes: Int = 30) -> TimeSpan {
        let s = Timestamp.parse(start)!
        return TimeSpan(s, s.addingTimeInterval(TimeInterval(minutes * 60)))
    }

    @Test func theDatabaseRefusesOverlappingBookingsWhateverCodeWrites() async throws {
        let db = try AppDatabase.inMemory()
        _ = try await db.createBooking(BookingRequest(kind: .room, room: "salle", span: span("2026-12-01T09:00:00+01:00"), usager: Usager(name: "A")), structure: structure, now: now)
        // Straight SQL, bypassing every Swift check: the trigger still refuses.
        await #expect(throws: DatabaseError.self) {
            try await db.writer.write { db in
                try db.execute(sql: """
                    INSERT INTO booking (id, kind, room, startsAt, endsAt, status, createdAt, updatedAt)
                    VALUES ('x', 'room', 'salle', ?, ?, 'booked', 0, 0)
                    """, arguments: [span("2026-12-01T09:15:00+01:00").start.timeIntervalSince1970, span("2026-12-01T09:15:00+01:00").end.timeIntervalSince1970])
            }
        }
        await #expect(throws: AgendaError.slotTaken) {
            try await db.createBooking(BookingRequest(kind: .room, room: "salle", span: span("2026-12-01T09:29:00+01:00"), usager: Usager(name: "B")), structure: structure, now: now)
        }
        // Back to back is fine, and another room is free.
        _ = try await db.createBooking(BookingRequest(kind: .room, room: "salle", span: span("2026-12-01T09:30:00+01:00"), usager: Usager(name: "C")), structure: structure, now: now)
        _ = try await db.createBooking(BookingRequest(kind: .room, room: "conf", span: span("2026-12-01T09:00:00+01:00"), usager: Usager(name: "D")), structure: structure, now: now)
    }

    @Test func aVisioBookingHoldsTheRoomTheStationAndTheSpecialistTogether() async throws {
        let db = try AppDatabase.inMemory()
        let specialist = try await db.addSpecialist(partner: "caf", displayName: "Claire", structure: structure, now: now)
        let slot = try await db.addVisioSlot(specialist: specialist.id, span: span("2026-12-01T14:00:00+01:00", minutes: 120), structure: structure, now: now)
        #expect(slot.room == "conf" && slot.station == "visio")
        let booking = try await db.createBooking(BookingRequest(kind: .visio, visioSlot: slot.id, span: span("2026-12-01T14:00:00+01:00"), usager: Usager(name: "A")), structure: structure, now: now)
        #expect(booking.specialist == specialist.id && booking.station == "visio" && booking.room == "conf")
        // The same time again is taken (the room, the station and the specialist are held).
        await #expect(throws: AgendaError.slotTaken) {
            try await db.createBooking(BookingRequest(kind: .visio, visioSlot: slot.id, span: span("2026-12-01T14:00:00+01:00"), usager: Usager(name: "B")), structure: structure, now: now)
        }
        // The visio slot holds the confidential room for its whole window: an agent's room
        // booking there is refused, naming the window (field test: it took the partner's room).
        await #expect(throws: AgendaError.heldByPartnerWindow(kind: "visio", id: slot.id, partner: "caf")) {
            try await db.createBooking(BookingRequest(kind: .room, room: "conf", span: span("2026-12-01T15:15:00+01:00"), usager: Usager(name: "B")), structure: structure, now: now)
        }
        // Cancelling frees all three.
        _ = try await db.applyBookingEvent(id: booking.id, .cancel, now: now)
        _ = try await db.createBooking(BookingRequest(kind: .visio, visioSlot: slot.id, span: span("2026-12-01T14:00:00+01:00"), usager: Usager(name: "B")), structure: structure, now: now)
    }

    @Test func aClosureListsTheBookingsItHitsAndBlocksNewOnes() async throws {
        let db = try AppDatabase.inMemory()
        let booked = try await db.createBooking(BookingRequest(kind: .room, room: "salle", span: span("2026-12-10T10:00:00+01:00"), usager: Usager(name: "A")), structure: structure, now: now)
        let result = try await db.announceClosure(span: span("2026-12-10T00:00:00+01:00", minutes: 24 * 60), reason: "Formation des agents", emergency: false, now: now)
        #expect(result.hits.map(\.id) == [booked.id])
        await #expect(throws: AgendaError.self) {
            try await db.createBooking(BookingRequest(kind: .room, room: "salle", span: span("2026-12-10T14:00:00+01:00"), usager: Usager(name: "B")), structure: structure, now: now)
        }
        let withdrawn = try await db.withdrawClosure(id: result.closure.id)
        #expect(withdrawn.withdrawn && withdrawn.sequence == 1)
        _ = try await db.createBooking(BookingRequest(kind: .room, room: "salle", span: span("2026-12-10T14:00:00+01:00"), usager: Usager(name: "B")), structure: structure, now: now)
    }

    @Test func reschedulingRaisesTheSequenceAndChecksTheNewTime() async throws {
        let db = try AppDatabase.inMemory()
        let a = try await db.createBooking(BookingRequest(kind: .room, room: "salle", span: span("2026-12-01T09:00:00+01:00"), usager: Usager(name: "A")), structure: structure, now: now)
        _ = try await db.createBooking(BookingRequest(kind: .room, room: "salle", span: span("2026-12-01T10:00:00+01:00"), usager: Usager(name: "B")), structure: structure, now: now)
        await #expect(throws: AgendaError.slotTaken) { try await db.rescheduleBooking(id: a.id, to: span("2026-12-01T10:15:00+01:00"), structure: structure, now: now) }
        let moved = try await db.rescheduleBooking(id: a.id, to: span("2026-12-01T11:00:00+01:00"), structure: structure, now: now)
        #expect(moved.sequence == 1)
        #expect(try await db.booking(id: a.id).span == span("2026-12-01T11:00:00+01:00"))
    }

    @Test func aSpecialistCannotHoldTwoWindowsAtOnce() async throws {
        let db = try AppDatabase.inMemory()
        let s = try await db.addSpecialist(partner: "caf", displayName: "Claire", structure: structure, now: now)
        _ = try await db.addPermanence(specialist: s.id, room: "salle", recurrence: .weekly(interval: 1, weekday: .tuesday), hours: LocalTimeRange(iso: "09:00-12:00")!, firstDate: LocalDate(iso: "2026-12-01")!, lastDate: nil, structure: structure, now: now)
        await #expect(throws: AgendaError.specialistBusy(s.id)) {
            try await db.addVisioSlot(specialist: s.id, span: span("2026-12-08T11:00:00+01:00", minutes: 60), structure: structure, now: now)
        }
        // Outside opening hours is refused with the rule.
        await #expect(throws: AgendaError.self) {
            try await db.addPermanence(specialist: s.id, room: "salle", recurrence: .weekly(interval: 1, weekday: .saturday), hours: LocalTimeRange(iso: "09:00-12:00")!, firstDate: LocalDate(iso: "2026-12-01")!, lastDate: nil, structure: structure, now: now)
        }
    }

    @Test func aFileDatabaseRunsInWALMode() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("guichet-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let db = try AppDatabase.open(path: path)
        #expect(try await db.journalMode() == "wal")
        #expect(try await db.integrityCheck() == "ok")
    }
}
