import Agenda
import Foundation
import Reports
import Testing

struct ActivityReportTests {
    let zone = StructureTimeZone(identifier: "Europe/Paris")!
    let structure: Structure = {
        let zone = StructureTimeZone(identifier: "Europe/Paris")!
        let day = [LocalTimeRange(iso: "09:00-12:30")!, LocalTimeRange(iso: "13:30-17:30")!]
        let hours = try! WeeklyHours([.monday: day, .tuesday: day, .wednesday: day, .thursday: day, .friday: day])
        return Structure(
            id: "t", name: "France Services de Test", address: "1 place", timeZone: zone, email: "a@b.fr", phone: "0100000000",
            label: .franceServices, openingHours: hours,
            partners: [
                Partner(id: "caf", name: "Caf", national: true, website: "https://www.caf.fr"),
                Partner(id: "dgfip", name: "Finances publiques", national: true, website: "https://www.impots.gouv.fr"),
            ],
            lifeSituations: [LifeSituation(id: "taxes", theme: "budget", titleFrench: "Je déclare mes impôts", titleEnglish: "Taxes", partners: ["dgfip"], websites: [])],
            rooms: [Room(id: "salle", name: "Salle", confidential: true)], stations: [],
            visio: VisioSettings(slotMinutes: 30, stunServers: [], turnServers: [], joinEarlyMinutes: 10))
    }()

    func at(_ text: String) -> Date { Timestamp.parse(text)! }

    func contact(_ when: String, partners: [String] = ["caf"], situation: String? = nil, channel: ContactChannel = .walkIn,
                 outcome: ContactOutcome = .resolved, accompanied: Bool = false) -> Contact {
        Contact(id: UUID().uuidString, at: at(when), agent: "a", partners: partners, lifeSituation: situation, reason: "r",
                channel: channel, accompanied: accompanied, outcome: outcome, note: nil)
    }

    func report(_ period: String, _ fill: (inout ReportData) -> Void = { _ in }) -> Report {
        var data = ReportData(period: ReportPeriod(period)!, structure: structure)
        fill(&data)
        return ActivityReport.compute(data, generatedAt: at("2026-11-25T10:00:00+01:00"))
    }

    @Test func periodsAreParsed() {
        #expect(ReportPeriod("2026-Q1").map { "\($0.first)..\($0.last)" } == "2026-01-01..2026-03-31")
        #expect(ReportPeriod("2026-Q4").map { "\($0.first)..\($0.last)" } == "2026-10-01..2026-12-31")
        #expect(ReportPeriod("2026-02").map { "\($0.first)..\($0.last)" } == "2026-02-01..2026-02-28")
        #expect(ReportPeriod("2026").map { $0.days.count } == 365)
        #expect(ReportPeriod("2026-09-15..2026-10-15").map { $0.days.count } == 31)
        for bad in ["2026-Q5", "2026-13", "26-Q1", "2026-10-15..2026-09-15", "10000", "2026-Q1x", ""] { #expect(ReportPeriod(bad) == nil, "\(bad)") }
    }

    @Test func anEmptyQuarterHasEveryTableWithZeros() {
        let r = report("2026-Q3")
        #expect(r.table("frequentation-par-jour")?.rows.count == 92)
        #expect(r.table("frequentation-par-jour")?.rows.allSatisfy { $0[2] == "0" } == true)
        #expect(r.table("frequentation-par-mois")?.rows.map { $0[0] } == ["2026-07", "2026-08", "2026-09"])
        #expect(r.table("synthese")?.value("visites", "valeur") == "0")
        #expect(r.table("synthese")?.value("note_moyenne", "valeur") == "")
        #expect(r.table("synthese")?.value("part_orientations_sous_72h", "valeur") == "")
        #expect(r.table("synthese")?.value("heure_de_pointe", "valeur") == "")
        #expect(r.table("postes-libre-service")?.value("total", "sessions") == "0")
        #expect(r.tables.map(\.file).count == Set(r.tables.map(\.file)).count)
    }

    @Test func aGeneratedQuarterGivesTheKnownFigures() {
        // Every working day of Q1 2026 (no holiday but 1 January and none other in Q1 weekdays
        // except Easter Monday 6 April, outside): 2 Caf visits at 09:15, 1 tax visit at 14:10.
        var contacts: [Contact] = []
        var workingDays = 0
        for day in ReportPeriod("2026-Q1")!.days where day.weekday.rawValue <= 5 && !FrenchHolidays.isHoliday(day) {
            workingDays += 1
            let d = day.description
            let offset = day >= LocalDate(year: 2026, month: 3, day: 29)! ? "+02:00" : "+01:00"
            contacts.append(contact("\(d)T09:15:00\(offset)", accompanied: true))
            contacts.append(contact("\(d)T09:45:00\(offset)", outcome: .appointment))
            contacts.append(contact("\(d)T14:10:00\(offset)", partners: ["dgfip", "caf"], situation: "taxes", channel: .phone, outcome: .referred))
        }
        #expect(workingDays == 63)  // 64 weekdays minus 1 January
        let r = report("2026-Q1") { $0.contacts = contacts }
        let summary = r.table("synthese")!
        #expect(summary.value("visites", "valeur") == "189")
        #expect(summary.value("jours_ouvres_avec_visite", "valeur") == "63")
        #expect(summary.value("heure_de_pointe", "valeur") == "09h")
        #expect(summary.value("visites_resolues_sur_place", "valeur") == "0.333")
        #expect(r.table("demandes-par-partenaire")?.value("caf", "visites") == "189")
        #expect(r.table("demandes-par-partenaire")?.value("dgfip", "visites") == "63")
        #expect(r.table("demandes-par-situation")?.value("taxes", "visites") == "63")
        #expect(r.table("demandes-par-situation")?.value("", "visites") == "126")
        #expect(r.table("canaux")?.value("phone", "visites") == "63")
        #expect(r.table("issues")?.value("referred", "visites") == "63")
        #expect(r.table("heures-de-pointe")?.value("09h", "visites") == "126")
        #expect(r.table("heures-de-pointe")?.value("14h", "visites") == "63")
        // January has 21 working days (1 Jan off), February 20, March 22.
        #expect(r.table("frequentation-par-mois")?.rows.map { $0[1] } == ["63", "60", "66"])
        #expect(r.table("frequentation-par-jour")?.value("2026-01-01", "visites") == "0")
        #expect(r.table("frequentation-par-jour")?.value("2026-01-02", "visites") == "3")
        // ISO weeks: 2026-01-01 is a Thursday, so the quarter opens in 2026-W01.
        #expect(r.table("frequentation-par-semaine")?.rows.first?[0] == "2026-W01")
        #expect(r.table("frequentation-par-semaine")?.value("2026-W01", "visites") == "3")
        #expect(r.table("frequentation-par-semaine")?.value("2026-W02", "visites") == "15")
    }

    @Test func theDaylightSavingWeekCountsLocalDaysAndHours() {
        // 29 March 2026: clocks go from 02:00 to 03:00 in Paris.
        let r = report("2026-03") {
            $0.contacts = [
                contact("2026-03-28T23:30:00+01:00"),  // Saturday evening
                contact("2026-03-29T00:30:00+01:00"),  // Sunday, before the change
                contact("2026-03-29T03:30:00+02:00"),  // Sunday, after the change (01:30 UTC)
                contact("2026-03-29T23:59:00+02:00"),  // Sunday, last minute
                contact("2026-03-30T00:00:00+02:00"),  // Monday midnight
            ]
        }
        let days = r.table("frequentation-par-jour")!
        #expect(days.value("2026-03-28", "visites") == "1")
        #expect(days.value("2026-03-29", "visites") == "3")
        #expect(days.value("2026-03-30", "visites") == "1")
        let hours = r.table("heures-de-pointe")!
        #expect(hours.value("03h", "visites") == "1")
        #expect(hours.value("02h", "visites") == nil)  // a wall hour that did not exist that night, and no visit in it
        #expect(hours.value("23h", "visites") == "2")
        #expect(r.table("frequentation-par-semaine")?.value("2026-W13", "visites") == "4")
        #expect(r.table("frequentation-par-semaine")?.value("2026-W14", "visites") == "1")
    }

    @Test func aClosureWeekShowsNoVisitsAndTheClosureIsCounted() {
        let closure = Closure(id: "c", span: TimeSpan(at("2026-02-16T00:00:00+01:00"), at("2026-02-21T00:00:00+01:00")), reason: "Travaux",
                              announcedAt: at("2026-01-10T10:00:00+01:00"), emergency: false)
        let urgent = Closure(id: "u", span: TimeSpan(at("2026-02-27T13:30:00+01:00"), at("2026-02-27T17:30:00+01:00")), reason: "Panne",
                             announcedAt: at("2026-02-27T08:00:00+01:00"), emergency: true)
        let withdrawn = Closure(id: "w", span: TimeSpan(at("2026-02-05T09:00:00+01:00"), at("2026-02-05T12:00:00+01:00")), reason: "Annulée",
                                announcedAt: at("2026-01-10T10:00:00+01:00"), emergency: false, withdrawn: true)
        let r = report("2026-02") {
            $0.contacts = [contact("2026-02-13T10:00:00+01:00"), contact("2026-02-23T10:00:00+01:00")]
            $0.closures = [closure, urgent, withdrawn]
        }
        #expect(r.table("frequentation-par-semaine")?.value("2026-W08", "visites") == "0")
        #expect(r.table("frequentation-par-semaine")?.value("2026-W07", "visites") == "1")
        #expect(r.table("synthese")?.value("fermetures_exceptionnelles", "valeur") == "2")
        #expect(r.table("synthese")?.value("fermetures_urgence", "valeur") == "1")
    }

    @Test func aPeriodStraddlingTwoQuartersCountsBothSidesAndNothingOutside() {
        let r = report("2026-03-15..2026-04-15") {
            $0.contacts = [
                contact("2026-03-14T23:59:00+01:00"), contact("2026-03-16T10:00:00+01:00"), contact("2026-03-31T17:00:00+02:00"),
                contact("2026-04-01T09:00:00+02:00"), contact("2026-04-15T23:59:00+02:00"), contact("2026-04-16T00:00:00+02:00"),
            ]
        }
        #expect(r.table("synthese")?.value("visites", "valeur") == "4")
        #expect(r.table("frequentation-par-mois")?.rows.map { $0 } == [["2026-03", "2"], ["2026-04", "2"]])
        #expect(r.table("frequentation-par-jour")?.rows.count == 32)
    }

    @Test func stationReferralsAppointmentsAndSatisfactionAreCounted() {
        func use(_ when: String, caf: Bool, accompanied: Bool, printed: Int = 0) -> StationUse {
            StationUse(id: UUID().uuidString, station: "poste-1", start: at(when), end: at(when).addingTimeInterval(900), lifeSituations: [],
                       partnerSites: caf ? ["caf", "dgfip"] : ["dgfip"], pagesPrinted: printed, pagesScanned: 1, helpRequested: accompanied,
                       accompanied: accompanied)
        }
        let sent = at("2026-07-03T15:00:00+02:00")  // a Friday: due Wednesday 8 July 15:00
        func referral(_ answered: String?) -> Referral {
            Referral(id: UUID().uuidString, partner: "caf", referent: "ref", agent: "a", subject: "s", usagerName: nil, sentAt: sent,
                     deadline: WorkingTime.deadline(after: sent, hours: 72, zone: zone), answeredAt: answered.map(at))
        }
        func booking(_ status: BookingStatus, kind: BookingKind = .permanence) -> Booking {
            Booking(id: UUID().uuidString, kind: kind, partner: kind == .room ? nil : "caf", lifeSituation: nil, permanence: nil, visioSlot: nil,
                    room: "salle", specialist: nil, station: nil, span: TimeSpan(at("2026-07-07T09:00:00+02:00"), at("2026-07-07T09:30:00+02:00")),
                    status: status, usager: nil, createdAt: sent, updatedAt: sent, sequence: 0)
        }
        let r = report("2026-Q3") {
            $0.stationUses = [use("2026-07-01T10:00:00+02:00", caf: true, accompanied: true, printed: 3), use("2026-07-02T10:00:00+02:00", caf: true, accompanied: false),
                              use("2026-07-03T10:00:00+02:00", caf: false, accompanied: false, printed: 2), use("2026-08-03T10:00:00+02:00", caf: true, accompanied: false)]
            $0.referrals = [referral("2026-07-08T14:00:00+02:00"), referral("2026-07-08T16:00:00+02:00"), referral(nil)]
            $0.bookings = [booking(.done), booking(.checkedIn), booking(.noShow), booking(.cancelled), booking(.done, kind: .room)]
            $0.satisfaction = [5, 5, 4, 2, 9].map { SatisfactionAnswer(at: at("2026-07-10T12:00:00+02:00"), score: $0, source: "station") }
            $0.messages = [ContactMessage(id: "m1", receivedAt: sent, name: nil, email: nil, message: nil, answeredAt: sent.addingTimeInterval(3600)),
                           ContactMessage(id: "m2", receivedAt: sent, name: nil, email: nil, message: nil, answeredAt: nil)]
        }
        let station = r.table("postes-libre-service")!
        #expect(station.value("2026-07", "sessions") == "3")
        #expect(station.value("total", "accompagnees") == "1")
        #expect(station.value("total", "autonomes") == "3")
        #expect(station.value("total", "pages_imprimees") == "5")
        let caf = r.table("caf-point-numerique")!
        #expect(caf.value("2026-07", "visiteurs_services_caf") == "2")
        #expect(caf.value("2026-07", "part_accompagnes") == "0.500")
        #expect(caf.value("2026-08", "visiteurs_services_caf") == "1")
        #expect(caf.value("2026-09", "part_accompagnes") == "")
        let referrals = r.table("orientations")!
        #expect(referrals.value("total", "envoyees") == "3")
        #expect(referrals.value("total", "repondues") == "2")
        #expect(referrals.value("total", "repondues_sous_72h_ouvrees") == "1")
        #expect(referrals.value("total", "part_sous_72h_ouvrees") == "0.333")
        let appointments = r.table("rendez-vous")!
        #expect(appointments.rows.first { $0[0] == "permanence" } == ["permanence", "caf", "Caf", "2", "1", "1", "0"])
        #expect(appointments.rows.first { $0[0] == "room" } == ["room", "", "Agent France Services", "1", "0", "0", "0"])
        let summary = r.table("synthese")!
        #expect(summary.value("reponses_satisfaction", "valeur") == "4")  // the out-of-scale 9 is not counted
        #expect(summary.value("note_moyenne", "valeur") == "4.00")
        #expect(summary.value("part_satisfaits", "valeur") == "0.750")
        #expect(summary.value("part_messages_sous_72h", "valeur") == "0.500")
        #expect(r.table("satisfaction")?.value("5", "reponses") == "2")
    }

    @Test func csvQuotesWhatNeedsQuotingAndHTMLEscapesEverything() {
        let table = ReportTable(file: "t", title: "<b>T</b>", columns: ["a", "b"], rows: [["x, y", "il a dit \"non\""], ["<script>", "é"]],
                                chart: .init(labelColumn: 0, valueColumn: 1))
        #expect(CSVWriter.csv(table) == "a,b\r\n\"x, y\",\"il a dit \"\"non\"\"\"\r\n<script>,é\r\n")
        let html = HTMLReport.render(Report(title: "R & D", structure: "S", period: ReportPeriod("2026-Q1")!, generatedAt: Date(), tables: [table]))
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;"))
        #expect(html.contains("R &amp; D"))
        #expect(html.contains("<svg role=\"img\""))
    }

    @Test func theFrenchSpreadsheetDialectUsesSemicolonsDecimalCommasAndABOM() {
        let table = ReportTable(file: "t", title: "T", columns: ["mois", "heures", "part", "libelle"],
                                rows: [["2026-09", "37.50", "0.667", "a; b"], ["2026-10", "12", "", "1.2.3"]])
        #expect(CSVWriter.csv(table, dialect: .excelFR) == "\u{FEFF}mois;heures;part;libelle\r\n2026-09;37,50;0,667;\"a; b\"\r\n2026-10;12;;1.2.3\r\n")
        // The default stays RFC 4180 with a decimal point, for scripts.
        #expect(CSVWriter.csv(table).hasPrefix("mois,heures,part,libelle\r\n2026-09,37.50,0.667,a; b\r\n"))
    }

    @Test func sessionsStoredWithTheCafHostStillCountForTheCaf() {
        // Before the field test's fix a session stored the site's host ("www.caf.fr").
        let start = Timestamp.parse("2026-10-05T10:00:00+02:00")!
        let uses = [["www.caf.fr"], ["caf.fr", "www.impots.gouv.fr"], ["caf"], ["www.service-public.fr"]].enumerated().map { i, sites in
            StationUse(id: "s\(i)", station: "poste-1", start: start, end: start.addingTimeInterval(600), lifeSituations: [], partnerSites: sites,
                       pagesPrinted: 0, pagesScanned: 0, helpRequested: false, accompanied: i == 0)
        }
        let r = report("2026-10") { $0.stationUses = uses }
        #expect(r.table("caf-point-numerique")?.value("2026-10", "visiteurs_services_caf") == "3")
        #expect(r.table("caf-point-numerique")?.value("2026-10", "accompagnes") == "1")
    }
}
