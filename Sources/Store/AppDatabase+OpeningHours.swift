import Agenda
import Foundation
import GRDB

extension AppDatabase {
    /// The plan in force now, with the whole opening calendar (past and announced plans,
    /// holidays declared open); the configuration's hours until someone changes them.
    public func hoursPlan(default structure: Structure, now: Date) async throws -> CalendarFeeds.HoursPlan {
        try await writer.read { db in try Self.hoursPlan(db, structure: structure, now: now) }
    }

    static func hoursPlan(_ db: Database, structure: Structure, now: Date) throws -> CalendarFeeds.HoursPlan {
        CalendarFeeds.HoursPlan(calendar: try openingCalendar(db, structure: structure), today: structure.timeZone.localDate(now))
    }

    /// Read inside every booking's write transaction: cached statements keep it cheap.
    static func openingCalendar(_ db: Database, structure: Structure) throws -> OpeningCalendar {
        let changes = try HoursChangeRecord.fetchAll(db.cachedStatement(sql: "SELECT * FROM hoursChange ORDER BY effectiveFrom")).compactMap(\.change)
        let open = try String.fetchAll(db.cachedStatement(sql: "SELECT date FROM holidayOpening")).compactMap(LocalDate.init(iso:))
        return OpeningCalendar(initial: structure.openingHours, changes: changes, openHolidays: Set(open))
    }

    /// How far ahead a change of hours may be announced.
    public static let hoursAnnouncedAtMostDays = 366

    /// Records a weekly plan from `effectiveFrom` (today when nil; never in the past: past
    /// periods keep the hours they had) after checking the label's legal minimum. Returns
    /// the plan in force now and the upcoming bookings that fall outside the new hours, so
    /// the usagers can be warned.
    public func replaceOpeningHours(_ hours: WeeklyHours, effectiveFrom: LocalDate? = nil, structure: Structure, now: Date) async throws -> (
        plan: CalendarFeeds.HoursPlan, outside: [Booking]
    ) {
        try OpeningHoursMinimum.check(hours, label: structure.label)
        let zone = structure.timeZone
        let today = zone.localDate(now)
        let from = effectiveFrom ?? today
        guard from >= today else {
            throw AgendaError.invalidField(
                "effectiveFrom", french: "Un changement d'horaires s'applique à partir d'aujourd'hui au plus tôt : le passé garde ses horaires.",
                english: "A change of hours applies from today at the earliest: the past keeps its hours.")
        }
        guard today.days(until: from) <= Self.hoursAnnouncedAtMostDays else {
            throw AgendaError.invalidField(
                "effectiveFrom", french: "Un changement d'horaires s'annonce au plus un an à l'avance.", english: "A change of hours is announced at most a year ahead.")
        }
        return try await write { db in
            let before = try Self.openingCalendar(db, structure: structure)
            let revision = (before.changes.map(\.revision).max() ?? 0) + 1
            try HoursChangeRecord(OpeningCalendar.Change(effectiveFrom: from, hours: hours, revision: revision), updatedAt: now).save(db)
            let calendar = try Self.openingCalendar(db, structure: structure)
            let upcoming = try BookingRecord
                .filter(BookingRecord.Columns.startsAt >= max(now, zone.day(from).start).seconds)
                .filter([BookingStatus.booked.rawValue, BookingStatus.checkedIn.rawValue].contains(BookingRecord.Columns.status))
                .order(BookingRecord.Columns.startsAt)
                .fetchAll(db).map(\.booking)
            let outside = upcoming.filter { !calendar.isOpen($0.span, zone: zone) }
            return (CalendarFeeds.HoursPlan(calendar: calendar, today: today), outside)
        }
    }

    /// Declares a public holiday open (an explicit exception to the rule that the structure
    /// closes on public holidays) or closed again; closing returns the bookings it hits.
    public func setHolidayOpen(_ date: LocalDate, open: Bool, structure: Structure, now: Date) async throws -> (
        calendar: OpeningCalendar, hits: [Booking]
    ) {
        guard FrenchHolidays.isHoliday(date) else {
            throw AgendaError.invalidField("date", french: "Le \(date) n'est pas un jour férié.", english: "\(date) is not a public holiday.")
        }
        guard date >= structure.timeZone.localDate(now) else {
            throw AgendaError.invalidField("date", french: "Ce jour férié est passé.", english: "This public holiday is past.")
        }
        return try await write { db in
            if open {
                try db.execute(sql: "INSERT OR IGNORE INTO holidayOpening (date, createdAt) VALUES (?, ?)", arguments: [date.description, now.seconds])
            } else {
                try db.execute(sql: "DELETE FROM holidayOpening WHERE date = ?", arguments: [date.description])
            }
            let hits = open ? [] : BookingPlacement.hitBy(structure.timeZone.day(date), bookings: try Self.bookings(db, overlapping: structure.timeZone.day(date)))
            return (try Self.openingCalendar(db, structure: structure), hits)
        }
    }
}
