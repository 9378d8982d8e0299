import Foundation

/// The structure's iCalendar feeds: its public hours and closures, and each specialist's
/// permanences, visio slots and appointments.
///
/// UIDs are stable per event; SEQUENCE is the event's revision, so that a withdrawn closure
/// or a cancelled booking reaches calendar clients as `STATUS:CANCELLED` with a higher SEQUENCE.
public enum CalendarFeeds {
    /// The weekly plan in force today (the hours, when they apply from, their revision) and
    /// the whole opening calendar: past and announced plans, public holidays.
    public struct HoursPlan: Sendable {
        public var hours: WeeklyHours
        public var effectiveFrom: LocalDate
        public var revision: Int
        public var calendar: OpeningCalendar

        public init(hours: WeeklyHours, effectiveFrom: LocalDate, revision: Int, calendar: OpeningCalendar? = nil) {
            self.hours = hours
            self.effectiveFrom = effectiveFrom
            self.revision = revision
            self.calendar = calendar ?? OpeningCalendar(initial: hours)
        }

        /// The plan in force on `today` within `calendar`.
        public init(calendar: OpeningCalendar, today: LocalDate) {
            let change = calendar.change(on: today)
            self.init(
                hours: calendar.hours(on: today), effectiveFrom: change?.effectiveFrom ?? today,
                revision: calendar.changes.map(\.revision).max() ?? 0, calendar: calendar)
        }
    }

    /// How far ahead the public feed lists public holidays (EXDATEs on the opening series).
    public static let holidayHorizonDays = 3 * 366

    public static func publicFeed(structure: Structure, plan: HoursPlan, closures: [Closure], now: Date) -> String {
        let zone = structure.timeZone
        let today = zone.localDate(now)
        let calendar = plan.calendar
        var ics = header(name: "\(structure.name) — horaires", structure: structure)
        VTimeZoneBuilder.write(zone, around: plan.effectiveFrom.year, into: &ics)
        let domain = uidDomain(structure)
        // The plan in force today, then each announced one: a weekly series each, the
        // earlier ones ending (UNTIL) the day before the next applies.
        let future = calendar.upcoming(after: today)
        let plans = [(from: plan.effectiveFrom, hours: plan.hours, revision: plan.revision, uid: "")]
            + future.map { (from: $0.effectiveFrom, hours: $0.hours, revision: $0.revision, uid: "\($0.effectiveFrom)-") }
        let horizon = today.adding(days: holidayHorizonDays)
        let holidays = calendar.holidays(from: plan.effectiveFrom, through: horizon).filter { !$0.open }
        for (n, p) in plans.enumerated() {
            let until = n + 1 < plans.count ? plans[n + 1].from.adding(days: -1) : nil
            for day in Weekday.allCases {
                for (index, range) in p.hours.ranges(on: day).enumerated() {
                    let first = p.from.adding(days: (day.rawValue - p.from.weekday.rawValue + 7) % 7)
                    if let until, first > until { continue }
                    ics.begin("VEVENT")
                    ics.line("UID", "opening-\(p.uid)\(day.key)-\(index + 1)@\(domain)")
                    ics.line("DTSTAMP", ICalendarWriter.utc(now))
                    ics.line("SEQUENCE", String(p.revision))
                    ics.line("DTSTART;TZID=\(zone.identifier)", ICalendarWriter.local(first, range.start))
                    ics.line("DTEND;TZID=\(zone.identifier)", ICalendarWriter.local(first, range.end))
                    // UNTIL is the last start, in UTC as RFC 5545 requires with a TZID start.
                    let last = until.map { $0.adding(days: -((($0.weekday.rawValue - day.rawValue) + 7) % 7)) }
                    ics.line("RRULE", "FREQ=WEEKLY;BYDAY=\(day.icalendar)" + (last.map { ";UNTIL=" + ICalendarWriter.utc(zone.instant($0, range.start)) } ?? ""))
                    // Openings swallowed whole by a closure, and closed public holidays, are
                    // taken out of the series.
                    let excluded = closures.filter { !$0.withdrawn }.flatMap { closure in
                        datesTouched(by: closure.span, zone: zone).filter {
                            $0.weekday == day && $0 >= first && closure.span.contains(zone.span($0, range))
                        }
                    } + holidays.map(\.date).filter { $0.weekday == day && $0 >= first && $0 <= (until ?? horizon) }
                    for date in Set(excluded).sorted() {
                        ics.line("EXDATE;TZID=\(zone.identifier)", ICalendarWriter.local(date, range.start))
                    }
                    ics.text("SUMMARY", "Ouvert au public — \(structure.name)")
                    ics.text("LOCATION", structure.address)
                    ics.line("TRANSP", "TRANSPARENT")
                    ics.end("VEVENT")
                }
            }
        }
        // The public holidays of the coming year, as all-day "closed" events a person sees.
        for holiday in holidays where holiday.date <= today.adding(days: 366) {
            ics.begin("VEVENT")
            ics.line("UID", "holiday-\(holiday.date)@\(domain)")
            ics.line("DTSTAMP", ICalendarWriter.utc(now))
            ics.line("DTSTART;VALUE=DATE", String(ICalendarWriter.local(holiday.date, LocalTime.midnight).prefix(8)))
            ics.line("DTEND;VALUE=DATE", String(ICalendarWriter.local(holiday.date.adding(days: 1), LocalTime.midnight).prefix(8)))
            ics.text("SUMMARY", "Fermé — jour férié (\(holiday.name))")
            ics.text("LOCATION", structure.address)
            ics.line("TRANSP", "TRANSPARENT")
            ics.end("VEVENT")
        }
        for closure in closures {
            ics.begin("VEVENT")
            ics.line("UID", "closure-\(closure.id)@\(domain)")
            ics.line("DTSTAMP", ICalendarWriter.utc(now))
            ics.line("SEQUENCE", String(closure.sequence))
            ics.dateTime("DTSTART", closure.span.start, zone)
            ics.dateTime("DTEND", closure.span.end, zone)
            ics.text("SUMMARY", closure.emergency ? "Fermeture exceptionnelle (urgence)" : "Fermeture exceptionnelle")
            ics.text("DESCRIPTION", closure.reason)
            ics.text("LOCATION", structure.address)
            ics.line("STATUS", closure.withdrawn ? "CANCELLED" : "CONFIRMED")
            ics.end("VEVENT")
        }
        ics.end("VCALENDAR")
        return ics.text
    }

    /// A specialist's own calendar. Appointments carry no usager data: the specialist
    /// sees the time, the kind and the life situation, and learns the rest in the appointment.
    /// In a network, `elsewhere` adds their appointments in the other structures (where and when).
    public static func specialistFeed(
        structure: Structure, specialist: Specialist, permanences: [Permanence], visioSlots: [VisioSlot],
        bookings: [Booking], elsewhere: [NetworkBookingLine] = [], now: Date
    ) -> String {
        let zone = structure.timeZone
        let partnerName = structure.partner(specialist.partner)?.name ?? specialist.partner
        var ics = header(name: "\(specialist.displayName) — \(structure.name)", structure: structure)
        let years = permanences.map(\.firstDate.year) + visioSlots.map { zone.localDate($0.span.start).year }
            + bookings.map { zone.localDate($0.span.start).year } + elsewhere.map { zone.localDate($0.span.start).year }
        VTimeZoneBuilder.write(zone, around: years.min() ?? zone.localDate(now).year, into: &ics)
        let domain = uidDomain(structure)
        for p in permanences {
            let first = p.dates(from: p.firstDate, to: p.lastDate ?? p.firstDate.adding(days: 400)).first ?? p.firstDate
            ics.begin("VEVENT")
            ics.line("UID", "permanence-\(p.id)@\(domain)")
            ics.line("DTSTAMP", ICalendarWriter.utc(now))
            ics.line("SEQUENCE", String(p.sequence))
            ics.line("DTSTART;TZID=\(zone.identifier)", ICalendarWriter.local(first, p.hours.start))
            ics.line("DTEND;TZID=\(zone.identifier)", ICalendarWriter.local(first, p.hours.end))
            var rule = p.recurrence.rrule
            if let last = p.lastDate {
                // UNTIL is the last start, in UTC as RFC 5545 requires with a TZID start.
                rule += ";UNTIL=" + ICalendarWriter.utc(zone.instant(last, p.hours.start))
            }
            ics.line("RRULE", rule)
            for date in p.exceptions.sorted() {
                ics.line("EXDATE;TZID=\(zone.identifier)", ICalendarWriter.local(date, p.hours.start))
            }
            ics.text("SUMMARY", "Permanence \(partnerName) — \(structure.name)")
            ics.text("LOCATION", "\(structure.room(p.room)?.name ?? p.room), \(structure.address)")
            ics.line("STATUS", p.cancelled ? "CANCELLED" : "CONFIRMED")
            ics.end("VEVENT")
        }
        for v in visioSlots {
            event(&ics, uid: "visio-\(v.id)@\(domain)", span: v.span, sequence: v.sequence, zone: zone, now: now,
                summary: "Créneau visio \(partnerName) — \(structure.name)", cancelled: v.cancelled)
        }
        for b in bookings {
            let situation = b.lifeSituation.flatMap { structure.lifeSituation($0)?.titleFrench }
            let what = b.kind == .visio ? "Rendez-vous visio" : "Rendez-vous"
            event(&ics, uid: "booking-\(b.id)@\(domain)", span: b.span, sequence: b.sequence, zone: zone, now: now,
                summary: situation.map { "\(what) — \($0)" } ?? what, cancelled: b.status == .cancelled)
        }
        for line in elsewhere {
            let what = line.kind == "visio" ? "Rendez-vous visio" : "Rendez-vous"
            event(&ics, uid: "booking-\(line.id)@\(line.structure).reseau.guichet", span: line.span, sequence: line.sequence, zone: zone, now: now,
                summary: "\(what) — \(line.structureName)", cancelled: false)
        }
        ics.end("VCALENDAR")
        return ics.text
    }

    /// The usager's own appointment, attached to the notices they asked for: METHOD:REQUEST
    /// (booked, moved, reminded) or METHOD:CANCEL, one UID per booking and its SEQUENCE, so a
    /// calendar client updates or removes the one event. Only their own appointment.
    public static func usagerInvitation(structure: Structure, booking: Booking, organizer: String, now: Date) -> String {
        let zone = structure.timeZone
        let cancelled = booking.status == .cancelled
        var ics = calendar()
        ics.line("METHOD", cancelled ? "CANCEL" : "REQUEST")
        VTimeZoneBuilder.write(zone, around: zone.localDate(booking.span.start).year, into: &ics)
        event(&ics, uid: "booking-\(booking.id)@\(uidDomain(structure))", span: booking.span, sequence: booking.sequence, zone: zone, now: now,
            summary: "Rendez-vous — \(structure.name)", cancelled: cancelled) { ics in
            ics.text("LOCATION", booking.kind == .visio ? "\(structure.name) (visio, salle confidentielle), \(structure.address)" : "\(structure.name), \(structure.address)")
            ics.line("ORGANIZER", "mailto:\(organizer)")
            if let email = booking.usager?.email { ics.line("ATTENDEE;ROLE=REQ-PARTICIPANT", "mailto:\(email)") }
        }
        ics.end("VCALENDAR")
        return ics.text
    }

    private static func event(
        _ ics: inout ICalendarWriter, uid: String, span: TimeSpan, sequence: Int, zone: StructureTimeZone, now: Date,
        summary: String, cancelled: Bool, more: (inout ICalendarWriter) -> Void = { _ in }
    ) {
        ics.begin("VEVENT")
        ics.line("UID", uid)
        ics.line("DTSTAMP", ICalendarWriter.utc(now))
        ics.line("SEQUENCE", String(sequence))
        ics.dateTime("DTSTART", span.start, zone)
        ics.dateTime("DTEND", span.end, zone)
        ics.text("SUMMARY", summary)
        more(&ics)
        ics.line("STATUS", cancelled ? "CANCELLED" : "CONFIRMED")
        ics.end("VEVENT")
    }

    /// A calendar begun: what every one of ours opens with.
    private static func calendar() -> ICalendarWriter {
        var ics = ICalendarWriter()
        ics.begin("VCALENDAR")
        ics.line("VERSION", "2.0")
        ics.line("PRODID", "-//Guichet//Agenda France Services//FR")
        ics.line("CALSCALE", "GREGORIAN")
        return ics
    }

    private static func header(name: String, structure: Structure) -> ICalendarWriter {
        var ics = calendar()
        ics.text("X-WR-CALNAME", name)
        ics.line("X-WR-TIMEZONE", structure.timeZone.identifier)
        return ics
    }

    private static func uidDomain(_ structure: Structure) -> String { "\(structure.id).guichet" }

    private static func datesTouched(by span: TimeSpan, zone: StructureTimeZone) -> [LocalDate] {
        let first = zone.localDate(span.start)
        let last = zone.localDate(span.end)
        guard first <= last, first.days(until: last) < 400 else { return [first] }
        return (0...first.days(until: last)).map { first.adding(days: $0) }
    }
}
