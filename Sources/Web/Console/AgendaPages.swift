import OfficeKit
import StructureConfig
import Agenda
import Foundation
import Hummingbird
import Station
import Store

/// "Aujourd'hui" and "Semaine": the day's arrivals and the week's calendar.
struct AgendaPages: ConsoleSection {
    let office: Office
    let pages: WebPages

    func addRoutes(to console: RouterGroup<ConsoleContext>, managers: RouterGroup<ConsoleContext>) {
        console.get(use: today)
        console.get("week", use: week)
        console.post("help/{id}/resolve", use: resolveHelp)
        console.post("help/{id}/accompanied", use: markAccompanied)
    }

    /// A row of the day's table, actions included.
    func arrivalRow(_ b: Booking, now: Date, csrf: String) -> String {
        let e = BookingHTML.e
        let time = kit.time(b.span.start)
        return "<tr><td>\(time) – \(kit.time(b.span.end))</td><td>\(e(b.usager?.name ?? "(données effacées)"))</td>"
            + "<td>\(e(ConsoleKit.kindFrench(b.kind))) · \(e(kit.partnerName(b.partner)))</td><td>\(e(kit.roomName(b.room)))</td>"
            + "<td><span class=\"badge \(b.status.rawValue)\">\(ConsoleKit.statusFrench(b.status))</span></td>"
            + "<td>\(BookingHTML.actions(b, now: now, time: time, csrf: csrf, back: "today", dayActions: true))</td></tr>"
    }

    @Sendable func today(_ request: Request, context: ConsoleContext) async throws -> Response {
        let now = office.clock()
        let date = kit.zone.localDate(now)
        let day = kit.zone.day(date)
        let bookings = try await office.database.bookings(overlapping: day).filter { $0.status != .cancelled }
        let specialists = Dictionary(uniqueKeysWithValues: try await office.database.specialists().map { ($0.id, $0.displayName) })
        let permanences = try await office.database.permanences().flatMap { p in
            p.occurrences(from: date, to: date, zone: kit.zone).map { span in (p, span) }
        }.sorted { $0.1.start < $1.1.start }.map { p, span -> [String: Any] in
            ["time": "\(kit.time(span.start)) – \(kit.time(span.end))", "partner": kit.partnerName(p.partner),
             "who": specialists[p.specialist] ?? p.specialist, "room": kit.roomName(p.room)]
        }
        let confidential = office.structure.confidentialRoom?.id
        let roomUse = bookings.filter { $0.room == confidential }.map {
            ["time": "\(kit.time($0.span.start)) – \(kit.time($0.span.end))", "what": ConsoleKit.kindFrench($0.kind), "partner": kit.partnerName($0.partner)]
        }
        let stationNames = Dictionary(uniqueKeysWithValues: office.structure.stations.map { ($0.id, $0.name) })
        let help = try await office.database.openHelpRequests().map { h -> [String: Any] in
            [
                "id": h.id, "station": stationNames[h.station] ?? h.station, "stationId": h.station, "since": kit.time(h.at),
                "outOfService": h.reason == .outOfService, "message": h.message ?? "", "inSession": h.session != nil,
                "language": h.language.map(StationLanguage.frenchName) ?? false,
            ]
        }
        let soon = now.addingTimeInterval(24 * 3600)
        let referrals = try await office.database.referrals(openOrSentSince: now).filter {
            $0.closedAt == nil && $0.answeredAt == nil && $0.deadline <= soon
        }.map { r -> [String: Any] in
            ["id": r.id, "partner": kit.partnerName(r.partner), "deadline": kit.dateTime(r.deadline), "overdue": r.status(at: now) == .overdue]
        }
        let openMessages = try await office.database.messages(openOrSince: now).filter { $0.answeredAt == nil }
        let plan = try await office.database.hoursPlan(default: office.structure, now: now)
        let hours = Self.hoursText(plan.calendar, date)
        let closures = try await office.database.closures(overlapping: day).filter { !$0.withdrawn }
        // Notices given up within the week, for appointments still ahead: an agent phones.
        let unsent = try await office.database.givenUpNotices(since: now.addingTimeInterval(-7 * 86400), now: now).map { n -> [String: Any] in
            ["what": "\(Self.noticeFrench(n.kind)) par \(n.channel == .sms ? "SMS" : "e-mail")", "name": n.booking.usager?.name ?? "", "phone": n.booking.usager?.phone ?? "", "when": kit.dateTime(n.booking.span.start)]
        }
        return kit.page(
            "today", title: "Aujourd’hui", section: "today", context: context,
            [
                "day": kit.dayTitle(date), "hours": hours,
                "closures": closures.map { ["reason": $0.reason, "time": "\(kit.time($0.span.start)) – \(kit.time($0.span.end))"] },
                "arrivalsHTML": bookings.sorted { $0.span.start < $1.span.start }.map { arrivalRow($0, now: now, csrf: context.csrf) }
                    .joined(separator: "\n"),
                "hasArrivals": !bookings.isEmpty, "permanences": permanences, "hasPermanences": !permanences.isEmpty,
                "roomUse": roomUse, "hasRoomUse": !roomUse.isEmpty, "roomName": confidential.map(kit.roomName) ?? "",
                "help": help, "hasHelp": !help.isEmpty, "openMessages": openMessages.count,
                "overdueMessages": openMessages.filter { $0.overdue(at: now) }.count,
                "hasOverdueMessages": openMessages.contains { $0.overdue(at: now) }, "referrals": referrals, "hasReferrals": !referrals.isEmpty,
                "unsentNotices": unsent, "hasUnsentNotices": !unsent.isEmpty,
            ], notice: Notices.text(request))
    }

    static func noticeFrench(_ kind: NoticeKind) -> String {
        switch kind {
        case .confirmation: "Confirmation"
        case .reminder: "Rappel"
        case .moved: "Rendez-vous déplacé"
        case .cancelled: "Rendez-vous annulé"
        case .closure: "Fermeture sur le rendez-vous"
        }
    }

    @Sendable func week(_ request: Request, context: ConsoleContext) async throws -> Response {
        let now = office.clock()
        let asked = request.uri.queryParameters["date"].flatMap { LocalDate(iso: String($0)) }
        let anchor = asked.flatMap { LocalDate.acceptedYears.contains($0.year) ? $0 : nil } ?? kit.zone.localDate(now)
        let monday = anchor.adding(days: -(anchor.weekday.rawValue - 1))
        let span = TimeSpan(kit.zone.day(monday).start, kit.zone.day(monday.adding(days: 6)).end)
        let plan = try await office.database.hoursPlan(default: office.structure, now: now)
        let bookings = try await office.database.bookings(overlapping: span).filter { $0.status != .cancelled }
        let closures = try await office.database.closures(overlapping: span).filter { !$0.withdrawn }
        let permanences = try await office.database.permanences()
        let visio = try await office.database.visioSlots(overlapping: span).filter { !$0.cancelled }
        let specialists = Dictionary(uniqueKeysWithValues: try await office.database.specialists().map { ($0.id, $0.displayName) })
        let days: [[String: Any]] = (0..<7).map { offset in
            let date = monday.adding(days: offset)
            let daySpan = kit.zone.day(date)
            let e = BookingHTML.e
            func block(_ kind: String, _ span: TimeSpan, _ label: String, _ detail: String, _ extra: String = "") -> (Date, String) {
                (span.start, "<div class=\"event \(kind)\"><strong>\(kit.time(span.start)) – \(kit.time(span.end))</strong> \(e(label))<br>"
                    + "<span class=\"hint\">\(e(detail))</span>\(extra)</div>")
            }
            var events: [(Date, String)] = []
            for p in permanences {
                for occurrence in p.occurrences(from: date, to: date, zone: kit.zone) {
                    events.append(block("permanence", occurrence, "Permanence \(kit.partnerName(p.partner))",
                                        "\(specialists[p.specialist] ?? p.specialist) · \(kit.roomName(p.room))"))
                }
            }
            for v in visio where v.span.overlaps(daySpan) {
                events.append(block("visio", v.span, "Créneau visio \(kit.partnerName(v.partner))",
                                    "\(specialists[v.specialist] ?? v.specialist) · \(kit.roomName(v.room))"))
            }
            for b in bookings where b.span.overlaps(daySpan) {
                events.append(block(
                    "booking", b.span, "\(b.usager?.name ?? "Rendez-vous") — \(ConsoleKit.kindFrench(b.kind))",
                    "\(kit.partnerName(b.partner)) · \(kit.roomName(b.room)) · \(ConsoleKit.statusFrench(b.status))",
                    BookingHTML.actions(b, now: now, time: kit.time(b.span.start), csrf: context.csrf, back: "week", dayActions: false)))
            }
            let closed = closures.filter { $0.span.overlaps(daySpan) }.map {
                ["reason": $0.reason, "emergency": $0.emergency, "time": "\(kit.dateTime($0.span.start)) → \(kit.dateTime($0.span.end))"] as [String: Any]
            }
            let hours = Self.hoursText(plan.calendar, date)
            return [
                "title": kit.dayTitle(date), "iso": date.description, "hours": hours,
                "closures": closed, "eventsHTML": events.sorted { $0.0 < $1.0 }.map(\.1).joined(separator: "\n"), "empty": events.isEmpty,
            ]
        }
        let weekTitle = "Semaine du \(kit.dayTitle(monday).prefix(1).lowercased())\(kit.dayTitle(monday).dropFirst())"
        return kit.page(
            "week", title: weekTitle, section: "week", context: context,
            ["days": days, "previous": monday.adding(days: -7).description, "next": monday.adding(days: 7).description,
            ],
            notice: Notices.text(request))
    }

    /// The agent helped the usager at the station: the session counts as accompanied.
    @Sendable func markAccompanied(_ request: Request, context: ConsoleContext) async throws -> Response {
        let agent = context.agent
        let id = try context.parameters.require("id")
        try await office.database.markAccompanied(helpRequest: id)
        try await office.database.resolveHelpRequest(id: id, agent: agent.id, now: office.clock())
        return .redirect(to: "/console?done=help")
    }

    @Sendable func resolveHelp(_ request: Request, context: ConsoleContext) async throws -> Response {
        let agent = context.agent
        let id = try context.parameters.require("id")
        // An out-of-service alert is resolved by putting the checked station back in service.
        if let alert = try await office.database.openHelpRequests().first(where: { $0.id == id && $0.reason == .outOfService }) {
            try? await office.stations[alert.station]?.reset()
        }
        try await office.database.resolveHelpRequest(id: id, agent: agent.id, now: office.clock())
        return .redirect(to: "/console?done=help")
    }

    /// A day's hours as agents read them: the plan in force that day, or why it is closed.
    static func hoursText(_ calendar: OpeningCalendar, _ date: LocalDate) -> String {
        if let holiday = calendar.closedHoliday(date) { return "Fermé (jour férié : \(holiday))" }
        let hours = calendar.ranges(on: date).map { "\($0.start) – \($0.end)" }.joined(separator: ", ")
        return hours.isEmpty ? "Fermé" : hours
    }
}

/// The one-line confirmations shown after a redirect (`?done=…`).
enum Notices {
    static let texts: [String: String] = [
        "booked": "Rendez-vous enregistré.", "check-in": "Arrivée enregistrée.", "no-show": "Absence enregistrée.",
        "done": "Rendez-vous terminé.", "cancel": "Rendez-vous annulé.", "moved": "Rendez-vous déplacé.",
        "contact": "Visite enregistrée.", "referral": "Orientation envoyée.", "answered": "Réponse enregistrée.",
        "closed": "Orientation clôturée.", "mandate": "Mandat enregistré.", "withdrawn": "Retrait enregistré.",
        "hours": "Horaires enregistrés.", "closure": "Fermeture annoncée.", "closure-withdrawn": "Fermeture retirée.",
        "agent": "Compte créé.", "permanence": "Permanence programmée.", "message": "Message marqué comme répondu.", "help": "Demande d’aide traitée.", "purge": "Purge effectuée.",
        "visio-admit": "Le ou la spécialiste entre : l’appel démarre.", "visio-admit-guest": "Le participant invité entre dans l’appel.",
        "visio-invite": "Participant invité : envoyez-lui son lien (il ouvre en même temps que celui du ou de la spécialiste).",
        "visio-withdraw": "Invitation retirée : son lien ne s’ouvre plus.", "visio-hang-up": "Appel terminé.",
        "device-revoked": "Poste révoqué : sa clé ne vaut plus rien.",
    ]

    static func text(_ request: Request) -> String? {
        request.uri.queryParameters["done"].flatMap { texts[String($0)] }
    }
}
