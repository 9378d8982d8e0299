import Agenda
import Testing

struct OpeningHoursTests {
    func plan(_ days: [Weekday: [String]]) throws -> WeeklyHours {
        try WeeklyHours(days.mapValues { $0.map { LocalTimeRange(iso: $0)! } })
    }

    func refusal(_ hours: WeeklyHours, _ label: StructureLabel) -> AgendaError? {
        do {
            try OpeningHoursMinimum.check(hours, label: label)
            return nil
        } catch { return error }
    }

    @Test func franceServicesNeeds24HoursOverFiveDays() throws {
        let ok = try plan([.monday: ["09:00-12:00", "13:00-15:00"], .tuesday: ["09:00-14:00"], .wednesday: ["09:00-14:00"], .thursday: ["09:00-14:00"], .friday: ["09:00-13:00"]])
        #expect(ok.weeklyMinutes == 24 * 60)
        #expect(refusal(ok, .franceServices) == nil)

        let short = try plan([.monday: ["09:00-12:00", "13:00-14:30"], .tuesday: ["09:00-14:00"], .wednesday: ["09:00-14:00"], .thursday: ["09:00-14:00"], .friday: ["09:00-13:00"]])
        let error = try #require(refusal(short, .franceServices))
        #expect(error.code == "opening_hours_below_minimum")
        #expect(error.details["rule"] == "france-services-24h-5-days")
        #expect(error.french.contains("23,5 h"))

        let fourDays = try plan([.monday: ["08:00-14:00"], .tuesday: ["08:00-14:00"], .wednesday: ["08:00-14:00"], .thursday: ["08:00-14:00"]])
        #expect(refusal(fourDays, .franceServices)?.details["rule"] == "france-services-24h-5-days")
    }

    @Test func msapNeeds24HoursOverThreeDays() throws {
        let three = try plan([.monday: ["08:00-16:00"], .tuesday: ["08:00-16:00"], .wednesday: ["08:00-16:00"]])
        #expect(refusal(three, .msap) == nil)
        let two = try plan([.monday: ["07:00-19:00"], .tuesday: ["07:00-19:00"]])
        #expect(refusal(two, .msap)?.details["rule"] == "msap-24h-3-days")
    }

    @Test func cafPointNeedsFourHalfDaysAndTwelveHours() throws {
        let ok = try plan([.monday: ["09:00-12:00"], .tuesday: ["14:00-17:00"], .thursday: ["09:00-12:00", "14:00-17:00"]])
        #expect(ok.halfDays == 4)
        #expect(refusal(ok, .pointNumeriqueCaf) == nil)
        // 12 h but only three half-days.
        let three = try plan([.monday: ["08:00-12:00"], .tuesday: ["13:00-17:00"], .thursday: ["08:00-12:00"]])
        #expect(three.halfDays == 3)
        #expect(refusal(three, .pointNumeriqueCaf)?.details["rule"] == "caf-12h-4-half-days")
    }

    @Test func overlappingRangesAreRefused() {
        #expect(throws: AgendaError.self) { try plan([.monday: ["09:00-12:00", "11:00-13:00"]]) }
        #expect(throws: AgendaError.self) { try plan([.monday: ["09:00-12:00", "12:00-13:00"]]) }
    }
}
