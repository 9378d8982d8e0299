import Agenda
import Foundation

/// Parsing of the values clients send, each failure naming its field.
enum WireInput {
    static func instant(_ text: String, field: String) throws -> Date {
        guard let date = Timestamp.parse(text) else {
            throw APIError.invalid(
                field, french: "« \(text.prefix(40)) » n'est pas une date-heure ISO 8601 avec décalage (ex. 2026-12-01T09:00:00+01:00), années 2000 à 2199.",
                english: "'\(text.prefix(40))' is not an ISO 8601 date-time with an offset (e.g. 2026-12-01T09:00:00+01:00), years 2000 to 2199.")
        }
        return date
    }

    static func span(start: String, end: String) throws -> TimeSpan {
        let s = try instant(start, field: "start")
        let e = try instant(end, field: "end")
        guard s < e else { throw AgendaError.endBeforeStart }
        return TimeSpan(s, e)
    }

    static func date(_ text: String, field: String) throws -> LocalDate {
        guard let date = LocalDate(iso: text), LocalDate.acceptedYears.contains(date.year) else {
            throw APIError.invalid(
                field, french: "« \(text.prefix(40)) » n'est pas une date AAAA-MM-JJ (années 2000 à 2199).",
                english: "'\(text.prefix(40))' is not a YYYY-MM-DD date (years 2000 to 2199).")
        }
        return date
    }

    static func range(_ text: String, field: String) throws -> LocalTimeRange {
        guard let range = LocalTimeRange(iso: text) else {
            throw APIError.invalid(
                field, french: "« \(text.prefix(40)) » n'est pas une plage HH:MM-HH:MM dont le début précède la fin.",
                english: "'\(text.prefix(40))' is not a range HH:MM-HH:MM with the start before the end.")
        }
        return range
    }

    static func weeklyHours(_ days: [String: [String]]) throws -> WeeklyHours {
        var result: [Weekday: [LocalTimeRange]] = [:]
        for (key, ranges) in days {
            guard let day = Weekday(key: key) else {
                throw APIError.invalid("days.\(key)", french: "Jour inconnu « \(key.prefix(20)) ».", english: "Unknown day '\(key.prefix(20))'.")
            }
            guard ranges.count <= 6 else {
                throw APIError.invalid("days.\(key)", french: "Six plages par jour au plus.", english: "At most six ranges a day.")
            }
            result[day] = try ranges.map { try range($0, field: "days.\(key)") }
        }
        return try WeeklyHours(result)
    }
}
