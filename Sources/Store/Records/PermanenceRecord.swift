import Agenda
import Foundation
import GRDB

/// A row of `permanence`; its exceptions live in `permanenceException`.
struct PermanenceRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "permanence"

    var id: String
    var partner: String
    var specialist: String
    var room: String
    var frequency: String
    var interval: Int
    var ordinal: Int
    var weekday: Int
    var startMinute: Int
    var endMinute: Int
    var firstDate: String
    var lastDate: String?
    var cancelled: Bool
    var sequence: Int

    init(_ p: Permanence) {
        id = p.id
        partner = p.partner
        specialist = p.specialist
        room = p.room
        switch p.recurrence {
        case .weekly(let n, let day):
            frequency = "weekly"
            interval = n
            ordinal = 0
            weekday = day.rawValue
        case .monthly(let n, let day):
            frequency = "monthly"
            interval = 1
            ordinal = n
            weekday = day.rawValue
        }
        startMinute = p.hours.start.minutes
        endMinute = p.hours.end.minutes
        firstDate = p.firstDate.description
        lastDate = p.lastDate?.description
        cancelled = p.cancelled
        sequence = p.sequence
    }

    func permanence(exceptions: Set<LocalDate>) throws -> Permanence {
        let day = Weekday(rawValue: weekday) ?? .monday
        guard let hours = LocalTimeRange(start: LocalTime(clampingMinutes: startMinute), end: LocalTime(clampingMinutes: endMinute)),
            let first = LocalDate(iso: firstDate)
        else { throw StoreError("permanence \(id): its stored hours or first date cannot be read") }
        return Permanence(
            id: id, partner: partner, specialist: specialist, room: room,
            recurrence: frequency == "monthly" ? .monthly(ordinal: ordinal, weekday: day) : .weekly(interval: interval, weekday: day),
            hours: hours, firstDate: first, lastDate: lastDate.flatMap(LocalDate.init(iso:)),
            exceptions: exceptions, cancelled: cancelled, sequence: sequence)
    }
}

/// A row of `permanenceException`: a date on which a permanence does not take place.
struct PermanenceExceptionRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "permanenceException"
    var permanence: String
    var date: String
}
