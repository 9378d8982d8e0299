import Agenda
import Foundation
import Testing

struct BookingRulesTests {
    let paris = StructureTimeZone(identifier: "Europe/Paris")!
    let now = Timestamp.parse("2026-11-25T10:00:00+01:00")!
    let hours = try! WeeklyHours([
        .tuesday: [LocalTimeRange(iso: "09:00-12:30")!, LocalTimeRange(iso: "13:30-17:30")!],
        .thursday: [LocalTimeRange(iso: "09:00-12:30")!],
    ])

    func at(_ text: String, minutes: Int = 30) -> TimeSpan {
        let start = Timestamp.parse(text)!
        return TimeSpan(start, start.addingTimeInterval(TimeInterval(minutes * 60)))
    }

    func refusal(_ span: TimeSpan, window: TimeSpan? = nil, closures: [Closure] = []) -> String? {
        do {
            try BookingPlacement.check(span: span, window: window, opening: OpeningCalendar(initial: hours), zone: paris, closures: closures, now: now)
            return nil
        } catch { return error.code }
    }

    @Test func bookingsFollowOpeningHoursClosuresAndWindows() {
        #expect(refusal(at("2026-12-01T09:00:00+01:00")) == nil)
        #expect(refusal(at("2026-12-01T12:15:00+01:00")) == "outside_opening_hours")  // runs over lunch
        #expect(refusal(at("2026-12-02T10:00:00+01:00")) == "outside_opening_hours")  // Wednesday closed
        #expect(refusal(at("2026-11-24T09:00:00+01:00")) == "in_the_past")
        let closure = Closure(id: "c", span: at("2026-12-01T00:00:00+01:00", minutes: 24 * 60), reason: "Formation", announcedAt: now, emergency: false)
        #expect(refusal(at("2026-12-01T09:00:00+01:00"), closures: [closure]) == "during_closure")
        var withdrawn = closure
        withdrawn.withdrawn = true
        #expect(refusal(at("2026-12-01T09:00:00+01:00"), closures: [withdrawn]) == nil)
        let window = at("2026-12-01T09:00:00+01:00", minutes: 120)
        #expect(refusal(at("2026-12-01T10:45:00+01:00"), window: window) == "outside_window")
    }

    @Test func statusesFollowTheAppointment() throws {
        let span = at("2026-12-01T09:00:00+01:00")
        let before = Timestamp.parse("2026-11-30T10:00:00+01:00")!
        let during = Timestamp.parse("2026-12-01T09:10:00+01:00")!
        #expect(try BookingStatus.booked.applying(.cancel, span: span, now: before) == .cancelled)
        #expect(throws: AgendaError.self) { try BookingStatus.booked.applying(.checkIn, span: span, now: before) }
        #expect(try BookingStatus.booked.applying(.checkIn, span: span, now: during) == .checkedIn)
        #expect(throws: AgendaError.self) { try BookingStatus.booked.applying(.noShow, span: span, now: before) }
        #expect(try BookingStatus.booked.applying(.noShow, span: span, now: during) == .noShow)
        #expect(try BookingStatus.checkedIn.applying(.done, span: span, now: during) == .done)
        #expect(throws: AgendaError.self) { try BookingStatus.cancelled.applying(.checkIn, span: span, now: during) }
        #expect(throws: AgendaError.self) { try BookingStatus.booked.applying(.reschedule, span: span, now: during) }
    }

    @Test func availabilityLeavesOutBookedClosedAndLunchTime() {
        let p = Permanence(
            id: "p", partner: "caf", specialist: "s", room: "r", recurrence: .weekly(interval: 1, weekday: .tuesday),
            hours: LocalTimeRange(iso: "11:00-14:30")!, firstDate: LocalDate(iso: "2026-11-24")!, lastDate: nil)
        let booked = Booking(
            id: "b", kind: .room, partner: nil, lifeSituation: nil, permanence: nil, visioSlot: nil, room: "r", specialist: nil,
            station: nil, span: at("2026-12-01T11:30:00+01:00"), status: .booked, usager: nil, createdAt: now, updatedAt: now, sequence: 0)
        let query = Availability.Query(partners: ["caf"], from: LocalDate(iso: "2026-12-01")!, to: LocalDate(iso: "2026-12-08")!, slotMinutes: 30)
        let closure = Closure(id: "c", span: at("2026-12-08T00:00:00+01:00", minutes: 24 * 60), reason: "Grève", announcedAt: now, emergency: true)
        let slots = Availability.freeSlots(query, permanences: [p], visioSlots: [], busy: BusyTimes(bookings: [booked]), closures: [closure], opening: OpeningCalendar(initial: hours), zone: paris, now: now)
        #expect(slots.map { Timestamp.format($0.span.start, in: paris) } == [
            "2026-12-01T11:00:00+01:00", "2026-12-01T12:00:00+01:00", "2026-12-01T13:30:00+01:00", "2026-12-01T14:00:00+01:00",
        ])
        // A cancelled booking frees its slot.
        var cancelled = booked
        cancelled.status = .cancelled
        let freed = Availability.freeSlots(query, permanences: [p], visioSlots: [], busy: BusyTimes(bookings: [cancelled]), closures: [closure], opening: OpeningCalendar(initial: hours), zone: paris, now: now)
        #expect(freed.count == 5)
        #expect(Availability.freeSlots(Availability.Query(partners: ["cpam"], from: query.from, to: query.to, slotMinutes: 30), permanences: [p], visioSlots: [], busy: BusyTimes(bookings: []), closures: [], opening: OpeningCalendar(initial: hours), zone: paris, now: now).isEmpty)
    }

    @Test func usagerContactIsKeptOnlyWithConsent() {
        #expect(throws: AgendaError.self) { try Usager(name: "A. Dupont", phone: "06 12 34 56 78").validate() }
        #expect(throws: Never.self) { try Usager(name: "A. Dupont", phone: "06 12 34 56 78", reminderConsent: true).validate() }
        #expect(throws: AgendaError.self) { try Usager(name: "  ").validate() }
        #expect(throws: AgendaError.self) { try Usager(name: "A", email: "nope", reminderConsent: true).validate() }
    }
}
