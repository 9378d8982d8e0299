import Agenda
import Foundation
import Testing

struct WorkingTimeTests {
    let paris = StructureTimeZone(identifier: "Europe/Paris")!

    func at(_ text: String) -> Date { Timestamp.parse(text)! }

    @Test func easterSundaysAreComputed() {
        #expect(FrenchHolidays.easter(2025).description == "2025-04-20")
        #expect(FrenchHolidays.easter(2026).description == "2026-04-05")
        #expect(FrenchHolidays.easter(2027).description == "2027-03-28")
        #expect(FrenchHolidays.easter(2038).description == "2038-04-25")
        let names = FrenchHolidays.holidays(2026).map { "\($0.date) \($0.name)" }
        #expect(names.contains("2026-04-06 Lundi de Pâques"))
        #expect(names.contains("2026-05-14 Ascension"))
        #expect(names.contains("2026-05-25 Lundi de Pentecôte"))
        #expect(names.count == 11)
    }

    @Test func seventyTwoWorkingHoursSkipTheWeekend() {
        // Friday 15:00 → Monday, Tuesday, Wednesday 15:00.
        let due = WorkingTime.deadline(after: at("2026-11-27T15:00:00+01:00"), hours: 72, zone: paris)
        #expect(Timestamp.format(due, in: paris) == "2026-12-02T15:00:00+01:00")
        // Monday 09:30 → Thursday 09:30.
        let monday = WorkingTime.deadline(after: at("2026-11-30T09:30:00+01:00"), hours: 72, zone: paris)
        #expect(Timestamp.format(monday, in: paris) == "2026-12-03T09:30:00+01:00")
    }

    @Test func sentOnASaturdayCountsFromMonday() {
        let due = WorkingTime.deadline(after: at("2026-11-28T11:00:00+01:00"), hours: 72, zone: paris)
        #expect(Timestamp.format(due, in: paris) == "2026-12-03T00:00:00+01:00")
    }

    @Test func easterMondayIsNotCounted() {
        // Thursday 2 April 2026 10:00: Thu (14 h) + Fri (24 h) + Easter Monday skipped + Tue (24 h) + Wed 10:00.
        let due = WorkingTime.deadline(after: at("2026-04-02T10:00:00+02:00"), hours: 72, zone: paris)
        #expect(Timestamp.format(due, in: paris) == "2026-04-08T10:00:00+02:00")
    }

    @Test func bastilleDayIsNotCounted() {
        // Monday 13 July 2026 12:00: Mon (12 h), 14 July skipped, Wed, Thu (48 h), Fri 12:00.
        let due = WorkingTime.deadline(after: at("2026-07-13T12:00:00+02:00"), hours: 72, zone: paris)
        #expect(Timestamp.format(due, in: paris) == "2026-07-17T12:00:00+02:00")
    }

    @Test func aDeadlineThatEndsAtMidnightStaysOnItsDay() {
        // Wednesday 00:00 + 72 h ends exactly at Friday 24:00, not after the weekend.
        let due = WorkingTime.deadline(after: at("2026-11-25T00:00:00+01:00"), hours: 72, zone: paris)
        #expect(Timestamp.format(due, in: paris) == "2026-11-28T00:00:00+01:00")
    }

    @Test func referralStatusFollowsTheClock() {
        let sent = at("2026-11-27T15:00:00+01:00")
        let referral = Referral(
            id: "r-1", partner: "caf", referent: "ref-caf", agent: "a-1", subject: "Dossier", usagerName: nil, sentAt: sent,
            deadline: WorkingTime.deadline(after: sent, hours: 72, zone: paris))
        #expect(referral.status(at: at("2026-12-02T14:59:00+01:00")) == .sent)
        #expect(referral.status(at: at("2026-12-02T15:01:00+01:00")) == .overdue)
    }

    @Test func mandateDurationsEndOnTheRightLocalDay() {
        let signed = at("2026-01-31T10:00:00+01:00")
        #expect(Timestamp.format(MandateDuration.oneDay.expiry(signedAt: signed, zone: paris), in: paris) == "2026-02-01T00:00:00+01:00")
        #expect(Timestamp.format(MandateDuration.oneMonth.expiry(signedAt: signed, zone: paris), in: paris) == "2026-02-28T00:00:00+01:00")
        #expect(Timestamp.format(MandateDuration.sixMonths.expiry(signedAt: signed, zone: paris), in: paris) == "2026-07-31T00:00:00+02:00")
        #expect(Timestamp.format(MandateDuration.oneYear.expiry(signedAt: signed, zone: paris), in: paris) == "2027-01-31T00:00:00+01:00")
    }
}
