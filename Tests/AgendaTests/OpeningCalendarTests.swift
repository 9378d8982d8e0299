import Agenda
import Foundation
import Testing

/// The opening calendar: plans over time, public holidays, and partner windows holding rooms.
struct OpeningCalendarTests {
    let paris = StructureTimeZone(identifier: "Europe/Paris")!
    let now = Timestamp.parse("2026-11-25T10:00:00+01:00")!
    let weekdays: WeeklyHours = {
        let day = [LocalTimeRange(iso: "09:00-12:30")!, LocalTimeRange(iso: "13:30-17:00")!]
        return try! WeeklyHours([.monday: day, .tuesday: day, .thursday: day, .friday: day, .saturday: [LocalTimeRange(iso: "09:00-12:00")!]])
    }()
    var withWednesday: WeeklyHours {
        var days = weekdays.days
        days[.wednesday] = [LocalTimeRange(iso: "09:00-12:00")!]
        return try! WeeklyHours(days)
    }

    func at(_ text: String, minutes: Int = 30) -> TimeSpan {
        let start = Timestamp.parse(text)!
        return TimeSpan(start, start.addingTimeInterval(TimeInterval(minutes * 60)))
    }

    func refusal(_ span: TimeSpan, _ opening: OpeningCalendar) -> String? {
        do {
            try BookingPlacement.check(span: span, window: nil, opening: opening, zone: paris, closures: [], now: now)
            return nil
        } catch { return error.code }
    }

    @Test func publicHolidaysCloseTheStructureUnlessDeclaredOpen() {
        var opening = OpeningCalendar(initial: weekdays)
        #expect(refusal(at("2026-12-25T10:00:00+01:00"), opening) == "public_holiday")  // Christmas, a Friday
        #expect(refusal(at("2027-01-01T10:00:00+01:00"), opening) == "public_holiday")  // New Year, a Friday
        #expect(refusal(at("2027-03-29T10:00:00+02:00"), opening) == "public_holiday")  // Easter Monday
        #expect(refusal(at("2027-05-06T10:00:00+02:00"), opening) == "public_holiday")  // Ascension Thursday
        #expect(refusal(at("2026-12-24T10:00:00+01:00"), opening) == nil)
        #expect(opening.ranges(on: LocalDate(iso: "2026-12-25")!).isEmpty)
        opening.openHolidays = [LocalDate(iso: "2026-12-25")!]
        #expect(refusal(at("2026-12-25T10:00:00+01:00"), opening) == nil)
    }

    @Test func eachDateHasThePlanInForceThen() {
        let opening = OpeningCalendar(
            initial: weekdays, changes: [.init(effectiveFrom: LocalDate(iso: "2027-01-04")!, hours: withWednesday, revision: 1)])
        #expect(refusal(at("2026-12-30T10:00:00+01:00"), opening) == "outside_opening_hours")  // a Wednesday before the change
        #expect(refusal(at("2027-01-06T10:00:00+01:00"), opening) == nil)  // a Wednesday after it
        // Past periods keep their hours: 2026-Q3 is the initial plan's 30 h, whatever came after.
        let q3 = ReportPeriod("2026-Q3")!.days
        #expect(opening.weeklyMinutes(over: q3) == Double(weekdays.weeklyMinutes))
        // A period spanning the change weighs each plan by its days.
        let days = (0..<14).map { LocalDate(iso: "2026-12-28")!.adding(days: $0) }  // one week each side
        #expect(opening.weeklyMinutes(over: days) == Double(weekdays.weeklyMinutes + withWednesday.weeklyMinutes) / 2)
    }

    @Test func availabilityFollowsAnAnnouncedChangeAndSkipsHolidays() {
        let opening = OpeningCalendar(
            initial: weekdays, changes: [.init(effectiveFrom: LocalDate(iso: "2027-01-04")!, hours: withWednesday, revision: 1)])
        var query = Availability.Query(from: LocalDate(iso: "2026-12-23")!, to: LocalDate(iso: "2027-01-08")!, slotMinutes: 60, kinds: [.room])
        query.room = "salle"
        let days = Set(Availability.freeSlots(query, permanences: [], visioSlots: [], busy: BusyTimes(bookings: []), closures: [], opening: opening, zone: paris, now: now)
            .map { paris.localDate($0.span.start).description })
        #expect(!days.contains("2026-12-25") && !days.contains("2027-01-01"))
        #expect(!days.contains("2026-12-30") && days.contains("2027-01-06"))
        #expect(days.contains("2026-12-24"))
    }

    @Test func aPartnerWindowHoldsItsRoomAgainstAnAgentsRoomBooking() {
        let permanence = Permanence(
            id: "p-caf", partner: "caf", specialist: "s", room: "confidentiel", recurrence: .weekly(interval: 1, weekday: .tuesday),
            hours: LocalTimeRange(iso: "09:00-12:00")!, firstDate: LocalDate(iso: "2026-11-24")!, lastDate: nil)
        let visio = VisioSlot(id: "v-dgfip", partner: "dgfip", specialist: "t", room: "confidentiel", station: "visio", span: at("2026-12-03T14:00:00+01:00", minutes: 120))
        #expect(throws: AgendaError.heldByPartnerWindow(kind: "permanence", id: "p-caf", partner: "caf")) {
            try PartnerWindows.checkFree(room: "confidentiel", span: at("2026-12-01T11:30:00+01:00"), permanences: [permanence], visioSlots: [visio], zone: paris)
        }
        #expect(throws: AgendaError.heldByPartnerWindow(kind: "visio", id: "v-dgfip", partner: "dgfip")) {
            try PartnerWindows.checkFree(room: "confidentiel", span: at("2026-12-03T15:00:00+01:00"), permanences: [permanence], visioSlots: [visio], zone: paris)
        }
        // Another room, or the same room outside the windows, is free.
        #expect(throws: Never.self) {
            try PartnerWindows.checkFree(room: "accueil", span: at("2026-12-01T11:30:00+01:00"), permanences: [permanence], visioSlots: [visio], zone: paris)
            try PartnerWindows.checkFree(room: "confidentiel", span: at("2026-12-01T13:30:00+01:00"), permanences: [permanence], visioSlots: [visio], zone: paris)
        }
        // The agent's room availability leaves the windows out.
        var query = Availability.Query(from: LocalDate(iso: "2026-12-01")!, to: LocalDate(iso: "2026-12-01")!, slotMinutes: 30, kinds: [.room])
        query.room = "confidentiel"
        let starts = Availability.freeSlots(query, permanences: [permanence], visioSlots: [visio], busy: BusyTimes(bookings: []), closures: [], opening: OpeningCalendar(initial: weekdays), zone: paris, now: now)
            .map { paris.local($0.span.start).time.description }
        #expect(starts.first == "12:00" && !starts.contains("09:00") && starts.contains("13:30"))  // the permanence ends at 12:00
    }
}
