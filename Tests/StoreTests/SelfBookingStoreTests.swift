import Agenda
import Foundation
import GRDB
import Store
import Testing

/// A usager's own bookings: the manager's policy, the per-contact limit and the agents' rules,
/// all inside the write; a refusal leaves nothing behind; the code sees, moves and cancels.
struct SelfBookingStoreTests {
    let store = StoreTests()

    func open(_ db: AppDatabase) async throws -> (specialist: Specialist, slot: VisioSlot) {
        try await db.saveSelfBookingPolicy(
            SelfBookingPolicy(enabled: true, partners: ["caf"], kinds: [.visio], horizonDays: 28, minimumNoticeHours: 24), structure: store.structure, now: store.now)
        let specialist = try await db.addSpecialist(partner: "caf", displayName: "Claire", structure: store.structure, now: store.now)
        let slot = try await db.addVisioSlot(specialist: specialist.id, span: store.span("2026-12-01T14:00:00+01:00", minutes: 180), structure: store.structure, now: store.now)
        return (specialist, slot)
    }

    func request(_ slot: VisioSlot, _ start: String, _ usager: Usager) -> BookingRequest {
        BookingRequest(kind: .visio, visioSlot: slot.id, span: store.span(start), usager: usager)
    }

    func count(_ db: AppDatabase, _ table: String) async throws -> Int {
        try await db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM \(table)") ?? 0 }
    }

    @Test func twoFutureBookingsPerContactAndARefusalWritesNothing() async throws {
        let db = try AppDatabase.inMemory()
        let (_, slot) = try await open(db)
        let marie = Usager(name: "Marie", phone: "06 12 34 56 78", reminderConsent: true)
        let first = try await db.createSelfBooking(request(slot, "2026-12-01T14:00:00+01:00", marie), structure: store.structure, now: store.now)
        _ = try await db.createSelfBooking(request(slot, "2026-12-01T14:30:00+01:00", marie), structure: store.structure, now: store.now)
        let same = Usager(name: "Marie D.", phone: "+33 6 12 34 56 78", reminderConsent: true)
        await #expect(throws: AgendaError.tooManySelfBookings) {
            _ = try await db.createSelfBooking(request(slot, "2026-12-01T15:00:00+01:00", same), structure: store.structure, now: store.now)
        }
        #expect(try await count(db, "booking") == 2)
        #expect(try await count(db, "selfBooking") == 2)
        // Someone else, or nobody's contact, is not held back; a cancelled one frees a place.
        _ = try await db.createSelfBooking(request(slot, "2026-12-01T15:00:00+01:00", Usager(name: "Paul")), structure: store.structure, now: store.now)
        _ = try await db.cancelSelfBooking(code: first.code, now: store.now)
        _ = try await db.createSelfBooking(request(slot, "2026-12-01T15:30:00+01:00", same), structure: store.structure, now: store.now)
        // The slot already taken: the agents' 409, and still nothing written.
        await #expect(throws: AgendaError.slotTaken) {
            _ = try await db.createSelfBooking(request(slot, "2026-12-01T15:00:00+01:00", Usager(name: "Zoé")), structure: store.structure, now: store.now)
        }
        #expect(try await count(db, "selfBooking") == 4)
    }

    @Test func thePolicyIsReadInsideTheWrite() async throws {
        let db = try AppDatabase.inMemory()
        let (_, slot) = try await open(db)
        // Within the day's notice (now is 2026-11-25 10:00).
        let soon = try await db.addVisioSlot(
            specialist: (try await db.specialists()).first!.id, span: store.span("2026-11-26T09:00:00+01:00", minutes: 60), structure: store.structure, now: store.now)
        await #expect(throws: AgendaError.notSelfBookable) {
            _ = try await db.createSelfBooking(request(soon, "2026-11-26T09:00:00+01:00", Usager(name: "A")), structure: store.structure, now: store.now)
        }
        // An agent may still book it.
        _ = try await db.createBooking(request(soon, "2026-11-26T09:00:00+01:00", Usager(name: "A")), structure: store.structure, now: store.now)
        var policy = try await db.selfBookingPolicy()
        policy.enabled = false
        try await db.saveSelfBookingPolicy(policy, structure: store.structure, now: store.now)
        await #expect(throws: AgendaError.notSelfBookable) {
            _ = try await db.createSelfBooking(request(slot, "2026-12-01T14:00:00+01:00", Usager(name: "A")), structure: store.structure, now: store.now)
        }
        // A refused setting keeps the previous one.
        policy.partners = ["nobody"]
        await #expect(throws: AgendaError.self) { try await db.saveSelfBookingPolicy(policy, structure: store.structure, now: store.now) }
        #expect(try await db.selfBookingPolicy().partners == ["caf"])
    }

    @Test func theCodeMovesTheSameBookingAndThePurgeEndsIt() async throws {
        let db = try AppDatabase.inMemory()
        let (specialist, slot) = try await open(db)
        let booked = try await db.createSelfBooking(
            request(slot, "2026-12-01T14:00:00+01:00", Usager(name: "Marie", email: "marie@example.org", reminderConsent: true)), structure: store.structure, now: store.now)
        let later = try await db.addVisioSlot(specialist: specialist.id, span: store.span("2026-12-03T09:00:00+01:00", minutes: 60), structure: store.structure, now: store.now)
        let moved = try await db.moveSelfBooking(code: booked.code, to: request(later, "2026-12-03T09:30:00+01:00", Usager(name: "ignored")), structure: store.structure, now: store.now)
        #expect(moved.id == booked.booking.id && moved.visioSlot == later.id && moved.sequence == 1 && moved.usager?.name == "Marie")
        #expect(try await db.selfBooking(code: booked.code)?.booking.span == store.span("2026-12-03T09:30:00+01:00"))
        #expect(try await db.selfBookingCodes(bookings: [booked.booking.id]) == [booked.booking.id: booked.code])
        #expect(try await db.selfBooking(code: "ZZZZZZZZ") == nil)
        // Once the appointment is over and purged, the code opens nothing.
        _ = try await db.purgePersonalData(bookingDays: 0, contactNoteDays: 7, referralDays: 7, mandateDays: 0, actor: "test", now: store.span("2026-12-12T09:00:00+01:00").start)
        #expect(try await db.selfBooking(code: booked.code) == nil)
        #expect(try await db.writer.read { try String.fetchOne($0, sql: "SELECT contact FROM selfBooking") } == nil)
    }
}
