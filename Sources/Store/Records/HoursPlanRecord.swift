import Agenda
import Foundation
import GRDB

/// The single row of `hoursPlan`: the live weekly opening hours.
struct HoursPlanRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "hoursPlan"

    var id: Int = 1
    var hours: String
    var effectiveFrom: String
    var revision: Int
    var updatedAt: Int64

    init(plan: CalendarFeeds.HoursPlan, updatedAt: Date) {
        var json: [String: [String]] = [:]
        for day in Weekday.allCases where !plan.hours.ranges(on: day).isEmpty {
            json[day.key] = plan.hours.ranges(on: day).map(\.description)
        }
        let data = (try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])) ?? Data("{}".utf8)
        hours = String(decoding: data, as: UTF8.self)
        effectiveFrom = plan.effectiveFrom.description
        revision = plan.revision
        self.updatedAt = updatedAt.seconds
    }

    var plan: CalendarFeeds.HoursPlan {
        let json = (try? JSONDecoder().decode([String: [String]].self, from: Data(hours.utf8))) ?? [:]
        var days: [Weekday: [LocalTimeRange]] = [:]
        for (key, ranges) in json {
            if let day = Weekday(key: key) { days[day] = ranges.compactMap(LocalTimeRange.init(iso:)) }
        }
        return CalendarFeeds.HoursPlan(
            hours: (try? WeeklyHours(days)) ?? (try! WeeklyHours([:])), effectiveFrom: LocalDate(iso: effectiveFrom)!,
            revision: revision)
    }
}
