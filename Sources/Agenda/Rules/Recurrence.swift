/// How a permanence repeats, on wall-clock dates of the structure.
public enum Recurrence: Sendable, Hashable {
    /// Every `interval` weeks on `weekday`, counted from the permanence's first date.
    case weekly(interval: Int, weekday: Weekday)
    /// The `ordinal`-th `weekday` of each month (1…4, or -1 for the last): "2nd Tuesday".
    case monthly(ordinal: Int, weekday: Weekday)

    public var weekday: Weekday {
        switch self {
        case .weekly(_, let day), .monthly(_, let day): day
        }
    }

    /// Checks the parameters a caller supplied.
    public func validate() throws(AgendaError) {
        switch self {
        case .weekly(let interval, _):
            guard (1...8).contains(interval) else {
                throw .invalidField("recurrence.interval", french: "L'intervalle doit être compris entre 1 et 8 semaines.", english: "The interval must be between 1 and 8 weeks.")
            }
        case .monthly(let ordinal, _):
            guard (1...4).contains(ordinal) || ordinal == -1 else {
                throw .invalidField("recurrence.ordinal", french: "Le rang dans le mois doit être 1, 2, 3, 4 ou -1 (dernier).", english: "The ordinal must be 1, 2, 3, 4 or -1 (last).")
            }
        }
    }

    /// The dates in `from...to` on which it falls, for a series starting on `anchor`.
    public func dates(anchor: LocalDate, from: LocalDate, to: LocalDate) -> [LocalDate] {
        let start = max(anchor, from)
        guard start <= to else { return [] }
        switch self {
        case .weekly(let interval, let weekday):
            // The first occurrence on or after the anchor, then every `interval` weeks.
            let firstOffset = (weekday.rawValue - anchor.weekday.rawValue + 7) % 7
            let first = anchor.adding(days: firstOffset)
            let step = 7 * interval
            var skip = 0
            if start > first { skip = (first.days(until: start) + step - 1) / step }
            var result: [LocalDate] = []
            var day = first.adding(days: skip * step)
            while day <= to {
                result.append(day)
                day = day.adding(days: step)
            }
            return result
        case .monthly(let ordinal, let weekday):
            var result: [LocalDate] = []
            var month = start.firstOfMonth
            while month <= to {
                if let day = Recurrence.nth(ordinal, weekday, in: month), day >= start, day <= to { result.append(day) }
                month = month.addingMonths(1)
            }
            return result
        }
    }

    static func nth(_ ordinal: Int, _ weekday: Weekday, in month: LocalDate) -> LocalDate? {
        let first = month.firstOfMonth
        let length = LocalDate.daysIn(month: first.month, year: first.year)
        if ordinal > 0 {
            let offset = (weekday.rawValue - first.weekday.rawValue + 7) % 7 + (ordinal - 1) * 7
            return offset < length ? first.adding(days: offset) : nil
        }
        let last = first.adding(days: length - 1)
        return last.adding(days: -((last.weekday.rawValue - weekday.rawValue + 7) % 7))
    }

    /// The RFC 5545 RRULE body (without `UNTIL`).
    public var rrule: String {
        switch self {
        case .weekly(let interval, let weekday):
            interval == 1 ? "FREQ=WEEKLY;BYDAY=\(weekday.icalendar)" : "FREQ=WEEKLY;INTERVAL=\(interval);BYDAY=\(weekday.icalendar)"
        case .monthly(let ordinal, let weekday):
            "FREQ=MONTHLY;BYDAY=\(ordinal)\(weekday.icalendar)"
        }
    }

    public var frenchDescription: String {
        switch self {
        case .weekly(1, let day): "chaque \(day.french)"
        case .weekly(let n, let day): "un \(day.french) toutes les \(n) semaines"
        case .monthly(-1, let day): "le dernier \(day.french) du mois"
        case .monthly(1, let day): "le 1er \(day.french) du mois"
        case .monthly(let n, let day): "le \(n)e \(day.french) du mois"
        }
    }
}
