import Agenda
import Foundation
import GRDB

extension AppDatabase {
    /// The live weekly plan; the configuration's hours until someone changes them.
    public func hoursPlan(default structure: Structure, now: Date) async throws -> CalendarFeeds.HoursPlan {
        try await writer.read { db in try Self.hoursPlan(db, structure: structure, now: now) }
    }

    static func hoursPlan(_ db: Database, structure: Structure, now: Date) throws -> CalendarFeeds.HoursPlan {
        if let record = try HoursPlanRecord.fetchOne(db) { return record.plan }
        return CalendarFeeds.HoursPlan(hours: structure.openingHours, effectiveFrom: structure.timeZone.localDate(now), revision: 0)
    }

    /// Replaces the weekly plan after checking the label's legal minimum. Returns the new
    /// plan and the upcoming bookings that now fall outside it, so the usagers can be warned.
    public func replaceOpeningHours(_ hours: WeeklyHours, structure: Structure, now: Date) async throws -> (
        plan: CalendarFeeds.HoursPlan, outside: [Booking]
    ) {
        try OpeningHoursMinimum.check(hours, label: structure.label)
        return try await write { db in
            let current = try Self.hoursPlan(db, structure: structure, now: now)
            let plan = CalendarFeeds.HoursPlan(hours: hours, effectiveFrom: structure.timeZone.localDate(now), revision: current.revision + 1)
            try HoursPlanRecord(plan: plan, updatedAt: now).save(db)
            let upcoming = try BookingRecord
                .filter(BookingRecord.Columns.startsAt >= now.seconds)
                .filter([BookingStatus.booked.rawValue, BookingStatus.checkedIn.rawValue].contains(BookingRecord.Columns.status))
                .order(BookingRecord.Columns.startsAt)
                .fetchAll(db).map(\.booking)
            let outside = upcoming.filter { !BookingPlacement.isOpen($0.span, hours: hours, zone: structure.timeZone) }
            return (plan, outside)
        }
    }
}
