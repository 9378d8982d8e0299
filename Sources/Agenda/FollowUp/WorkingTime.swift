import Foundation

/// Deadlines counted in working hours, as partner referents' answers are (72 working hours
/// from sending to the first answer, the Administration+ practice).
///
/// A working day is a Monday to Friday that is not a French public holiday; its 24 wall-clock
/// hours count, weekends and holidays do not. So 72 working hours are three working days:
/// sent Friday 15:00, due Wednesday 15:00; across Easter Monday, due one day later.
public enum WorkingTime {
    public static func isWorkingDay(_ date: LocalDate) -> Bool {
        date.weekday.rawValue <= 5 && !FrenchHolidays.isHoliday(date)
    }

    /// The instant `hours` working hours after `start`, in the structure's time zone.
    public static func deadline(after start: Date, hours: Int, zone: StructureTimeZone) -> Date {
        let local = zone.local(start)
        let startSecond = Int(start.timeIntervalSince1970.rounded(.down))
        let secondsIntoMinute = ((startSecond % 60) + 60) % 60
        var date = local.date
        var secondOfDay = local.time.minutes * 60 + secondsIntoMinute
        var remaining = hours * 3600
        while true {
            if isWorkingDay(date) {
                let available = 86_400 - secondOfDay
                if remaining <= available {
                    let target = secondOfDay + remaining
                    if target == 86_400 { return zone.instant(date.adding(days: 1), LocalTime.midnight) }
                    return zone.instant(date, LocalTime(clampingMinutes: target / 60)).addingTimeInterval(TimeInterval(target % 60))
                }
                remaining -= available
            }
            date = date.adding(days: 1)
            secondOfDay = 0
        }
    }
}
