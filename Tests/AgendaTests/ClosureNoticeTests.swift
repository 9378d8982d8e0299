import Agenda
import Foundation
import Testing

struct ClosureNoticeTests {
    let now = Timestamp.parse("2026-11-25T10:00:00+01:00")!

    func span(startingIn seconds: TimeInterval) -> TimeSpan {
        TimeSpan(now.addingTimeInterval(seconds), now.addingTimeInterval(seconds + 8 * 3600))
    }

    @Test func sevenDaysNoticeIsAccepted() throws {
        try ClosureNotice.check(span: span(startingIn: 7 * 86_400), announcedAt: now, emergency: false)
    }

    @Test func closureWithSixDaysAndTwentyThreeHoursNoticeIsRefused() {
        #expect {
            try ClosureNotice.check(span: span(startingIn: 6 * 86_400 + 23 * 3600), announcedAt: now, emergency: false)
        } throws: { error in
            let e = error as! AgendaError
            return e.code == "closure_notice_too_short" && e.kind == .conflict && e.details["noticeHours"] == "167"
        }
    }

    @Test func anEmergencyMayBeAnnouncedLate() throws {
        try ClosureNotice.check(span: span(startingIn: 3600), announcedAt: now, emergency: true)
    }

    @Test func aClosureMustEndAfterItStarts() {
        #expect(throws: AgendaError.endBeforeStart) {
            try ClosureNotice.check(span: TimeSpan(now.addingTimeInterval(9 * 86_400), now.addingTimeInterval(8 * 86_400)), announcedAt: now, emergency: false)
        }
    }
}
