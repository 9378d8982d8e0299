import Foundation

/// When the structure is open, day by day: the weekly plan in force on each date (the
/// configuration's, then each recorded change from its effective date, announced ahead or
/// not), and the French public holidays, closed unless the manager declared one open.
///
/// Everything that asks "is it open then?" reads this one value: availability, booking
/// placement, the public page, the ICS feed and the reports (a past quarter keeps the hours
/// it had).
public struct OpeningCalendar: Sendable, Equatable {
    /// A weekly plan and the first day it applies.
    public struct Change: Sendable, Equatable {
        public var effectiveFrom: LocalDate
        public var hours: WeeklyHours
        public var revision: Int

        public init(effectiveFrom: LocalDate, hours: WeeklyHours, revision: Int) {
            self.effectiveFrom = effectiveFrom
            self.hours = hours
            self.revision = revision
        }
    }

    /// The hours before the first recorded change (the configuration's).
    public var initial: WeeklyHours
    /// Recorded changes, oldest first.
    public private(set) var changes: [Change]
    /// Public holidays the manager declared open (an explicit exception).
    public var openHolidays: Set<LocalDate>

    public init(initial: WeeklyHours, changes: [Change] = [], openHolidays: Set<LocalDate> = []) {
        self.initial = initial
        self.changes = changes.sorted { $0.effectiveFrom < $1.effectiveFrom }
        self.openHolidays = openHolidays
    }

    /// The weekly plan in force on `date`.
    public func hours(on date: LocalDate) -> WeeklyHours {
        changes.last { $0.effectiveFrom <= date }?.hours ?? initial
    }

    /// The change in force on `date`, nil while the configuration's hours apply.
    public func change(on date: LocalDate) -> Change? { changes.last { $0.effectiveFrom <= date } }

    /// Changes that take effect after `date` (announced ahead).
    public func upcoming(after date: LocalDate) -> [Change] { changes.filter { $0.effectiveFrom > date } }

    /// The holiday's name when `date` is a public holiday the structure is closed on.
    public func closedHoliday(_ date: LocalDate) -> String? {
        guard !openHolidays.contains(date) else { return nil }
        return FrenchHolidays.holidays(date.year).first { $0.date == date }?.name
    }

    /// A public holiday and whether the manager declared it open.
    public struct Holiday: Sendable, Equatable {
        public let date: LocalDate
        public let name: String
        public let open: Bool
    }

    /// The public holidays from `first` through `last`, in order, each with its state.
    public func holidays(from first: LocalDate, through last: LocalDate) -> [Holiday] {
        guard first <= last else { return [] }
        return (first.year...last.year).flatMap { FrenchHolidays.holidays($0) }
            .filter { $0.date >= first && $0.date <= last }
            .map { Holiday(date: $0.date, name: $0.name, open: openHolidays.contains($0.date)) }
    }

    /// The opening ranges of `date`: none on a closed public holiday.
    public func ranges(on date: LocalDate) -> [LocalTimeRange] {
        closedHoliday(date) == nil ? hours(on: date).ranges(on: date.weekday) : []
    }

    /// Whether `span` lies within a single opening range of its local day.
    public func isOpen(_ span: TimeSpan, zone: StructureTimeZone) -> Bool {
        let date = zone.localDate(span.start)
        return ranges(on: date).contains { zone.span(date, $0).contains(span) }
    }

    /// The plans' weekly hours over `days`, each day weighing with the plan in force then:
    /// the published hours of a period, whatever was changed since (holidays do not lower it).
    public func weeklyMinutes(over days: [LocalDate]) -> Double {
        guard !days.isEmpty else { return Double(initial.weeklyMinutes) }
        let total = days.reduce(0) { $0 + hours(on: $1).weeklyMinutes }
        return Double(total) / Double(days.count)
    }

    /// Every weekly plan in force at some point of `days`.
    public func plans(over days: [LocalDate]) -> [WeeklyHours] {
        guard let first = days.first, let last = days.last else { return [initial] }
        var plans = [hours(on: first)]
        for change in changes where change.effectiveFrom > first && change.effectiveFrom <= last { plans.append(change.hours) }
        return plans
    }
}
