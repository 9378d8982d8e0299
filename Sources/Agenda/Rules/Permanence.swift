import Foundation

/// A partner advisor's recurring presence at the structure, in a room, inside opening hours.
public struct Permanence: Sendable, Hashable, Identifiable {
    public var id: String
    public var partner: String
    public var specialist: String
    public var room: String
    public var recurrence: Recurrence
    public var hours: LocalTimeRange
    public var firstDate: LocalDate
    public var lastDate: LocalDate?
    /// Dates on which this permanence does not take place.
    public var exceptions: Set<LocalDate>
    public var cancelled: Bool
    public var sequence: Int

    public init(
        id: String, partner: String, specialist: String, room: String, recurrence: Recurrence, hours: LocalTimeRange,
        firstDate: LocalDate, lastDate: LocalDate?, exceptions: Set<LocalDate> = [], cancelled: Bool = false,
        sequence: Int = 0
    ) {
        self.id = id
        self.partner = partner
        self.specialist = specialist
        self.room = room
        self.recurrence = recurrence
        self.hours = hours
        self.firstDate = firstDate
        self.lastDate = lastDate
        self.exceptions = exceptions
        self.cancelled = cancelled
        self.sequence = sequence
    }

    /// The dates it takes place on within `from...to`, exceptions removed.
    public func dates(from: LocalDate, to: LocalDate) -> [LocalDate] {
        guard !cancelled else { return [] }
        let end = lastDate.map { min($0, to) } ?? to
        return recurrence.dates(anchor: firstDate, from: from, to: end).filter { !exceptions.contains($0) }
    }

    /// Its occurrences as instants within `from...to`.
    public func occurrences(from: LocalDate, to: LocalDate, zone: StructureTimeZone) -> [TimeSpan] {
        dates(from: from, to: to).map { zone.span($0, hours) }
    }
}

/// Checks on a new permanence against the structure's plan.
public enum PermanenceRules {
    /// Refuses a permanence whose hours fall outside the opening hours of its weekday.
    public static func check(_ permanence: Permanence, hours: WeeklyHours) throws(AgendaError) {
        try permanence.recurrence.validate()
        if let last = permanence.lastDate, last < permanence.firstDate { throw AgendaError.endBeforeStart }
        guard hours.covers(permanence.hours, on: permanence.recurrence.weekday) else {
            let day = permanence.recurrence.weekday
            let open = hours.ranges(on: day).map(\.description).joined(separator: ", ")
            throw AgendaError(
                code: "outside_opening_hours", kind: .invalid,
                french: "La permanence \(permanence.hours) du \(day.french) sort des horaires d'ouverture (\(open.isEmpty ? "fermé" : open)).",
                english: "The \(day.key) permanence \(permanence.hours) falls outside opening hours (\(open.isEmpty ? "closed" : open)).",
                details: ["day": day.key])
        }
    }
}
