import Agenda
import Foundation
import Hummingbird
import OfficeKit
import Store
import StructureConfig

/// `/rendez-vous`: a usager books for themselves, in as few touches as the choice allows —
/// the life situation, with whom (skipped when there is one answer), a time among one day's
/// big buttons, the name — and then sees, moves or cancels it with a short personal code.
/// Every step is a plain link or form (no script), in French or English (`lang`).
struct SelfBookingPages: ConsolePagesUser {
    let office: Office
    let pages: WebPages
    /// Page views of one address per hour on the code pages: a person reloads a few times, a
    /// robot guessing codes gets nowhere.
    static let codeViewsPerHour = 60
    static let bookingsPerAddressPerHour = 5

    func addRoutes(to router: Router<GuichetRequestContext>) {
        router.get("rendez-vous", use: step)
        router.post("rendez-vous", use: book)
        router.get("rendez-vous/{code}", use: show)
        router.post("rendez-vous/{code}/annuler", use: cancel)
        router.post("rendez-vous/{code}/deplacer", use: move)
    }

    // MARK: what the usager chose so far

    typealias Choice = SelfBookingChoice

    struct Visit {
        var language: String
        var t: [String: String]
        var situation: LifeSituation?
        var choice: Choice?
        var day: LocalDate?
        var slot: SlotChoice?
        /// The code of the booking being moved.
        var moving: String?

        /// The query that brings the usager back to this point, plus `extra`.
        func link(_ extra: [String: String] = [:]) -> String {
            var items: [(String, String)] = [("lang", language)]
            if let situation { items.append(("situation", situation.id)) }
            if let choice { items.append(("choice", choice.value)) }
            if let day { items.append(("day", day.description)) }
            if let moving { items.append(("deplacer", moving)) }
            for (key, value) in extra.sorted(by: { $0.key < $1.key }) {
                items.removeAll { $0.0 == key }
                items.append((key, value))
            }
            var components = URLComponents()
            components.path = "/rendez-vous"
            components.queryItems = items.map { URLQueryItem(name: $0.0, value: $0.1) }
            return components.string ?? "/rendez-vous"
        }
    }

    func language(_ asked: String?) -> String { asked == "en" ? "en" : "fr" }

    func visit(_ values: (String) -> String?) -> Visit {
        let language = language(values("lang"))
        let structure = office.structure
        return Visit(
            language: language, t: pages.texts(language),
            situation: values("situation").flatMap { id in structure.lifeSituations.first { $0.id == id } },
            choice: values("choice").flatMap(Choice.init),
            day: values("day").flatMap(LocalDate.init(iso:)).flatMap { LocalDate.acceptedYears.contains($0.year) ? $0 : nil },
            slot: values("slot").flatMap(SlotChoice.init),
            moving: values("deplacer").flatMap(SelfBookingCode.normalised))
    }

    // MARK: display

    func text(_ v: Visit) -> SelfBookingText { SelfBookingText(kit: kit, t: v.t, language: v.language) }

    func render(_ template: String, _ v: Visit, _ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let s = office.structure
        var all: [String: Any] = [
            "t": v.t, "lang": v.language, "structure": s.name, "phone": s.phone, "address": s.address,
            "otherLanguage": v.language == "en" ? "fr" : "en", "otherLanguageName": v.language == "en" ? "Français" : "English",
            "otherLanguageLink": Visit(language: v.language == "en" ? "fr" : "en", t: [:], situation: v.situation, choice: v.choice, day: v.day, slot: nil, moving: v.moving).link(),
        ]
        all.merge(values) { $1 }
        return pages.console.page(template, all, status: status)
    }

    // MARK: the steps

    var flow: SelfBookingFlow { SelfBookingFlow(database: office.database, structure: office.structure, slotMinutes: office.config.booking.slotMinutes) }

    @Sendable func step(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        if let typed = query["code"] {
            let lang = language(query["lang"].map(String.init))
            guard let code = SelfBookingCode.normalised(String(typed)) else {
                let v = visit { query[Substring($0)].map(String.init) }
                return try await situationsPage(v, error: v.t["bookNotFound"], status: .notFound)
            }
            return .redirect(to: "/rendez-vous/\(code)?lang=\(lang)", type: .normal)
        }
        var v = visit { query[Substring($0)].map(String.init) }
        let now = office.clock()
        let policy = try await office.database.selfBookingPolicy()
        if let code = v.moving {
            guard let found = try await office.database.selfBooking(code: code) else { return try await notFound(v) }
            v.choice = Choice(kind: found.booking.kind, partner: found.booking.partner)
            v.situation = found.booking.lifeSituation.flatMap { id in office.structure.lifeSituations.first { $0.id == id } }
        }
        guard policy.enabled else { return render("self-booking", v, ["closed": true]) }
        guard v.situation != nil || v.choice != nil else { return try await situationsPage(v) }
        if v.choice == nil {
            let offered = try await flow.choices(for: v.situation, policy: policy, now: now)
            if offered.count == 1 { v.choice = offered[0] } else {
                return render("self-booking", v, [
                    "stepChoice": true, "situationTitle": v.situation.map { text(v).title($0) } ?? "",
                    "choices": offered.map { ["label": text(v).with($0), "href": v.link(["choice": $0.value]), "visio": $0.kind == .visio] },
                    "none": offered.isEmpty, "back": v.link(["situation": ""]),
                ])
            }
        }
        guard let choice = v.choice else { return try await situationsPage(v) }
        if let slot = v.slot { return formPage(v, slot: slot, choice: choice, typed: [:]) }
        return try await slotsPage(v, choice: choice, policy: policy, now: now)
    }

    func situationsPage(_ v: Visit, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let policy = try await office.database.selfBookingPolicy()
        guard policy.enabled else { return render("self-booking", v, ["closed": true, "error": error ?? false], status: status) }
        var themes: [(String, [LifeSituation])] = []
        for s in flow.situations(policy: policy) {
            if let i = themes.firstIndex(where: { $0.0 == s.theme }) { themes[i].1.append(s) } else { themes.append((s.theme, [s])) }
        }
        return render("self-booking", v, [
            "stepSituation": true, "error": error ?? false,
            "themes": themes.map { theme in
                ["name": theme.0, "situations": theme.1.map { ["title": text(v).title($0), "href": v.link(["situation": $0.id])] }] as [String: Any]
            },
            "agent": policy.kinds.contains(.room), "agentHref": v.link(["choice": "agent"]),
        ], status: status)
    }

    func slotsPage(_ v: Visit, choice: Choice, policy: SelfBookingPolicy, now: Date) async throws -> Response {
        let day = try await flow.day(choice, asked: v.day, policy: policy, now: now)
        var values: [String: Any] = [
            "stepSlots": true, "with": text(v).with(choice), "none": day.none,
            "situationTitle": v.situation.map { text(v).title($0) } ?? "",
            "back": v.moving.map { "/rendez-vous/\($0)?lang=\(v.language)" } ?? v.link(["choice": "", "day": ""]),
        ]
        if let shown = day.date {
            values["dayTitle"] = text(v).dayTitle(shown)
            values["slots"] = day.slots.map { slot -> [String: Any] in
                ["time": kit.time(slot.span.start), "end": kit.time(slot.span.end), "href": v.link(["day": shown.description, "slot": SlotChoice(slot).value])]
            }
            if let previous = day.previous { values["previous"] = v.link(["day": previous.description]) }
            if let next = day.next { values["next"] = v.link(["day": next.description]) }
        }
        return render("self-booking", v, values)
    }

    func formPage(_ v: Visit, slot: SlotChoice, choice: Choice, typed: [String: String], error: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        let zone = office.structure.timeZone
        let date = zone.localDate(slot.span.start)
        return render("self-booking", v, [
            "stepForm": true, "with": text(v).with(choice), "situationTitle": v.situation.map { text(v).title($0) } ?? "",
            "when": text(v).when(slot.span),
            "slot": slot.value, "choice": choice.value, "situation": v.situation?.id ?? "",
            "token": office.formTokens.issue(now: office.clock()), "moving": v.moving ?? false,
            "action": v.moving.map { "/rendez-vous/\($0)/deplacer" } ?? "/rendez-vous",
            "name": typed["name"] ?? "", "phoneValue": typed["phone"] ?? "", "emailValue": typed["email"] ?? "", "consent": typed["consent"] != nil,
            "error": error ?? false, "back": v.link(["day": date.description, "slot": ""]),
        ], status: status)
    }

    func notFound(_ v: Visit) async throws -> Response {
        try await situationsPage(v, error: v.t["bookNotFound"], status: .notFound)
    }

    // MARK: booking, moving, cancelling

    /// The checks every public form passes first: the honeypot, a fresh one-use token, the address's rate.
    func screen(_ form: FormData, _ context: GuichetRequestContext, action: String, perHour: Int) -> (String, HTTPResponse.Status)? {
        let now = office.clock()
        if !(form["website"] ?? "").isEmpty { return ("Envoi refusé.", .forbidden) }
        switch office.formTokens.redeem(form["token"] ?? "", now: now) {
        case .unknownOrExpired: return ("La page a expiré : vérifiez votre choix et confirmez à nouveau. / This page expired: please confirm again.", .forbidden)
        case .tooFast: return ("Envoi trop rapide : relisez et confirmez à nouveau. / Sent too fast: please check and confirm again.", .forbidden)
        case .fresh: break
        }
        guard office.formTokens.allow("\(action) \(context.clientAddress)", perHour: perHour, now: now) else {
            return ("Trop de demandes depuis cet appareil : réessayez dans une heure ou appelez-nous. / Too many requests from this device: try again in an hour or call us.", .tooManyRequests)
        }
        return nil
    }

    @Sendable func book(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let form = try await FormData.read(request)
        let v = visit { form[$0] }
        guard let slot = v.slot, let choice = v.choice, slot.kind == choice.kind else { return try await situationsPage(v, status: .unprocessableContent) }
        var typed: [String: String] = [:]
        for key in ["name", "phone", "email"] { typed[key] = form[key] ?? "" }
        if form.has("consent") { typed["consent"] = "on" }
        func refuse(_ message: String, _ status: HTTPResponse.Status) -> Response {
            formPage(v, slot: slot, choice: choice, typed: typed, error: message, status: status)
        }
        if let (message, status) = screen(form, context, action: "self-booking", perHour: Self.bookingsPerAddressPerHour) { return refuse(message, status) }
        let english = v.language == "en"
        let consent = form.has("consent")
        let phone = form.nonEmpty("phone"), email = form.nonEmpty("email")
        if consent && phone == nil && email == nil {
            return refuse(english ? "Give a mobile phone or an e-mail address for the reminder, or untick the box." : "Indiquez un portable ou une adresse électronique pour le rappel, ou décochez la case.", .unprocessableContent)
        }
        if !consent && (phone != nil || email != nil) {
            return refuse(english ? "Tick the box to receive the confirmation and reminder, or clear the phone and address." : "Cochez la case pour recevoir la confirmation et le rappel, ou effacez le téléphone et l’adresse.", .unprocessableContent)
        }
        let bookingRequest = slot.request(lifeSituation: v.situation?.id, usager: Usager(name: form["name"] ?? "", phone: phone, email: email, reminderConsent: consent))
        do {
            let booked = try await office.createSelfBooking(bookingRequest)
            return .redirect(to: "/rendez-vous/\(booked.code)?lang=\(v.language)&fait=reserve", type: .normal)
        } catch let error as AgendaError {
            return refuse(english ? error.english : error.french, APIError(error).status)
        }
    }

    func code(_ context: GuichetRequestContext) -> String? { context.parameters.get("code").flatMap(SelfBookingCode.normalised) }

    @Sendable func show(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let v = visit { query[Substring($0)].map(String.init) }
        guard office.formTokens.allow("self-booking-view \(context.clientAddress)", perHour: Self.codeViewsPerHour, now: office.clock()) else {
            return render("self-booking", v, ["closed": false, "stepSituation": false, "error": v.t["bookNotFound"] ?? ""], status: .tooManyRequests)
        }
        guard let code = code(context), let found = try await office.database.selfBooking(code: code) else { return try await notFound(v) }
        return managePage(v, found, done: query["fait"].map(String.init))
    }

    func managePage(_ v: Visit, _ found: SelfBooked, done: String?, error: String? = nil, status: HTTPResponse.Status = .ok) -> Response {
        let b = found.booking
        let now = office.clock()
        let open = b.status == .booked && b.span.start > now
        return render("self-booking-manage", v, [
            "code": SelfBookingCode.display(found.code), "rawCode": found.code, "name": b.usager?.name ?? "",
            "link": "/rendez-vous/\(found.code)",
            "when": text(v).when(b.span), "where": text(v).place(kind: b.kind, room: b.room), "bring": text(v).bring(partner: b.partner), "with": text(v).with(Choice(kind: b.kind, partner: b.partner)),
            "status": b.status == .cancelled ? v.t["bookStatusCancelled"] ?? "" : (b.span.end < now ? v.t["bookStatusPast"] ?? "" : v.t["bookStatusBooked"] ?? ""),
            "cancelled": b.status == .cancelled, "open": open,
            "booked": done == "reserve", "moved": done == "deplace", "justCancelled": done == "annule",
            "token": office.formTokens.issue(now: now),
            "moveHref": Visit(language: v.language, t: [:], situation: nil, choice: nil, day: nil, slot: nil, moving: found.code).link(),
            "error": error ?? false,
        ], status: status)
    }

    @Sendable func cancel(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let form = try await FormData.read(request)
        let v = visit { form[$0] }
        guard let code = code(context), let found = try await office.database.selfBooking(code: code) else { return try await notFound(v) }
        if let (message, status) = screen(form, context, action: "self-cancel", perHour: 20) { return managePage(v, found, done: nil, error: message, status: status) }
        do {
            _ = try await office.database.cancelSelfBooking(code: code, now: office.clock())
            return .redirect(to: "/rendez-vous/\(code)?lang=\(v.language)&fait=annule", type: .normal)
        } catch let error as AgendaError {
            return managePage(v, found, done: nil, error: v.language == "en" ? error.english : error.french, status: APIError(error).status)
        }
    }

    @Sendable func move(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let form = try await FormData.read(request)
        var v = visit { form[$0] }
        guard let code = code(context), let found = try await office.database.selfBooking(code: code) else { return try await notFound(v) }
        v.moving = code
        let choice = Choice(kind: found.booking.kind, partner: found.booking.partner)
        guard let slot = v.slot, slot.kind == choice.kind else { return managePage(v, found, done: nil, status: .unprocessableContent) }
        if let (message, status) = screen(form, context, action: "self-move", perHour: 20) {
            return formPage(v, slot: slot, choice: choice, typed: [:], error: message, status: status)
        }
        let bookingRequest = slot.request(lifeSituation: found.booking.lifeSituation, usager: found.booking.usager ?? Usager(name: ""))
        do {
            _ = try await office.database.moveSelfBooking(code: code, to: bookingRequest, structure: office.structure, now: office.clock())
            return .redirect(to: "/rendez-vous/\(code)?lang=\(v.language)&fait=deplace", type: .normal)
        } catch let error as AgendaError {
            return formPage(v, slot: slot, choice: choice, typed: [:], error: v.language == "en" ? error.english : error.french, status: APIError(error).status)
        }
    }
}
