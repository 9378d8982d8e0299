import Agenda
import Foundation
import Store
import Synchronization
import Testing

/// How the structure's database works with its network's (`NetworkClaims`): here through an
/// in-memory stand-in that records what it is told and refuses what it is set to refuse. The
/// PostgreSQL implementation itself is tested in NetworkStoreTests, and the two together
/// through two real servers in Tests/Integration/test_network_database.py.
struct NetworkClaimsStoreTests {
    /// A stand-in for the network's database (not PostgreSQL): the bookings it was handed, and
    /// a refusal to throw for the next one, if set.
    final class NetworkStandIn: NetworkClaims {
        let recorded = Mutex<[Booking]>([])
        let refusal = Mutex<AgendaError?>(nil)
        let elsewhere = Mutex<[String: [TimeSpan]]>([:])
        let unreachable = Mutex(false)
        /// Runs when a booking is held, before the structure writes it (a race, staged).
        let onHold = Mutex<(@Sendable () async throws -> Void)?>(nil)

        func record(_ booking: Booking) throws {
            if let refusal = refusal.withLock({ $0 }) { throw refusal }
            recorded.withLock { $0.append(booking) }
        }

        func hold(_ booking: Booking) async throws {
            try record(booking)
            if let staged = onHold.withLock({ $0 }) { try await staged() }
        }

        func letGo(_ booking: Booking) async {
            recorded.withLock { $0.append(Booking(
                id: booking.id, kind: booking.kind, partner: booking.partner, lifeSituation: booking.lifeSituation, permanence: booking.permanence,
                visioSlot: booking.visioSlot, room: booking.room, specialist: booking.specialist, station: booking.station, span: booking.span,
                status: .cancelled, usager: booking.usager, createdAt: booking.createdAt, updatedAt: booking.updatedAt, sequence: booking.sequence)) }
        }

        func busyElsewhere(specialists: Set<String>, during span: TimeSpan) async throws -> [String: [TimeSpan]] {
            if unreachable.withLock({ $0 }) { throw AgendaError.networkUnavailable }
            return elsewhere.withLock { $0.filter { specialists.contains($0.key) } }
        }

        func check() async throws -> String {
            if unreachable.withLock({ $0 }) { throw AgendaError.networkUnavailable }
            return "stand-in"
        }
    }

    let base = StoreTests()
    var structure: Structure { base.structure }
    var now: Date { base.now }

    private func visioSetUp() async throws -> (AppDatabase, NetworkStandIn, VisioSlot) {
        let db = try AppDatabase.inMemory()
        let network = NetworkStandIn()
        db.joinNetwork(network)
        let specialist = try await db.addSpecialist(id: "caf-martin", partner: "caf", displayName: "Claire Martin", structure: structure, now: now)
        let slot = try await db.addVisioSlot(specialist: specialist.id, span: base.span("2026-12-01T14:00:00+01:00", minutes: 120), structure: structure, now: now)
        return (db, network, slot)
    }

    private func request(_ slot: VisioSlot, at start: String, name: String = "A") -> BookingRequest {
        BookingRequest(kind: .visio, visioSlot: slot.id, span: base.span(start), usager: Usager(name: name))
    }

    @Test func everyChangeOfABookingIsHandedToTheNetworkAsItNowIs() async throws {
        let (db, network, slot) = try await visioSetUp()
        let booked = try await db.createBooking(request(slot, at: "2026-12-01T14:00:00+01:00"), structure: structure, now: now)
        let moved = try await db.rescheduleBooking(id: booked.id, to: base.span("2026-12-01T15:00:00+01:00"), structure: structure, now: now)
        _ = try await db.applyBookingEvent(id: booked.id, .cancel, now: now)
        let seen = network.recorded.withLock { $0 }
        #expect(seen.map(\.id) == [booked.id, booked.id, booked.id])
        #expect(seen.map(\.specialist) == ["caf-martin", "caf-martin", "caf-martin"])
        #expect(seen.map(\.span) == [booked.span, moved.span, moved.span])
        #expect(seen.map(\.status) == [.booked, .booked, .cancelled])
    }

    @Test func aRefusalByTheNetworkWritesNothingHere() async throws {
        let (db, network, slot) = try await visioSetUp()
        let auditBefore = try await db.auditJournal().count
        for refusal in [AgendaError.slotTaken, .networkUnavailable] {
            network.refusal.withLock { $0 = refusal }
            await #expect(throws: refusal) {
                try await db.createBooking(request(slot, at: "2026-12-01T14:00:00+01:00"), structure: structure, now: now)
            }
            #expect(try await db.bookings(overlapping: slot.span).isEmpty)
            #expect(try await db.auditJournal().count == auditBefore)
        }
        // A move the network refuses leaves the booking where it was.
        network.refusal.withLock { $0 = nil }
        let booked = try await db.createBooking(request(slot, at: "2026-12-01T14:00:00+01:00"), structure: structure, now: now)
        network.refusal.withLock { $0 = .slotTaken }
        await #expect(throws: AgendaError.slotTaken) {
            try await db.rescheduleBooking(id: booked.id, to: base.span("2026-12-01T15:00:00+01:00"), structure: structure, now: now)
        }
        #expect(try await db.booking(id: booked.id).span == booked.span)
    }

    @Test func aBookingHeldByTheNetworkButRefusedHereIsLetGo() async throws {
        let (db, network, slot) = try await visioSetUp()
        // Between the network's hold and this database's write, the structure closes that afternoon.
        network.onHold.withLock {
            $0 = { _ = try await db.announceClosure(span: slot.span, reason: "Panne de courant", emergency: true, now: now) }
        }
        await #expect(throws: AgendaError.self) { try await db.createBooking(request(slot, at: "2026-12-01T14:00:00+01:00"), structure: structure, now: now) }
        let seen = network.recorded.withLock { $0 }
        #expect(seen.map(\.status) == [.booked, .cancelled] && Set(seen.map(\.id)).count == 1)
        #expect(try await db.bookings(overlapping: slot.span).isEmpty)
    }

    @Test func availabilityLeavesOutTheSpecialistsBookingsElsewhereAndStillAnswersWhenTheNetworkIsOut() async throws {
        let (db, network, _) = try await visioSetUp()
        let query = Availability.Query(specialist: "caf-martin", from: LocalDate(iso: "2026-12-01")!, to: LocalDate(iso: "2026-12-01")!, slotMinutes: 30)
        let all = try await db.availability(query, structure: structure, now: now).map(\.span.start)
        #expect(all.count == 4)
        network.elsewhere.withLock { $0 = ["caf-martin": [base.span("2026-12-01T14:15:00+01:00", minutes: 45)], "someone-else": [base.span("2026-12-01T15:00:00+01:00")]] }
        let free = try await db.availability(query, structure: structure, now: now).map(\.span.start)
        #expect(free == [base.span("2026-12-01T15:00:00+01:00").start, base.span("2026-12-01T15:30:00+01:00").start])
        network.unreachable.withLock { $0 = true }
        #expect(try await db.availability(query, structure: structure, now: now).map(\.span.start) == all)
    }
}
