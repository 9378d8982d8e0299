import Foundation

/// Builds the VTIMEZONE component for the structure's zone from the system's zone data.
///
/// Zones with a yearly rule (Europe/Paris: last Sunday of March and of October) get one
/// DAYLIGHT and one STANDARD observance with an RRULE, so recurring events stay right in
/// every later year; zones without daylight saving (La Réunion, Guyane) get one STANDARD
/// observance; irregular zones get each transition of the years around the feed listed.
public enum VTimeZoneBuilder {
    struct Transition {
        let onset: (date: LocalDate, time: LocalTime)
        let from: Int
        let to: Int
        let daylight: Bool
        let name: String
    }

    public static func write(_ zone: StructureTimeZone, around year: Int, into ics: inout ICalendarWriter) {
        let tz = zone.timeZone
        let start = zone.instant(LocalDate(clampingYear: year - 1, month: 1, day: 1), LocalTime.midnight)
        var transitions: [Transition] = []
        var cursor = start
        while let next = tz.nextDaylightSavingTimeTransition(after: cursor), transitions.count < 16 {
            let from = tz.secondsFromGMT(for: next.addingTimeInterval(-1))
            let to = tz.secondsFromGMT(for: next)
            // The onset is written as wall time in the offset in force before it (§3.6.5).
            let onset = StructureTimeZone.wall(next, offset: from)
            transitions.append(Transition(
                onset: (onset.date, onset.time), from: from, to: to, daylight: tz.isDaylightSavingTime(for: next),
                name: tz.abbreviation(for: next) ?? zone.identifier))
            cursor = next
        }
        ics.begin("VTIMEZONE")
        ics.line("TZID", zone.identifier)
        if transitions.isEmpty {
            let offset = tz.secondsFromGMT(for: start)
            ics.begin("STANDARD")
            ics.line("DTSTART", "19700101T000000")
            ics.line("TZOFFSETFROM", format(offset))
            ics.line("TZOFFSETTO", format(offset))
            ics.line("TZNAME", tz.abbreviation(for: start) ?? zone.identifier)
            ics.end("STANDARD")
        } else {
            for daylight in [true, false] {
                let group = transitions.filter { $0.daylight == daylight }
                guard let first = group.first else { continue }
                let component = daylight ? "DAYLIGHT" : "STANDARD"
                if let rule = yearlyRule(group) {
                    ics.begin(component)
                    ics.line("DTSTART", ICalendarWriter.local(first.onset.date, first.onset.time))
                    ics.line("RRULE", rule)
                    ics.line("TZOFFSETFROM", format(first.from))
                    ics.line("TZOFFSETTO", format(first.to))
                    ics.line("TZNAME", first.name)
                    ics.end(component)
                } else {
                    for t in group {
                        ics.begin(component)
                        ics.line("DTSTART", ICalendarWriter.local(t.onset.date, t.onset.time))
                        ics.line("TZOFFSETFROM", format(t.from))
                        ics.line("TZOFFSETTO", format(t.to))
                        ics.line("TZNAME", t.name)
                        ics.end(component)
                    }
                }
            }
        }
        ics.end("VTIMEZONE")
    }

    /// `FREQ=YEARLY;BYMONTH=m;BYDAY=nDD` when every transition of the group, one per year,
    /// falls on the same month, weekday rank, wall time and offsets.
    static func yearlyRule(_ group: [Transition]) -> String? {
        guard group.count >= 3 else { return nil }
        let years = group.map(\.onset.date.year)
        guard zip(years, years.dropFirst()).allSatisfy({ $1 == $0 + 1 }) else { return nil }
        let first = group[0]
        func rank(_ d: LocalDate) -> Int { (d.day - 1) / 7 + 1 }
        func fromEnd(_ d: LocalDate) -> Bool { d.day + 7 > LocalDate.daysIn(month: d.month, year: d.year) }
        let same = group.allSatisfy {
            $0.onset.date.month == first.onset.date.month && $0.onset.date.weekday == first.onset.date.weekday
                && $0.onset.time == first.onset.time && $0.from == first.from && $0.to == first.to
        }
        guard same else { return nil }
        let day = first.onset.date.weekday.icalendar
        if group.allSatisfy({ fromEnd($0.onset.date) }) {
            return "FREQ=YEARLY;BYMONTH=\(first.onset.date.month);BYDAY=-1\(day)"
        }
        if group.allSatisfy({ rank($0.onset.date) == rank(first.onset.date) }) {
            return "FREQ=YEARLY;BYMONTH=\(first.onset.date.month);BYDAY=\(rank(first.onset.date))\(day)"
        }
        return nil
    }

    static func format(_ offset: Int) -> String {
        let sign = offset < 0 ? "-" : "+"
        let a = abs(offset)
        return "\(sign)\(LocalDate.pad(a / 3600, 2))\(LocalDate.pad(a / 60 % 60, 2))"
    }
}
