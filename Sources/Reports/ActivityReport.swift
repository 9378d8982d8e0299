import Agenda
import Foundation

/// The activity report a structure owes (quarterly, or over any period): attendance,
/// requests, channels, outcomes, station use, appointments, referrals, satisfaction, the
/// Caf Point numérique's monthly figures and the quality indicators.
public enum ActivityReport {
    public static func compute(_ data: ReportData, generatedAt: Date) -> Report {
        let zone = data.structure.timeZone
        let span = data.period.span(in: zone)
        let contacts = data.contacts.filter { span.contains($0.at) }
        let uses = data.stationUses.filter { span.contains($0.start) }
        let bookings = data.bookings.filter { span.contains($0.span.start) }
        let referrals = data.referrals.filter { span.contains($0.sentAt) }
        let answers = data.satisfaction.filter { span.contains($0.at) && SatisfactionAnswer.scale.contains($0.score) }
        let messages = data.messages.filter { span.contains($0.receivedAt) }
        let partnerName = Dictionary(uniqueKeysWithValues: data.structure.partners.map { ($0.id, $0.name) })

        var tables: [ReportTable] = []

        // Attendance: per day, ISO week, month; peak hours. Local times are computed once per
        // record: the time-zone lookup is the costliest step of a quarter's report.
        let localOf = contacts.map { zone.local($0.at) }
        let dayOf = localOf.map(\.date)
        var perDay: [LocalDate: Int] = [:]
        for d in dayOf { perDay[d, default: 0] += 1 }
        tables.append(ReportTable(
            file: "frequentation-par-jour", title: "Visites par jour", columns: ["date", "jour", "visites"],
            rows: data.period.days.map { [$0.description, $0.weekday.french, "\(perDay[$0] ?? 0)"] }))
        var weeks: [(String, LocalDate, Int)] = []
        for day in data.period.days {
            let key = isoWeek(day)
            if weeks.last?.0 == key { weeks[weeks.count - 1].2 += perDay[day] ?? 0 } else { weeks.append((key, day, perDay[day] ?? 0)) }
        }
        tables.append(ReportTable(
            file: "frequentation-par-semaine", title: "Visites par semaine", columns: ["semaine", "premier_jour", "visites"],
            rows: weeks.map { [$0.0, $0.1.description, "\($0.2)"] }, chart: .init(labelColumn: 0, valueColumn: 2)))
        let months = monthKeys(data.period)
        var perMonth: [String: Int] = [:]
        for d in dayOf { perMonth[monthKey(d), default: 0] += 1 }
        tables.append(ReportTable(
            file: "frequentation-par-mois", title: "Visites par mois", columns: ["mois", "visites"],
            rows: months.map { [$0, "\(perMonth[$0] ?? 0)"] }))
        var perHour = [Int](repeating: 0, count: 24)
        for local in localOf { perHour[local.time.hour] += 1 }
        let plans = data.opening.plans(over: data.period.days)
        let open = Set(plans.flatMap { plan in Weekday.allCases.flatMap { plan.ranges(on: $0) } }.flatMap { $0.start.hour...max($0.start.hour, ($0.end.minutes - 1) / 60) })
        let hours = (0..<24).filter { open.contains($0) || perHour[$0] > 0 }
        tables.append(ReportTable(
            file: "heures-de-pointe", title: "Visites selon l’heure d’arrivée", columns: ["heure", "visites"],
            rows: hours.map { [String(format: "%02dh", $0), "\(perHour[$0])"] }, chart: .init(labelColumn: 0, valueColumn: 1)))

        // Requests by partner and life situation, channel, outcome.
        var byPartner: [String: Int] = [:]
        for c in contacts { for p in c.partners { byPartner[p, default: 0] += 1 } }
        tables.append(ReportTable(
            file: "demandes-par-partenaire", title: "Demandes par partenaire", columns: ["partenaire_id", "partenaire", "visites"],
            rows: data.structure.partners.map { [$0.id, $0.name, "\(byPartner[$0.id] ?? 0)"] }
                + [["", "Information générale (sans partenaire)", "\(contacts.filter(\.partners.isEmpty).count)"]],
            chart: .init(labelColumn: 1, valueColumn: 2)))
        var bySituation: [String: Int] = [:]
        for c in contacts { bySituation[c.lifeSituation ?? "", default: 0] += 1 }
        tables.append(ReportTable(
            file: "demandes-par-situation", title: "Demandes par situation de vie", columns: ["situation_id", "situation", "visites"],
            rows: data.structure.lifeSituations.map { [$0.id, $0.titleFrench, "\(bySituation[$0.id] ?? 0)"] }
                + [["", "Non précisée", "\(bySituation[""] ?? 0)"]]))
        tables.append(ReportTable(
            file: "canaux", title: "Canal de contact", columns: ["canal", "libelle", "visites"],
            rows: ContactChannel.allCases.map { ch in [ch.rawValue, ch.french, "\(contacts.filter { $0.channel == ch }.count)"] }))
        tables.append(ReportTable(
            file: "issues", title: "Issue des visites", columns: ["issue", "libelle", "visites"],
            rows: ContactOutcome.allCases.map { o in [o.rawValue, o.french, "\(contacts.filter { $0.outcome == o }.count)"] },
            chart: .init(labelColumn: 1, valueColumn: 2)))

        // The self-service station, month by month.
        let usesByMonth = Dictionary(grouping: uses) { monthKey(zone.localDate($0.start)) }
        func usesIn(_ month: String) -> [StationUse] { usesByMonth[month] ?? [] }
        tables.append(ReportTable(
            file: "postes-libre-service", title: "Postes en libre-service",
            columns: ["mois", "sessions", "accompagnees", "autonomes", "pages_imprimees", "pages_numerisees", "demandes_aide"],
            rows: (months + ["total"]).map { m in
                let u = m == "total" ? uses : usesIn(m)
                let accompanied = u.filter(\.accompanied).count
                return [m, "\(u.count)", "\(accompanied)", "\(u.count - accompanied)", "\(u.reduce(0) { $0 + $1.pagesPrinted })",
                        "\(u.reduce(0) { $0 + $1.pagesScanned })", "\(u.filter(\.helpRequested).count)"]
            }))

        // The station's languages: sessions by the language their screens were shown in.
        let languages = Dictionary(grouping: uses) { $0.language ?? "" }.mapValues(\.count)
        tables.append(ReportTable(
            file: "postes-par-langue", title: "Sessions des postes par langue", columns: ["langue", "libelle", "sessions"],
            rows: LanguageLines.lines(languages)))

        // Caf Point numérique: visitors who used Caf online services, share accompanied.
        tables.append(ReportTable(
            file: "caf-point-numerique", title: "Point numérique Caf (chiffres mensuels)",
            columns: ["mois", "visiteurs_services_caf", "accompagnes", "part_accompagnes"],
            rows: months.map { m in
                let caf = usesIn(m).filter { $0.partnerSites.contains { data.structure.partners(forSite: $0).contains("caf") } }
                let accompanied = caf.filter(\.accompanied).count
                return [m, "\(caf.count)", "\(accompanied)", share(accompanied, caf.count)]
            }))

        // Appointments: permanences, visio, with an agent.
        var appointmentRows: [[String]] = []
        for kind in [BookingKind.permanence, .visio, .room] {
            let ofKind = bookings.filter { $0.kind == kind }
            let partners = Set(ofKind.map { $0.partner ?? "" }).sorted()
            for p in partners {
                let b = ofKind.filter { ($0.partner ?? "") == p }
                appointmentRows.append([
                    kind.rawValue, p, p.isEmpty ? "Agent France Services" : (partnerName[p] ?? p),
                    "\(b.filter { $0.status == .done || $0.status == .checkedIn }.count)", "\(b.filter { $0.status == .cancelled }.count)",
                    "\(b.filter { $0.status == .noShow }.count)", "\(b.filter { $0.status == .booked }.count)",
                ])
            }
        }
        tables.append(ReportTable(
            file: "rendez-vous", title: "Rendez-vous (permanences, visio, agents)",
            columns: ["type", "partenaire_id", "partenaire", "tenus", "annules", "absents", "non_clotures"], rows: appointmentRows))

        // Referrals to partner referents.
        let referralPartners = Set(referrals.map(\.partner)).sorted()
        tables.append(ReportTable(
            file: "orientations", title: "Orientations vers les référents partenaires",
            columns: ["partenaire_id", "partenaire", "envoyees", "repondues", "repondues_sous_72h_ouvrees", "part_sous_72h_ouvrees"],
            rows: (referralPartners + ["total"]).map { p in
                let r = p == "total" ? referrals : referrals.filter { $0.partner == p }
                let inTime = r.filter(\.answeredInTime).count
                return [p, p == "total" ? "Total" : (partnerName[p] ?? p), "\(r.count)", "\(r.filter { $0.answeredAt != nil }.count)", "\(inTime)",
                        share(inTime, r.count)]
            }))

        // Satisfaction.
        tables.append(ReportTable(
            file: "satisfaction", title: "Satisfaction des usagers", columns: ["note", "libelle", "reponses"],
            rows: SatisfactionAnswer.scale.reversed().map { s in [String(s), satisfactionLabel(s), "\(answers.filter { $0.score == s }.count)"] },
            chart: .init(labelColumn: 1, valueColumn: 2)))

        // Summary and quality indicators.
        let satisfied = answers.filter { $0.score >= 4 }.count
        let mean = answers.isEmpty ? "" : decimal(Double(answers.reduce(0) { $0 + $1.score }) / Double(answers.count))
        let peak = hours.max { perHour[$0] < perHour[$1] || (perHour[$0] == perHour[$1] && $0 > $1) }
        let weeklyHours = data.opening.weeklyMinutes(over: data.period.days)
        let closures = data.closures.filter { !$0.withdrawn && $0.span.overlaps(span) }
        let summary: [[String]] = [
            ["visites", "Visites enregistrées", "\(contacts.count)"],
            ["jours_ouvres_avec_visite", "Jours avec au moins une visite", "\(perDay.count)"],
            ["heure_de_pointe", "Heure de pointe", peak.map { perHour[$0] > 0 ? String(format: "%02dh", $0) : "" } ?? ""],
            ["visites_resolues_sur_place", "Part des visites résolues sur place", share(contacts.filter { $0.outcome == .resolved }.count, contacts.count)],
            ["sessions_postes", "Sessions sur les postes en libre-service", "\(uses.count)"],
            ["part_sessions_accompagnees", "Part des sessions accompagnées", share(uses.filter(\.accompanied).count, uses.count)],
            ["rendez_vous_tenus", "Rendez-vous tenus", "\(bookings.filter { $0.status == .done || $0.status == .checkedIn }.count)"],
            ["rendez_vous_absents", "Rendez-vous non honorés", "\(bookings.filter { $0.status == .noShow }.count)"],
            ["orientations", "Orientations vers un référent", "\(referrals.count)"],
            ["part_orientations_sous_72h", "Part des orientations répondues sous 72 h ouvrées", share(referrals.filter(\.answeredInTime).count, referrals.count)],
            ["messages_recus", "Messages reçus par le formulaire", "\(messages.count)"],
            ["part_messages_sous_72h", "Part des messages répondus sous 72 h", share(messages.filter(\.answeredInTime).count, messages.count)],
            ["reponses_satisfaction", "Réponses au questionnaire de satisfaction", "\(answers.count)"],
            ["note_moyenne", "Note moyenne de satisfaction (sur 5)", mean],
            ["part_satisfaits", "Part d’usagers satisfaits (4 ou 5)", share(satisfied, answers.count)],
            ["heures_ouverture_hebdo", "Heures d’ouverture par semaine", decimal(Double(weeklyHours) / 60)],
            ["fermetures_exceptionnelles", "Fermetures exceptionnelles", "\(closures.count)"],
            ["fermetures_urgence", "dont fermetures d’urgence (moins de 7 jours)", "\(closures.filter(\.emergency).count)"],
        ]
        tables.insert(ReportTable(file: "synthese", title: "Synthèse et indicateurs de qualité", columns: ["indicateur", "libelle", "valeur"], rows: summary), at: 0)

        return Report(
            title: "Rapport d’activité — \(data.period.label)", structure: data.structure.name, period: data.period, generatedAt: generatedAt,
            tables: tables)
    }

    static func satisfactionLabel(_ score: Int) -> String {
        ["Très insatisfait", "Insatisfait", "Moyennement satisfait", "Satisfait", "Très satisfait"][score - 1]
    }

    /// A share as a decimal fraction with 3 digits ("0.667"), empty when there is nothing to divide.
    static func share(_ part: Int, _ whole: Int) -> String {
        whole == 0 ? "" : decimal(Double(part) / Double(whole), digits: 3)
    }

    static func decimal(_ value: Double, digits: Int = 2) -> String {
        String(format: "%.\(digits)f", value)
    }

    static func monthKey(_ date: LocalDate) -> String { String(date.description.prefix(7)) }

    static func monthKeys(_ period: ReportPeriod) -> [String] {
        var keys: [String] = []
        for day in period.days where keys.last != monthKey(day) { keys.append(monthKey(day)) }
        return keys
    }

    /// ISO 8601 week, such as `2026-W27`: the week belongs to the year of its Thursday.
    static func isoWeek(_ date: LocalDate) -> String {
        let thursday = date.adding(days: 4 - date.weekday.rawValue)
        let jan1 = LocalDate(clampingYear: thursday.year, month: 1, day: 1)
        let week = jan1.days(until: thursday) / 7 + 1
        return "\(thursday.year)-W\(week < 10 ? "0" : "")\(week)"
    }
}
