import OfficeKit
import Agenda
import Foundation
import Hummingbird
import Store
import StructureConfig

/// `GET /`: the structure's public page (hours, today's status, closures, partners and
/// services, calendar link) and `POST /contact`, its contact form.
struct PublicPage {
    let office: Office
    let pages: WebPages
    var zone: StructureTimeZone { office.structure.timeZone }

    func addRoutes(to router: Router<GuichetRequestContext>) {
        router.get("/", use: page)
        router.post("contact", use: contact)
    }

    /// Open, closed, or closing within 30 minutes, from the opening calendar (today's plan,
    /// public holidays) and the closures.
    func status(now: Date, opening: OpeningCalendar, closures: [Closure]) -> (key: String, text: String) {
        if let closure = closures.first(where: { $0.span.contains(now) }) {
            return ("closed", "Fermé exceptionnellement aujourd’hui : \(closure.reason)")
        }
        let local = zone.local(now)
        if let holiday = opening.closedHoliday(local.date) { return ("closed", "Fermé aujourd’hui : jour férié (\(holiday))") }
        let ranges = opening.ranges(on: local.date)
        if let range = ranges.first(where: { $0.start.minutes <= local.time.minutes && local.time.minutes < $0.end.minutes }) {
            if range.end.minutes - local.time.minutes <= 30 { return ("closing", "Ouvert, ferme bientôt (à \(range.end))") }
            return ("open", "Ouvert maintenant, jusqu’à \(range.end)")
        }
        if let next = ranges.first(where: { $0.start.minutes > local.time.minutes }) {
            return ("closed", "Fermé pour le moment, ouvre à \(next.start)")
        }
        return ("closed", "Fermé pour aujourd’hui")
    }

    func render(values extra: [String: Any] = [:], status code: HTTPResponse.Status = .ok) async throws -> Response {
        let s = office.structure
        let now = office.clock()
        let plan = try await office.database.hoursPlan(default: s, now: now)
        let closures = try await office.database.closures(overlapping: TimeSpan(now.addingTimeInterval(-86_400), now.addingTimeInterval(90 * 86_400)))
            .filter { !$0.withdrawn }
        let todayDate = zone.localDate(now)
        let today = todayDate.weekday
        let state = status(now: now, opening: plan.calendar, closures: closures)
        let kit = ConsoleKit(office: office, pages: pages)
        func weekRows(_ hours: WeeklyHours, marksToday: Bool) -> [[String: Any]] {
            Weekday.allCases.map { day in
                let ranges = hours.ranges(on: day).map { "\($0.start) – \($0.end)" }.joined(separator: ", ")
                return ["name": day.french.capitalizedFirst, "hours": ranges.isEmpty ? "Fermé" : ranges, "today": marksToday && day == today]
            }
        }
        // Public holidays of the next 90 days: closed unless declared open.
        let holidays = plan.calendar.holidays(from: todayDate, through: todayDate.adding(days: 89)).filter { !$0.open }
            .map { ["date": kit.dayTitle($0.date), "name": $0.name] }
        let upcoming = plan.calendar.upcoming(after: todayDate).map { change -> [String: Any] in
            ["from": kit.dayTitle(change.effectiveFrom), "days": weekRows(change.hours, marksToday: false)]
        }
        var themeOrder: [String] = []
        for situation in s.lifeSituations where !themeOrder.contains(situation.theme) { themeOrder.append(situation.theme) }
        let themes = themeOrder.map { theme in
            ["theme": theme, "situations": s.lifeSituations.filter { $0.theme == theme }.map { ["title": $0.titleFrench] }] as [String: Any]
        }
        var values: [String: Any] = [
            "structure": s.name, "address": s.address, "phone": s.phone, "structureEmail": s.email,
            "status": state.text, "statusKey": state.key,
            "days": weekRows(plan.hours, marksToday: true),
            "holidays": holidays, "hasHolidays": !holidays.isEmpty, "upcoming": upcoming,
            "closures": closures.filter { $0.span.end > now }.map {
                ["from": kit.dateTime($0.span.start), "to": kit.dateTime($0.span.end), "reason": $0.reason, "emergency": $0.emergency]
            },
            "partners": s.partners.map { ["name": $0.name, "website": $0.website] },
            "themes": themes, "token": office.formTokens.issue(now: now),
            "selfBooking": try await office.database.selfBookingPolicy().enabled,
            "name": "", "email": "", "message": "", "error": false, "sent": false,
        ]
        values.merge(extra) { $1 }
        values["hasClosures"] = !((values["closures"] as? [Any])?.isEmpty ?? true)
        return pages.console.page("public", values, status: code)
    }

    @Sendable func page(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        try await render(values: ["sent": request.uri.queryParameters["sent"] == "1"])
    }

    static let maximumBody = 16 * 1024

    @Sendable func contact(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/x-www-form-urlencoded") else {
            return try await render(values: ["error": "Le message doit être envoyé depuis le formulaire de cette page."], status: .unsupportedMediaType)
        }
        guard let buffer = try? await request.body.collect(upTo: Self.maximumBody) else {
            return try await render(values: ["error": "Votre message est trop long (4 000 caractères au plus)."], status: .contentTooLarge)
        }
        let form = FormData(String(buffer: buffer))
        let name = form["name"] ?? "", email = form["email"] ?? "", message = form["message"] ?? ""
        let kept: [String: Any] = ["name": name, "email": email, "message": message]
        func refuse(_ text: String, _ status: HTTPResponse.Status = .unprocessableContent) async throws -> Response {
            var values = kept
            values["error"] = text
            return try await render(values: values, status: status)
        }
        let now = office.clock()
        // Robots: a filled hidden field, no or reused token, or a form sent in under 3 seconds.
        if !(form["website"] ?? "").isEmpty { return try await refuse("Envoi refusé.", .forbidden) }
        switch office.formTokens.redeem(form["token"] ?? "", now: now) {
        case .unknownOrExpired: return try await refuse("Le formulaire a expiré : vérifiez votre message et envoyez-le à nouveau.", .forbidden)
        case .tooFast: return try await refuse("Envoi trop rapide : relisez votre message et envoyez-le à nouveau.", .forbidden)
        case .fresh: break
        }
        guard (1...120).contains(name.count) else { return try await refuse("Indiquez votre nom (120 caractères au plus).") }
        guard email.count <= 254, email.split(separator: "@").count == 2, email.split(separator: "@")[1].contains("."), !email.contains(" ") else {
            return try await refuse("Indiquez une adresse électronique valide, pour que nous puissions vous répondre.")
        }
        guard (10...4000).contains(message.count) else { return try await refuse("Votre message doit compter de 10 à 4 000 caractères.") }
        let lowered = message.lowercased()
        if lowered.contains("<script") || lowered.contains("javascript:") || lowered.components(separatedBy: "http").count > 4 {
            return try await refuse("Votre message contient du code ou trop de liens : retirez-les et envoyez-le à nouveau.")
        }
        guard office.formTokens.allowSend(from: context.clientAddress, now: now) else {
            return try await refuse("Trop de messages envoyés depuis cet appareil : réessayez dans une heure ou appelez-nous.", .tooManyRequests)
        }
        _ = try await office.database.receiveMessage(name: name, email: email, message: message, now: now)
        return .redirect(to: "/?sent=1#contact")
    }
}
