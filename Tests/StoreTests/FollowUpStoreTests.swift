import Agenda
import Foundation
import GRDB
import Store
import Testing

struct FollowUpStoreTests {
    let base = StoreTests()
    var now: Date { base.now }

    @Test func theMandateJournalCannotBeEditedOrDeleted() async throws {
        let db = try AppDatabase.inMemory()
        let mandate = try await db.signMandate(
            usagerName: "Awa Diallo", identityDocument: "Carte d’identité", categories: [.family, .housing], duration: .oneMonth, parties: 2,
            agent: "a-1", zone: base.structure.timeZone, now: now)
        _ = try await db.withdrawMandate(id: mandate.id, category: .family, actor: "a-1", now: now.addingTimeInterval(60))
        try await db.audit(actor: "a-1", action: "mandate.sign", target: mandate.id, now: now)
        #expect(try await db.mandateJournal(id: mandate.id).map(\.kind) == [.signed, .categoryWithdrawn])
        for sql in ["UPDATE mandateEvent SET kind = 'signed'", "DELETE FROM mandateEvent", "UPDATE auditEntry SET actor = 'x'", "DELETE FROM auditEntry"] {
            await #expect(throws: DatabaseError.self) { try await db.writer.write { try $0.execute(sql: sql) } }
        }
        #expect(try await db.mandateJournal(id: mandate.id).count == 2)
    }

    @Test func withdrawingTheLastCategoryWithdrawsTheMandate() async throws {
        let db = try AppDatabase.inMemory()
        let mandate = try await db.signMandate(
            usagerName: "Awa Diallo", identityDocument: "Passeport", categories: [.money], duration: .oneDay, parties: 2, agent: "a-1",
            zone: base.structure.timeZone, now: now)
        #expect(mandate.isActive(at: now))
        let after = try await db.withdrawMandate(id: mandate.id, category: .money, actor: "a-1", now: now)
        #expect(after.withdrawnAt != nil)
        #expect(!after.isActive(at: now))
        #expect(try await db.mandateJournal(id: mandate.id).map(\.kind) == [.signed, .categoryWithdrawn, .withdrawn])
    }

    @Test func purgingClearsPersonalDataAndKeepsTheFigures() async throws {
        let db = try AppDatabase.inMemory()
        let past = now.addingTimeInterval(-10 * 86_400)
        let booking = try await db.createBooking(
            BookingRequest(kind: .room, room: "salle", span: base.span("2026-11-16T10:00:00+01:00"), usager: Usager(name: "Awa Diallo", phone: "0600000000", reminderConsent: true)),
            structure: base.structure, now: past)
        let held = Timestamp.parse("2026-11-16T10:05:00+01:00")!
        _ = try await db.applyBookingEvent(id: booking.id, .checkIn, now: held)
        _ = try await db.applyBookingEvent(id: booking.id, .done, now: held.addingTimeInterval(1200))
        let upcoming = try await db.createBooking(
            BookingRequest(kind: .room, room: "salle", span: base.span("2026-12-02T10:00:00+01:00"), usager: Usager(name: "Jean Martin")),
            structure: base.structure, now: now)
        _ = try await db.recordContact(
            ContactInput(partners: ["caf"], lifeSituation: nil, reason: "Prime d’activité", channel: .walkIn, accompanied: true, outcome: .referred, note: "Rappeler Mme D."),
            agent: "a-1", structure: base.structure, now: past)
        let referral = try await db.sendReferral(
            partner: "caf", referent: "ref-caf", subject: "Dossier bloqué", usagerName: "Awa Diallo", agent: "a-1", structure: base.structure, now: past)
        _ = try await db.answerReferral(id: referral.id, answer: "Débloqué", now: past.addingTimeInterval(3600))
        _ = try await db.closeReferral(id: referral.id, now: past.addingTimeInterval(7200))
        let mandate = try await db.signMandate(
            usagerName: "Awa Diallo", identityDocument: "Passeport", categories: [.money], duration: .oneDay, parties: 2, agent: "a-1",
            zone: base.structure.timeZone, now: past)

        let window = TimeSpan(past.addingTimeInterval(-86_400), now.addingTimeInterval(30 * 86_400))
        let contactsBefore = try await db.contacts(in: window).map { ($0.partners, $0.outcome, $0.accompanied) }
        let report = try await db.purgePersonalData(bookingDays: 0, contactNoteDays: 7, referralDays: 7, mandateDays: 0, actor: "test", now: now)
        #expect(report == PurgeReport(bookings: 1, contactNotes: 1, referrals: 1, mandates: 1))

        #expect(try await db.booking(id: booking.id).usager == nil)
        #expect(try await db.booking(id: booking.id).status == .done)
        #expect(try await db.booking(id: upcoming.id).usager?.name == "Jean Martin")
        #expect(try await db.contacts(in: window).allSatisfy { $0.note == nil })
        #expect(try await db.contacts(in: window).map { ($0.partners, $0.outcome, $0.accompanied) }.elementsEqual(contactsBefore, by: ==))
        let purgedReferral = try await db.referral(id: referral.id)
        #expect(purgedReferral.usagerName == nil && purgedReferral.answer == nil)
        #expect(purgedReferral.answeredInTime)
        #expect(try await db.mandate(id: mandate.id).usagerName == nil)
        #expect(try await db.mandateJournal(id: mandate.id).last?.kind == .purged)
        // A second run finds nothing left to purge.
        #expect(try await db.purgePersonalData(bookingDays: 0, contactNoteDays: 7, referralDays: 7, mandateDays: 0, actor: "test", now: now).total == 0)
    }

    @Test func aSignInSessionReplacesThePresentedOneAndExpires() async throws {
        let db = try AppDatabase.inMemory()
        let agent = try await db.addAgent(login: "camille", displayName: "Camille", role: .agent, passwordHash: "x", actor: "test", now: now)
        let planted = try await db.openSession(kind: .kiosk, agent: nil, station: "poste-1", replacing: nil, lifetime: 3600, now: now)
        let session = try await db.openSession(kind: .agent, agent: agent, station: nil, replacing: planted.token, lifetime: 3600, now: now)
        #expect(session.token != planted.token)
        #expect(try await db.session(token: planted.token, now: now) == nil)
        #expect(try await db.session(token: session.token, now: now)?.agent?.login == "camille")
        #expect(try await db.session(token: session.token, now: now.addingTimeInterval(3601)) == nil)
        try await db.setAgentActive(id: agent.id, active: false, actor: "test", now: now)
        #expect(try await db.session(token: session.token, now: now) == nil)
    }
}
