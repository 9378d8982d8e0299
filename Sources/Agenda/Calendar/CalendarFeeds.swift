import Foundation

/// The structure's iCalendar feeds: its public hours and closures, and each specialist's
/// permanences, visio slots and appointments.
///
/// UIDs are stable per event; SEQUENCE is the event's revision, so that a withdrawn closure
/// or a cancelled booking reaches calendar clients as `STATUS:CANCELLED` with a higher SEQUENCE.
public enum CalendarFeeds {
    /// The weekly plan as the store keeps it: the hours, when they apply from, their revision.
    public struct HoursPlan: Sendable {
        public var hours: WeeklyHours
        public var effectiveFrom: LocalDate
        public var revision: Int

        public init(hours: WeeklyHours, effectiveFrom: LocalDate, revision: Int) {
            self.hours = hours
            self.effectiveFrom = effectiveFrom
            self.revision = revision
        }
    }

    public static func publicFeed(structure: Structure, plan: HoursPlan, closures: [Closure], now: Date) -> String {
        let zone = structure.timeZone
        var ics = header(name: "\(structure.name) — horaires", structure: structure)
        VTimeZoneBuilder.write(zone, around: plan.effectiveFrom.year, into: &ics)
        let domain = uidDomain(structure)
        for day in Weekday.allCases {
            for (index, range) in plan.hours.ranges(on: day).enumerated() {
                let first = plan.effectiveFrom.adding(days: (day.rawValue - plan.effectiveFrom.weekday.rawValue + 7) % 7)
                ics.begin("VEVENT")
                ics.line("UID", "opening-\(day.key)-\(index + 1)@\(domain)")
                ics.line("DTSTAMP", ICalendarWriter.utc(now))
                ics.line("SEQUENCE", String(plan.revision))
                ics.line("DTSTART;TZID=\(zone.identifier)", ICalendarWriter.local(first, range.start))
                ics.line("DTEND;TZID=\(zone.identifier)", ICalendarWriter.local(first, range.end))
                ics.line("RRULE", "FREQ=WEEKLY;BYDAY=\(day.icalendar)")
                // Openings swallowed whole by a closure are taken out of the series.
                let excluded = closures.filter { !$0.withdrawn }.flatMap { closure in
                    datesTouched(by: closure.span, zone: zone).filter {
                        $0.weekday == day && $0 >= first && closure.span.contains(zone.span($0, range))
                    }
                }
                for date in Set(excluded).sorted() {
                    ics.line("EXDATE;TZID=\(zone.identifier)", ICalendarWriter.local(date, range.start))
                }
                ics.text("SUMMARY", "Ouvert au public — \(structure.name)")
                ics.text("LOCATION", structure.address)
                ics.line("TRANSP", "TRANSPARENT")
                ics.end("VEVENT")
            }
        }
        for closure in closures {
            ics.begin("VEVENT")
            ics.line("UID", "closure-\(closure.id)@\(domain)")
            ics.line("DTSTAMP", ICalendarWriter.utc(now))
            ics.line("SEQUENCE", String(closure.sequence))
            ics.line("DTSTART;TZID=\(zone.identifier)", ICalendarWriter.local(closure.span.start, zone))
            ics.line("DTEND;TZID=\(zone.identifier)", ICalendarWriter.local(closure.span.end, zone))
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
    public static func specialistFeed(
        structure: Structure, specialist: Specialist, permanences: [Permanence], visioSlots: [VisioSlot],
        bookings: [Booking], now: Date
    ) -> String {
        let zone = structure.timeZone
        let partnerName = structure.partner(specialist.partner)?.name ?? specialist.partner
        var ics = header(name: "\(specialist.displayName) — \(structure.name)", structure: structure)
        let years = permanences.map(\.firstDate.year) + visioSlots.map { zone.localDate($0.span.start).year }
            + bookings.map { zone.localDate($0.span.start).year }
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
        ics.end("VCALENDAR")
        return ics.text
    }

    private static func event(
        _ ics: inout ICalendarWriter, uid: String, span: TimeSpan, sequence: Int, zone: StructureTimeZone, now: Date,
        summary: String, cancelled: Bool
    ) {
        ics.begin("VEVENT")
        ics.line("UID", uid)
        ics.line("DTSTAMP", ICalendarWriter.utc(now))
        ics.line("SEQUENCE", String(sequence))
        ics.line("DTSTART;TZID=\(zone.identifier)", ICalendarWriter.local(span.start, zone))
        ics.line("DTEND;TZID=\(zone.identifier)", ICalendarWriter.local(span.end, zone))
        ics.text("SUMMARY", summary)
        ics.line("STATUS", cancelled ? "CANCELLED" : "CONFIRMED")
        ics.end("VEVENT")
    }

    private static func header(name: String, structure: Structure) -> ICalendarWriter {
        var ics = ICalendarWriter()
        ics.begin("VCALENDAR")
        ics.line("VERSION", "2.0")
        ics.line("PRODID", "-//Guichet//Agenda France Services//FR")
        ics.line("CALSCALE", "GREGORIAN")
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
