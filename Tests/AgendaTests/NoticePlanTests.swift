import Agenda
import Foundation
import Testing

/// Which notices a booking owes, from its state and what was already sent.
struct NoticePlanTests {
    let now = Timestamp.parse("2026-12-01T10:00:00+01:00")!
    let lead: TimeInterval = 48 * 3600

    func booking(startIn hours: Double, createdHoursAgo: Double = 0, status: BookingStatus = .booked, email: String? = "usager@example.org") -> Booking {
        let start = now.addingTimeInterval(hours * 3600)
        return Booking(
            id: "b-1", kind: .permanence, partner: "caf", lifeSituation: nil, permanence: "p-1", visioSlot: nil, room: "bureau",
            specialist: nil, station: nil, span: TimeSpan(start, start.addingTimeInterval(1800)), status: status,
            usager: Usager(name: "Mme Martin", email: email, reminderConsent: email != nil),
            createdAt: now.addingTimeInterval(-createdHoursAgo * 3600), updatedAt: now, sequence: 0)
    }

    func sent(_ kind: NoticeKind, _ b: Booking, at start: Date? = nil) -> NoticeState {
        NoticeState(kind: kind, startsAt: start ?? b.span.start, sentAt: now.addingTimeInterval(-60), nextAttemptAt: now.addingTimeInterval(-60))
    }

    @Test func aNewBookingIsConfirmedOnceAndRemindedBeforeItsDay() {
        let b = booking(startIn: 24 * 7)
        #expect(NoticePlan.due(b, notices: [], now: now, reminderLead: lead) == [.confirmation])
        #expect(NoticePlan.due(b, notices: [sent(.confirmation, b)], now: now, reminderLead: lead) == [])
        // 48 hours before: the reminder, once.
        let later = b.span.start.addingTimeInterval(-lead + 1)
        #expect(NoticePlan.due(b, notices: [sent(.confirmation, b)], now: later, reminderLead: lead) == [.reminder])
        #expect(NoticePlan.due(b, notices: [sent(.confirmation, b), sent(.reminder, b)], now: later, reminderLead: lead) == [])
        // Nothing once the appointment has begun.
        #expect(NoticePlan.due(b, notices: [sent(.confirmation, b)], now: b.span.start, reminderLead: lead) == [])
    }

    @Test func aBookingMadeWithinTheReminderLeadGetsTheConfirmationOnly() {
        let b = booking(startIn: 20)
        #expect(NoticePlan.due(b, notices: [], now: now, reminderLead: lead) == [.confirmation])
        #expect(NoticePlan.due(b, notices: [sent(.confirmation, b)], now: now, reminderLead: lead) == [])
    }

    @Test func aMoveAndACancellationAreToldOnlyToAUsagerWhoWasTold() {
        var b = booking(startIn: 24 * 7)
        let oldStart = b.span.start
        b.span = TimeSpan(oldStart.addingTimeInterval(86400), oldStart.addingTimeInterval(86400 + 1800))
        #expect(NoticePlan.due(b, notices: [sent(.confirmation, b, at: oldStart)], now: now, reminderLead: lead) == [.moved])
        #expect(NoticePlan.due(b, notices: [sent(.confirmation, b, at: oldStart), sent(.moved, b)], now: now, reminderLead: lead) == [])
        b.status = .cancelled
        #expect(NoticePlan.due(b, notices: [sent(.confirmation, b, at: oldStart)], now: now, reminderLead: lead) == [.cancelled])
        #expect(NoticePlan.due(b, notices: [sent(.confirmation, b, at: oldStart), sent(.cancelled, b)], now: now, reminderLead: lead) == [])
        // Never told (booked and cancelled before the first notice went): nothing to undo.
        #expect(NoticePlan.due(b, notices: [], now: now, reminderLead: lead) == [])
    }

    @Test func anAttemptUnderWayOrFailedWaitsForItsNextTryAndAGivenUpOneStops() {
        let b = booking(startIn: 24 * 7)
        let trying = NoticeState(kind: .confirmation, startsAt: b.span.start, nextAttemptAt: now.addingTimeInterval(60))
        #expect(NoticePlan.due(b, notices: [trying], now: now, reminderLead: lead) == [])
        #expect(NoticePlan.due(b, notices: [trying], now: now.addingTimeInterval(61), reminderLead: lead) == [.confirmation])
        let givenUp = NoticeState(kind: .confirmation, startsAt: b.span.start, gaveUpAt: now, nextAttemptAt: now)
        #expect(NoticePlan.due(b, notices: [givenUp], now: now.addingTimeInterval(3600), reminderLead: lead) == [])
    }

    @Test func anAddressANoticeHeaderCouldBeSplitOnIsRefused() {
        for bad in ["a@b.fr\r\nBcc: x@y.fr", "a@b.fr\nX: y", "Mme <a@b.fr>", "a@b.fr, c@d.fr", "a b@c.fr", "é@b.fr"] {
            #expect(throws: AgendaError.self) { try Usager(name: "M", email: bad, reminderConsent: true).validate() }
        }
        #expect(throws: Never.self) { try Usager(name: "M", email: "mme.martin+rdv@example.org", reminderConsent: true).validate() }
    }

    @Test func noConsentNoAddressOrAnOldBookingGetsNoConfirmation() {
        #expect(NoticePlan.due(booking(startIn: 24 * 7, email: nil), notices: [], now: now, reminderLead: lead) == [])
        // Booked long before notices were switched on: no confirmation, the reminder still goes.
        let old = booking(startIn: 24 * 7, createdHoursAgo: 72)
        #expect(NoticePlan.due(old, notices: [], now: now, reminderLead: lead) == [])
        #expect(NoticePlan.due(old, notices: [], now: old.span.start.addingTimeInterval(-lead), reminderLead: lead) == [.reminder])
        for status in [BookingStatus.checkedIn, .noShow, .done] {
            #expect(NoticePlan.due(booking(startIn: 24 * 7, status: status), notices: [], now: now, reminderLead: lead) == [])
        }
    }

    @Test func aClosureOverTheAppointmentIsTheOneThingSaidOncePerStart() {
        let b = booking(startIn: 30, createdHoursAgo: 24 * 10)
        // Told before, reminder due: the closure replaces both, once.
        #expect(NoticePlan.due(b, notices: [sent(.confirmation, b)], now: now, reminderLead: lead, closed: true) == [.closure])
        #expect(NoticePlan.due(b, notices: [sent(.confirmation, b), sent(.closure, b)], now: now, reminderLead: lead, closed: true) == [])
        // Never told (notices switched on later): the closure is still worth saying.
        #expect(NoticePlan.due(b, notices: [], now: now, reminderLead: lead, closed: true) == [.closure])
        // Withdrawn, the closure no longer counts: back to the reminder.
        #expect(NoticePlan.due(b, notices: [sent(.confirmation, b), sent(.closure, b)], now: now, reminderLead: lead, closed: false) == [.reminder])
        // Moved by an agent out of the closure: the move is told.
        var moved = b
        moved.span = TimeSpan(b.span.start.addingTimeInterval(86_400), b.span.end.addingTimeInterval(86_400))
        #expect(NoticePlan.due(moved, notices: [sent(.confirmation, b), sent(.closure, b)], now: now, reminderLead: lead) == [.moved])
        // Cancelled by the agent after the closure notice: the cancellation is told too.
        var cancelled = b
        cancelled.status = .cancelled
        #expect(NoticePlan.due(cancelled, notices: [sent(.confirmation, b), sent(.closure, b)], now: now, reminderLead: lead, closed: true) == [.cancelled])
    }
}
