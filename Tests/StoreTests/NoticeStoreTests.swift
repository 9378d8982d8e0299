import Agenda
import Foundation
import Store
import Testing

/// The notices' bookkeeping: attempts counted, sent and given up recorded, never an address.
struct NoticeStoreTests {
    let store = StoreTests()

    @Test func eachAttemptIsCountedAndItsOutcomeRecordedPerChannel() async throws {
        let db = try AppDatabase.inMemory()
        let now = store.now
        let usager = Usager(name: "A", phone: "0600000000", email: "a@example.org", reminderConsent: true)
        let booking = try await db.createBooking(
            BookingRequest(kind: .room, room: "salle", span: store.span("2026-12-10T10:00:00+01:00"), usager: usager), structure: store.structure, now: now)
        _ = try await db.createBooking(
            BookingRequest(kind: .room, room: "conf", span: store.span("2026-12-10T10:00:00+01:00"), usager: Usager(name: "B")), structure: store.structure, now: now)
        // Only the booking whose usager left a contact with consent is a candidate.
        #expect(try await db.noticeCandidates(now: now).map(\.booking.id) == [booking.id])

        let email = NoticeKey(booking: booking.id, channel: .email, kind: .confirmation, startsAt: booking.span.start)
        #expect(try await db.beginNotice(email, now: now, retryAt: now.addingTimeInterval(60)) == 1)
        try await db.noticeFailed(email, error: "exited with status 75", now: now, retryAt: now.addingTimeInterval(60))
        #expect(try await db.beginNotice(email, now: now.addingTimeInterval(60), retryAt: now.addingTimeInterval(120)) == 2)
        try await db.noticeSent(email, now: now.addingTimeInterval(61))
        let sms = NoticeKey(booking: booking.id, channel: .sms, kind: .confirmation, startsAt: booking.span.start)
        #expect(try await db.beginNotice(sms, now: now, retryAt: now.addingTimeInterval(60)) == 1)
        try await db.noticeFailed(sms, error: "the SMS gateway (curl) exited with status 22", now: now, retryAt: nil)

        let states = try #require(try await db.noticeCandidates(now: now).first?.notices)
        let sent = try #require(states.first { $0.channel == .email })
        #expect(sent.sentAt != nil && sent.gaveUpAt == nil)
        let gaveUp = try #require(states.first { $0.channel == .sms })
        #expect(gaveUp.gaveUpAt != nil && gaveUp.sentAt == nil)
        // The planner owes nothing more on either channel.
        for channel in NoticeChannel.allCases {
            #expect(NoticePlan.due(booking, channel: channel, notices: states, now: now, reminderLead: 48 * 3600).isEmpty)
        }
        let listed = try await db.givenUpNotices(since: now.addingTimeInterval(-3600), now: now)
        #expect(listed.map(\.channel) == [.sms] && listed.first?.booking.id == booking.id)
        // A notice for a booking that does not exist is refused by the schema.
        await #expect(throws: (any Error).self) {
            _ = try await db.beginNotice(NoticeKey(booking: "b-none", channel: .email, kind: .reminder, startsAt: now), now: now, retryAt: now)
        }
    }
}
