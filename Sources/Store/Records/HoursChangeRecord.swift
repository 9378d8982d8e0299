import Agenda
import Foundation
import GRDB

/// One row of `hoursChange`: a weekly plan and the first local day it applies.
struct HoursChangeRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "hoursChange"

    var effectiveFrom: String
    var hours: String
    var revision: Int
    var updatedAt: Int64

    init(_ change: OpeningCalendar.Change, updatedAt: Date) {
        var json: [String: [String]] = [:]
        for day in Weekday.allCases where !change.hours.ranges(on: day).isEmpty {
            json[day.key] = change.hours.ranges(on: day).map(\.description)
        }
        let data = (try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])) ?? Data("{}".utf8)
        hours = String(decoding: data, as: UTF8.self)
        effectiveFrom = change.effectiveFrom.description
        revision = change.revision
        self.updatedAt = updatedAt.seconds
    }

    var change: OpeningCalendar.Change? {
        guard let from = LocalDate(iso: effectiveFrom), let json = try? JSONDecoder().decode([String: [String]].self, from: Data(hours.utf8)) else {
            return nil
        }
        var days: [Weekday: [LocalTimeRange]] = [:]
        for (key, ranges) in json {
            if let day = Weekday(key: key) { days[day] = ranges.compactMap(LocalTimeRange.init(iso:)) }
        }
        guard let weekly = try? WeeklyHours(days) else { return nil }
        return OpeningCalendar.Change(effectiveFrom: from, hours: weekly, revision: revision)
    }
}
