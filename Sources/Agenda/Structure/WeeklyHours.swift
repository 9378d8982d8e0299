/// The structure's regular opening hours: for each weekday, zero or more ranges.
///
/// Built only through `init(_:)`, which guarantees that each day's ranges are sorted and
/// do not overlap or touch (two touching ranges are one opening).
public struct WeeklyHours: Hashable, Sendable {
    public private(set) var days: [Weekday: [LocalTimeRange]]

    public init(_ days: [Weekday: [LocalTimeRange]]) throws(AgendaError) {
        var clean: [Weekday: [LocalTimeRange]] = [:]
        for (day, ranges) in days where !ranges.isEmpty {
            let sorted = ranges.sorted { $0.start < $1.start }
            for (a, b) in zip(sorted, sorted.dropFirst()) where a.end >= b.start {
                throw AgendaError(
                    code: "overlapping_hours", kind: .invalid,
                    french: "Les plages du \(day.french) se chevauchent ou se touchent : \(a) et \(b).",
                    english: "The \(day.key) ranges overlap or touch: \(a) and \(b).",
                    details: ["day": day.key])
            }
            clean[day] = sorted
        }
        self.days = clean
    }

    public func ranges(on day: Weekday) -> [LocalTimeRange] { days[day] ?? [] }

    /// Total open minutes in a week.
    public var weeklyMinutes: Int { days.values.joined().reduce(0) { $0 + $1.minutes } }

    /// Days with at least one opening.
    public var openDays: Int { days.values.filter { !$0.isEmpty }.count }

    /// Whether `range` on `day` lies entirely within one opening range.
    public func covers(_ range: LocalTimeRange, on day: Weekday) -> Bool {
        ranges(on: day).contains { $0.contains(range) }
    }

    /// Half-days counted by the Caf Point numérique rule: a morning (before 13:00) or an
    /// afternoon (from 13:00) with at least two hours open. The convention does not
    /// define the half-day; two hours is our reading, so that a token opening does not count.
    public var halfDays: Int {
        let noon = 13 * 60
        var count = 0
        for ranges in days.values {
            let morning = ranges.reduce(0) { $0 + max(0, min($1.end.minutes, noon) - $1.start.minutes) }
            let afternoon = ranges.reduce(0) { $0 + max(0, $1.end.minutes - max($1.start.minutes, noon)) }
            if morning >= 120 { count += 1 }
            if afternoon >= 120 { count += 1 }
        }
        return count
    }
}
