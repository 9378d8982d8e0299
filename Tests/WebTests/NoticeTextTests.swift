import Agenda
import Foundation
import OfficeKit
import StructureConfig
import Testing

/// The notices' texts as the gateways and MTAs take them.
struct NoticeTextTests {
    @Test func smsTextIsOneGSMMessageWhateverTheFrenchItCarries() {
        let text = GSM7.fit("Êtes-vous prêt ? Ça commence à 9 h — l’accueil « France Services » vous reçoit.")
        // Ç and à are GSM letters; Ê, ê, ç, the typographic apostrophe and quotes are not.
        #expect(text == "Etes-vous pret ? Ça commence à 9 h - l'accueil \" France Services \" vous recoit.")
        #expect(!text.contains("ê") && !text.contains("’"))
        let long = GSM7.fit(String(repeating: "é", count: 200))
        #expect(GSM7.septets(long) <= 160 && long.hasSuffix("..."))
        // The extension characters count twice.
        #expect(GSM7.septets(GSM7.fit(String(repeating: "€", count: 100))) <= 160)
    }

    @Test func theGatewaysRequestCarriesTheSecretOnlyOnCurlsStandardInput() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("guichet-sms-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let secretFile = folder.appendingPathComponent("secret").path
        try "k\"ey\\1\n".write(toFile: secretFile, atomically: true, encoding: .utf8)
        var settings = SMSSettings(url: "https://sms.example.fr/send", fields: ["to": "{phone}", "text": "{text}"])
        settings.secretFile = secretFile
        settings.headers = ["Authorization": "Bearer {secret}"]
        let gateway = try SMSGateway(settings: settings)
        let config = try gateway.curlConfigForTests(phone: "0612345678", text: "Ligne 1\nLigne \"2\"")
        #expect(config.contains(#"header = "Authorization: Bearer k\"ey\\1""#))
        #expect(config.contains(#"data-binary = "{\"text\":\"Ligne 1\\nLigne \\\"2\\\"\",\"to\":\"0612345678\"}""#))
        #expect(config.contains("url = \"https://sms.example.fr/send\"") && config.contains("\nfail\n"))
        #expect(!config.contains("\r"))
    }

    @Test func aSelfBookingsNoticeCarriesItsCodeWithinOneSMS() {
        let zone = StructureTimeZone(identifier: "Europe/Paris")!
        let structure = Structure(
            id: "fs", name: "France Services de Beaumont-sur-Oise", address: "12 rue de l'Hôtel de Ville, 95260 Beaumont-sur-Oise", timeZone: zone,
            email: "accueil@example.fr", phone: "01 30 00 00 00", label: .franceServices, openingHours: try! WeeklyHours([:]), partners: [],
            lifeSituations: [], rooms: [Room(id: "salle", name: "Salle", confidential: false)], stations: [],
            visio: VisioSettings(slotMinutes: 30, stunServers: [], turnServers: [], joinEarlyMinutes: 10))
        let start = Timestamp.parse("2026-12-08T09:00:00+01:00")!
        let booking = Booking(
            id: "b-1", kind: .room, partner: nil, lifeSituation: nil, permanence: nil, visioSlot: nil, room: "salle", specialist: nil, station: nil,
            span: TimeSpan(start, start.addingTimeInterval(1800)), status: .booked,
            usager: Usager(name: "Mme Durand", phone: "0612345678", reminderConsent: true), createdAt: start, updatedAt: start, sequence: 0)
        for kind in [NoticeKind.confirmation, .reminder, .moved] {
            let message = NoticeMessage(kind: kind, booking: booking, structure: structure, from: "accueil@example.fr", now: start, code: "HGF8M8KJ")
            #expect(message.smsText.contains("Code HGF8-M8KJ."), "\(kind): \(message.smsText)")
            #expect(GSM7.septets(message.smsText) <= 160)
        }
        let plain = NoticeMessage(kind: .confirmation, booking: booking, structure: structure, from: "accueil@example.fr", now: start)
        #expect(!plain.smsText.contains("Code"))
    }
}
