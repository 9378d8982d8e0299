import OfficeKit
import Agenda
import Foundation
import Reports
import Store
import Testing
import Web

/// Personal data goes; the figures stay.
struct ReportPurgeTests {
    @Test func purgingPersonalDataLeavesEveryReportFigureUnchanged() async throws {
        let clock = TestClock(Timestamp.parse("2026-10-01T09:00:00+02:00")!)
        let office = try await makeOffice(clock: clock)
        let db = office.database
        let structure = office.structure
        // A month of activity: visits, bookings held and missed, a referral, a mandate, messages, station sessions.
        let slots = try await db.availability(
            Availability.Query(from: LocalDate(year: 2026, month: 10, day: 1)!, to: LocalDate(year: 2026, month: 10, day: 31)!, slotMinutes: 30),
            structure: structure, now: clock.now)
        var booked: [Booking] = []
        for slot in slots.prefix(6) {
            booked.append(try await db.createBooking(
                BookingRequest(kind: slot.kind, permanence: slot.permanence, visioSlot: slot.visioSlot, span: slot.span,
                               usager: Usager(name: "Usager", phone: "0600000000", reminderConsent: true)), structure: structure, now: clock.now))
        }
        for (i, booking) in booked.enumerated() {
            let held = booking.span.start.addingTimeInterval(60)
            if i % 3 == 0 { _ = try await db.applyBookingEvent(id: booking.id, .noShow, now: held) }
            else if i % 3 == 1 {
                _ = try await db.applyBookingEvent(id: booking.id, .checkIn, now: held)
                _ = try await db.applyBookingEvent(id: booking.id, .done, now: held.addingTimeInterval(600))
            } else { _ = try await db.applyBookingEvent(id: booking.id, .cancel, now: clock.now) }
        }
        for day in 1...20 {
            let at = Timestamp.parse(String(format: "2026-10-%02dT10:30:00+02:00", day))!
            _ = try await db.recordContact(
                ContactInput(partners: day % 2 == 0 ? ["caf"] : ["dgfip", "cpam"], lifeSituation: day % 3 == 0 ? "having-baby" : nil, reason: "Démarche",
                             channel: day % 4 == 0 ? .phone : .walkIn, accompanied: day % 5 == 0, outcome: day % 2 == 0 ? .resolved : .referred,
                             note: "Note personnelle \(day)"), agent: "a", structure: structure, now: at)
            try await db.recordStationUse(StationUse(
                id: "s\(day)", station: "poste-1", start: at, end: at.addingTimeInterval(1200), lifeSituations: [], partnerSites: day % 2 == 0 ? ["caf"] : [],
                pagesPrinted: day % 4, pagesScanned: 1, helpRequested: day % 6 == 0, accompanied: day % 5 == 0))
            try await db.recordSatisfaction(SatisfactionAnswer(at: at, score: day % 5 + 1, source: "station"))
        }
        let sent = Timestamp.parse("2026-10-02T11:00:00+02:00")!
        let referral = try await db.sendReferral(partner: "caf", referent: "ref-caf", subject: "Dossier", usagerName: "Awa Diallo", agent: "a", structure: structure, now: sent)
        _ = try await db.answerReferral(id: referral.id, answer: "Réglé", now: sent.addingTimeInterval(86_400))
        _ = try await db.closeReferral(id: referral.id, now: sent.addingTimeInterval(2 * 86_400))
        let message = try await db.receiveMessage(name: "Awa", email: "awa@example.fr", message: "Bonjour, une question.", now: sent)
        try await db.markMessageAnswered(id: message.id, agent: "a", now: sent.addingTimeInterval(3600))
        _ = try await db.signMandate(usagerName: "Awa Diallo", identityDocument: "Passeport", categories: [.family], duration: .oneDay, parties: 2,
                                     agent: "a", zone: structure.timeZone, now: sent)

        let period = ReportPeriod("2026-Q4")!
        clock.advance(120 * 86_400)  // long after: every retention has ended
        let before = try await office.report(period)
        #expect(before.table("synthese")?.value("visites", "valeur") == "20")
        let purged = try await office.purgePersonalData(actor: "test")
        #expect(purged.bookings == 6 && purged.contactNotes == 20 && purged.referrals == 1 && purged.mandates == 1 && purged.messages == 1)
        let after = try await office.report(period)
        #expect(after.tables == before.tables)
        #expect(try await db.bookings(overlapping: TimeSpan(.distantPast, .distantFuture)).allSatisfy { $0.usager == nil })
    }
}
