import Agenda
import Foundation

/// The API's JSON shapes for agenda values. Instants are ISO 8601 in the structure's zone
/// with their offset; local dates are `YYYY-MM-DD`; local ranges `HH:MM-HH:MM`.
struct WireClosure: Encodable {
    let id: String
    let start: String
    let end: String
    let reason: String
    let emergency: Bool
    let withdrawn: Bool
    let announcedAt: String
    let sequence: Int

    init(_ c: Closure, zone: StructureTimeZone) {
        id = c.id
        start = Timestamp.format(c.span.start, in: zone)
        end = Timestamp.format(c.span.end, in: zone)
        reason = c.reason
        emergency = c.emergency
        withdrawn = c.withdrawn
        announcedAt = Timestamp.format(c.announcedAt, in: zone)
        sequence = c.sequence
    }
}

struct WireRecurrence: Codable {
    let frequency: String
    let weekday: String
    let interval: Int?
    let ordinal: Int?

    init(_ r: Recurrence) {
        switch r {
        case .weekly(let n, let day):
            frequency = "weekly"
            weekday = day.key
            interval = n
            ordinal = nil
        case .monthly(let n, let day):
            frequency = "monthly"
            weekday = day.key
            interval = nil
            ordinal = n
        }
    }

    func recurrence() throws -> Recurrence {
        guard let day = Weekday(key: weekday) else {
            throw APIError.invalid("recurrence.weekday", french: "Jour inconnu « \(weekday) » (monday…sunday).", english: "Unknown weekday '\(weekday)' (monday…sunday).")
        }
        let r: Recurrence
        switch frequency {
        case "weekly": r = .weekly(interval: interval ?? 1, weekday: day)
        case "monthly":
            guard let ordinal else {
                throw APIError.invalid("recurrence.ordinal", french: "Précisez le rang dans le mois (1 à 4, ou -1).", english: "The ordinal (1 to 4, or -1) is required.")
            }
            r = .monthly(ordinal: ordinal, weekday: day)
        default:
            throw APIError.invalid("recurrence.frequency", french: "Fréquence « weekly » ou « monthly » attendue.", english: "Frequency must be 'weekly' or 'monthly'.")
        }
        try r.validate()
        return r
    }
}

struct WirePermanence: Encodable {
    let id: String
    let partner: String
    let specialist: String
    let room: String
    let recurrence: WireRecurrence
    let description: String
    let hours: String
    let firstDate: String
    let lastDate: String?
    let exceptions: [String]
    let cancelled: Bool
    let sequence: Int

    init(_ p: Permanence) {
        id = p.id
        partner = p.partner
        specialist = p.specialist
        room = p.room
        recurrence = WireRecurrence(p.recurrence)
        description = "\(p.recurrence.frenchDescription), \(p.hours.start.description.replacingOccurrences(of: ":", with: " h ")) – \(p.hours.end.description.replacingOccurrences(of: ":", with: " h "))"
        hours = p.hours.description
        firstDate = p.firstDate.description
        lastDate = p.lastDate?.description
        exceptions = p.exceptions.sorted().map(\.description)
        cancelled = p.cancelled
        sequence = p.sequence
    }
}

struct WireVisioSlot: Encodable {
    let id: String
    let partner: String
    let specialist: String
    let room: String
    let station: String
    let start: String
    let end: String
    let cancelled: Bool
    let sequence: Int

    init(_ v: VisioSlot, zone: StructureTimeZone) {
        id = v.id
        partner = v.partner
        specialist = v.specialist
        room = v.room
        station = v.station
        start = Timestamp.format(v.span.start, in: zone)
        end = Timestamp.format(v.span.end, in: zone)
        cancelled = v.cancelled
        sequence = v.sequence
    }
}

struct WireSlot: Encodable {
    let kind: String
    let partner: String
    let specialist: String
    let room: String
    let station: String?
    let permanence: String?
    let visioSlot: String?
    let start: String
    let end: String

    init(_ s: FreeSlot, zone: StructureTimeZone) {
        kind = s.kind.rawValue
        partner = s.partner
        specialist = s.specialist
        room = s.room
        station = s.station
        permanence = s.permanence
        visioSlot = s.visioSlot
        start = Timestamp.format(s.span.start, in: zone)
        end = Timestamp.format(s.span.end, in: zone)
    }
}

struct WireSpecialist: Encodable {
    let id: String
    let partner: String
    let displayName: String
    /// Path of the specialist's private calendar feed (the token is the secret).
    let calendarPath: String

    init(_ s: Specialist) {
        id = s.id
        partner = s.partner
        displayName = s.displayName
        calendarPath = "/calendars/specialists/\(s.calendarToken).ics"
    }
}

struct WireHoursPlan: Encodable {
    let timeZone: String
    let label: String
    let revision: Int
    let effectiveFrom: String
    let weeklyHours: Double
    let openDays: Int
    let days: [String: [String]]
    /// Plans announced ahead, each from its date.
    let upcoming: [Upcoming]

    struct Upcoming: Encodable {
        let effectiveFrom: String
        let weeklyHours: Double
        let days: [String: [String]]
    }

    init(_ plan: CalendarFeeds.HoursPlan, structure: Structure, today: LocalDate) {
        timeZone = structure.timeZone.identifier
        label = structure.label.rawValue
        revision = plan.revision
        effectiveFrom = plan.effectiveFrom.description
        weeklyHours = Double(plan.hours.weeklyMinutes) / 60
        openDays = plan.hours.openDays
        days = Self.days(plan.hours)
        upcoming = plan.calendar.upcoming(after: today).map {
            Upcoming(effectiveFrom: $0.effectiveFrom.description, weeklyHours: Double($0.hours.weeklyMinutes) / 60, days: Self.days($0.hours))
        }
    }

    static func days(_ hours: WeeklyHours) -> [String: [String]] {
        var days: [String: [String]] = [:]
        for day in Weekday.allCases { days[day.key] = hours.ranges(on: day).map(\.description) }
        return days
    }
}

/// A list under a named key, so responses can grow fields without breaking clients.
struct WireList<Item: Encodable>: Encodable {
    let items: [Item]
}
