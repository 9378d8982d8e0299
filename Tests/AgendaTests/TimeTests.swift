import Agenda
import Foundation
import Testing

struct TimeTests {
    let paris = StructureTimeZone(identifier: "Europe/Paris")!

    func utc(_ text: String) -> Date { Timestamp.parse(text)! }

    @Test func weeklyPermanenceStaysAtNineAcrossDaylightSavingChanges() throws {
        // Every Friday 09:00-12:00 around the spring change (Sunday 2026-03-29).
        let permanence = Permanence(
            id: "p", partner: "caf", specialist: "s", room: "r", recurrence: .weekly(interval: 1, weekday: .friday),
            hours: LocalTimeRange(iso: "09:00-12:00")!, firstDate: LocalDate(iso: "2026-03-01")!, lastDate: nil)
        let spans = permanence.occurrences(from: LocalDate(iso: "2026-03-20")!, to: LocalDate(iso: "2026-04-05")!, zone: paris)
        #expect(spans.map(\.start) == [utc("2026-03-20T08:00:00Z"), utc("2026-03-27T08:00:00Z"), utc("2026-04-03T07:00:00Z")])
        #expect(spans.allSatisfy { paris.local($0.start).time == LocalTime(hour: 9, minute: 0)! })
        // And back in autumn (Sunday 2026-10-25).
        let autumn = permanence.occurrences(from: LocalDate(iso: "2026-10-20")!, to: LocalDate(iso: "2026-11-01")!, zone: paris)
        #expect(autumn.map(\.start) == [utc("2026-10-23T07:00:00Z"), utc("2026-10-30T08:00:00Z")])
    }

    @Test func wallTimesInTheGapAndTheOverlapAreResolvedAsRFC5545Says() {
        // 02:30 does not exist on 2026-03-29: read with the offset before the gap (= 03:30 CEST).
        #expect(paris.instant(LocalDate(iso: "2026-03-29")!, LocalTime(iso: "02:30")!) == utc("2026-03-29T01:30:00Z"))
        // 02:30 happens twice on 2026-10-25: the first occurrence (CEST).
        #expect(paris.instant(LocalDate(iso: "2026-10-25")!, LocalTime(iso: "02:30")!) == utc("2026-10-25T00:30:00Z"))
    }

    @Test func timestampsRequireAnOffsetAndAReasonableYear() {
        #expect(Timestamp.parse("2026-12-01T09:00:00+01:00") == utc("2026-12-01T08:00:00Z"))
        #expect(Timestamp.parse("2026-12-01T09:00:00.250Z") != nil)
        #expect(Timestamp.parse("2026-12-01T09:00:00") == nil)
        #expect(Timestamp.parse("10000-01-01T09:00:00Z") == nil)
        #expect(Timestamp.parse("2026-02-30T09:00:00Z") == nil)
        #expect(Timestamp.parse("2026-12-01 09:00:00Z") == nil)
        #expect(Timestamp.format(utc("2026-07-01T07:00:00Z"), in: paris) == "2026-07-01T09:00:00+02:00")
        #expect(Timestamp.format(utc("2026-12-01T08:00:00Z"), in: paris) == "2026-12-01T09:00:00+01:00")
    }

    @Test func dayArithmeticMatchesTheCalendar() {
        #expect(LocalDate(iso: "2026-11-25")!.weekday == .wednesday)
        #expect(LocalDate(iso: "2028-02-28")!.adding(days: 1) == LocalDate(iso: "2028-02-29"))
        #expect(LocalDate(iso: "2026-01-31")!.addingMonths(1) == LocalDate(iso: "2026-02-28"))
        #expect(LocalDate(daysSinceEpoch: LocalDate(iso: "2199-12-31")!.daysSinceEpoch) == LocalDate(iso: "2199-12-31"))
    }

    @Test func recurrencesFallOnTheRightDays() {
        let from = LocalDate(iso: "2026-12-01")!
        let to = LocalDate(iso: "2027-02-28")!
        let second = Recurrence.monthly(ordinal: 2, weekday: .tuesday).dates(anchor: from, from: from, to: to)
        #expect(second.map(\.description) == ["2026-12-08", "2027-01-12", "2027-02-09"])
        let last = Recurrence.monthly(ordinal: -1, weekday: .friday).dates(anchor: from, from: from, to: to)
        #expect(last.map(\.description) == ["2026-12-25", "2027-01-29", "2027-02-26"])
        // Every two weeks counts from the anchor, even when the query starts later.
        let fortnight = Recurrence.weekly(interval: 2, weekday: .thursday).dates(anchor: LocalDate(iso: "2026-12-03")!, from: LocalDate(iso: "2026-12-10")!, to: LocalDate(iso: "2027-01-01")!)
        #expect(fortnight.map(\.description) == ["2026-12-17", "2026-12-31"])
    }

    @Test func permanenceExceptionsAreSkipped() {
        let p = Permanence(
            id: "p", partner: "caf", specialist: "s", room: "r", recurrence: .weekly(interval: 1, weekday: .tuesday),
            hours: LocalTimeRange(iso: "09:00-12:00")!, firstDate: LocalDate(iso: "2026-12-01")!, lastDate: LocalDate(iso: "2026-12-22")!,
            exceptions: [LocalDate(iso: "2026-12-15")!])
        #expect(p.dates(from: LocalDate(iso: "2026-11-01")!, to: LocalDate(iso: "2027-01-31")!).map(\.description) == ["2026-12-01", "2026-12-08", "2026-12-22"])
    }
}
