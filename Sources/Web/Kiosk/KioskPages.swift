import OfficeKit
import Agenda
import Devices
import Foundation
import Hummingbird
import Kiosk
import Station
import Store
import StructureConfig

/// The self-service station's pages, under `/kiosk/{station}`. No account: the session's own
/// browser carries a secret cookie (`guichet_poste`, from a one-time ticket its supervisor
/// put on its command line), and a form also carries the session id (`_k`), which no other
/// site can read. Every page, error pages included, has "Call an agent".
struct KioskPages: Sendable {
    let office: Office
    let pages: WebPages
    static let cookie = "guichet_poste"

    func addRoutes(to router: Router<GuichetRequestContext>) {
        let kiosk = router.group("kiosk/{station}").add(middleware: KioskErrorPages(office: office, pages: pages))
        // The browser's first page (a ticket), and `guichet station` (its device credential).
        kiosk.get("lancer", use: launch)
        kiosk.post("superviseur", use: supervise)
        kiosk.post("billet", use: ticket)
        KioskSpeechRoute(office: office, pages: pages).addRoutes(to: kiosk)
        // Calling an agent works from every page, even a refusal's: the session's browser, or
        // the partner-site bar (which knows the session id), or the error page of a browser
        // the station no longer recognises (the agent then finds a station to restart).
        kiosk.group(context: KioskContext.self).add(middleware: KioskGuard(office: office, pages: pages, browser: .any, form: .read))
            .post("aide", use: help)
        // Everything else: the session's own browser only; its forms carry the session id.
        let own = kiosk.group(context: KioskContext.self).add(middleware: KioskGuard(office: office, pages: pages))
        own.get("", use: welcome)
        own.get("accueil", use: home)
        own.get("demarches", use: situations)
        own.get("demarches/{situation}", use: situation)
        own.get("ouvrir", use: openSite)
        own.get("imprimer", use: printPage)
        own.get("numeriser", use: scanPage)
        own.get("apercu/{name}", use: preview)
        own.get("rendez-vous", use: appointment)
        own.get("prendre-rendez-vous", use: bookingPage)
        own.get("terminer", use: endPage)
        own.get("etat", use: state)
        kiosk.group(context: KioskContext.self).add(middleware: KioskGuard(office: office, pages: pages, form: .starting))
            .post("commencer", use: start)
        let forms = kiosk.group(context: KioskContext.self).add(middleware: KioskGuard(office: office, pages: pages, form: .session))
        forms.post("imprimer", use: printFile)
        forms.post("annuler-impression", use: cancelPrint)
        forms.post("numeriser", use: scan)
        forms.post("rendez-vous", use: checkIn)
        forms.post("prendre-rendez-vous", use: bookAtStation)
        forms.post("fin", use: end)
        forms.post("prolonger", use: extend)
        forms.post("activite", use: activity)
    }

    // MARK: plumbing

    struct Visit {
        let station: StationService
        let status: StationStatus
        let language: String
        let base: String
        let path: String
        let t: [String: String]
        /// The browser reached us over HTTPS: its cookies are `Secure`.
        let secure: Bool
        /// The structure's server cannot be reached (a station on its own PC, the LAN cut).
        let offline: Bool

        /// The `lang` of a life situation's title, its theme and its partners when the page is in
        /// another language: they are the configuration's French (English has its own titles),
        /// the words the partner's site uses; false when the page's language is theirs.
        var situationLang: Any { language == "en" || t["lang"] == "fr" ? false : "fr" }

        /// The same visit with the station's state read again (after a refused action).
        func refreshed() async -> Visit {
            Visit(station: station, status: await station.status(), language: language, base: base, path: path, t: t, secure: secure, offline: offline)
        }
    }

    private func stationService(_ context: GuichetRequestContext) throws -> StationService {
        let id = try context.parameters.require("station")
        guard let station = office.stations[id] else { throw HTTPError(.notFound, message: "Poste inconnu : \(id)") }
        return station
    }

    func render(_ template: String, _ v: Visit, _ request: Request, _ extra: [String: Any] = [:], error: String? = nil) -> Response {
        var context: [String: Any] = [
            "t": v.t, "structure": office.structure.name, "station": v.station.station, "base": v.base, "path": v.path,
            "session": v.status.session ?? "", "token": v.status.session ?? v.status.next ?? "", "inSession": v.status.session != nil,
            "helpComing": request.uri.queryParameters.get("aide") != nil, "offline": v.offline,
            "languages": pages.languageChoices(office.config.kiosk.languages, current: v.language),
        ]
        if let error { context["error"] = error }
        context.merge(extra) { $1 }
        var response = pages.kiosk.page(template, context, status: error == nil ? .ok : .unprocessableContent)
        if request.uri.queryParameters.get("lang") != nil {
            response.headers[.setCookie] = "guichet_lang=\(v.language); Path=/kiosk; SameSite=Strict; HttpOnly\(v.secure ? "; Secure" : "")"
        }
        return response
    }

    func welcomeRedirect(_ v: Visit) -> Response { .redirect(to: "\(v.base)/", type: .normal) }

    // MARK: pages

    @Sendable func welcome(_ request: Request, context: KioskContext) async throws -> Response {
        let v = try context.visit()
        if v.status.session != nil { return .redirect(to: "\(v.base)/accueil", type: .normal) }
        return render("kiosk-welcome", v, request, ["outOfService": v.status.outOfService != nil, "thanks": request.uri.queryParameters.get("fin") != nil])
    }

    @Sendable func start(_ request: Request, context: KioskContext) async throws -> Response {
        let v = try context.visit()
        do {
            try await v.station.start()
        } catch {
            return render("kiosk-welcome", v, request, ["outOfService": v.status.outOfService != nil], error: error.french)
        }
        // The welcome screen's second button starts the session straight at the booking.
        if context.form["suite"] == "prendre-rendez-vous" { return .redirect(to: "\(v.base)/prendre-rendez-vous", type: .normal) }
        return .redirect(to: "\(v.base)/accueil", type: .normal)
    }

    @Sendable func home(_ request: Request, context: KioskContext) async throws -> Response {
        let v = try context.visit()
        guard v.status.session != nil else { return welcomeRedirect(v) }
        return render("kiosk-home", v, request)
    }

    @Sendable func situations(_ request: Request, context: KioskContext) async throws -> Response {
        let v = try context.visit()
        guard v.status.session != nil else { return welcomeRedirect(v) }
        var themes: [(String, [LifeSituation])] = []
        for s in office.structure.lifeSituations {
            if let i = themes.firstIndex(where: { $0.0 == s.theme }) { themes[i].1.append(s) } else { themes.append((s.theme, [s])) }
        }
        let english = v.language == "en"
        return render(
            "kiosk-situations", v, request,
            [
                "themes": themes.enumerated().map { i, theme in
                    [
                        "index": i, "name": theme.0, "nameLang": v.t["lang"] == "fr" ? false : "fr", "icon": Self.icon(theme.0), "base": v.base,
                        "situations": theme.1.map { ["id": $0.id, "title": english ? $0.titleEnglish : $0.titleFrench, "titleLang": v.situationLang] },
                    ] as [String: Any]
                }
            ])
    }

    /// A pictogram per theme of the bouquet de services, found from the theme's words.
    static func icon(_ theme: String) -> String {
        let t = theme.lowercased()
        if t.contains("santé") { return "health" }
        if t.contains("famille") || t.contains("état civil") { return "family" }
        if t.contains("justice") { return "justice" }
        if t.contains("budget") || t.contains("impôt") { return "budget" }
        if t.contains("logement") || t.contains("mobilité") { return "housing" }
        return "work"
    }

    @Sendable func situation(_ request: Request, context: KioskContext) async throws -> Response {
        let v = try context.visit()
        guard v.status.session != nil else { return welcomeRedirect(v) }
        let id = try context.parameters.require("situation")
        guard let s = office.structure.lifeSituations.first(where: { $0.id == id }) else { throw KioskRefusal.notFound }
        try? await v.station.choose(situation: s.id)
        let partners = s.partners.compactMap { p in office.structure.partners.first { $0.id == p } }
        let sites = (s.websites + partners.map(\.website)).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        return render(
            "kiosk-situation", v, request,
            [
                "title": v.language == "en" ? s.titleEnglish : s.titleFrench, "titleLang": v.situationLang, "situation": s.id, "partners": partners.map(\.name),
                "sites": sites.map { ["url": $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "", "host": URL(string: $0)?.host ?? $0] },
            ])
    }

    /// Records the partners of the site opened (never its path) and goes there; only the catalogue's sites.
    @Sendable func openSite(_ request: Request, context: KioskContext) async throws -> Response {
        let v = try context.visit()
        guard v.status.session != nil else { return welcomeRedirect(v) }
        guard let site = request.uri.queryParameters.get("site"), office.kioskSites.contains(site), let url = URL(string: site) else {
            throw KioskRefusal.notInCatalogue
        }
        try? await v.station.opened(site: url, partners: office.structure.partners(forSite: site))
        return .redirect(to: site, type: .normal)
    }

    @Sendable func printPage(_ request: Request, context: KioskContext) async throws -> Response {
        let v = try context.visit()
        guard v.status.session != nil else { return welcomeRedirect(v) }
        return try await printView(v, request, sent: request.uri.queryParameters.get("envoye") != nil)
    }

    private func printView(_ v: Visit, _ request: Request, sent: Bool = false, error: String? = nil) async throws -> Response {
        let files = (try? await v.station.files()) ?? []
        let jobs = (try? await v.station.printJobs()) ?? []
        let t = v.t
        return render(
            "kiosk-print", v, request,
            [
                "sent": sent, "pagesLeft": v.status.pagesLeft, "hasFiles": !files.isEmpty, "hasJobs": !jobs.isEmpty,
                "files": files.map {
                    ["kind": $0.kind.rawValue, "name": $0.name, "kindLabel": ($0.kind == .scans ? t["fromScans"] : t["fromDownloads"]) ?? ""]
                },
                "jobs": jobs.enumerated().map { i, job in
                    [
                        "number": "\(i + 1)", "id": job.id, "cancellable": !job.finished,
                        "state": t["job" + job.state.rawValue.prefix(1).uppercased() + job.state.rawValue.dropFirst()] ?? job.state.rawValue,
                    ] as [String: Any]
                },
            ], error: error)
    }

    @Sendable func printFile(_ request: Request, context: KioskContext) async throws -> Response {
        let v = try context.visit()
        guard v.status.session != nil else { return welcomeRedirect(v) }
        let form = context.form
        guard let kind = form["kind"].flatMap(SessionFile.Kind.init(rawValue:)), let name = form["name"] else {
            throw KioskRefusal.missingDocument
        }
        do {
            _ = try await v.station.print(kind, name)
            office.metrics.print(station: v.station.station, ok: true)
        } catch {
            office.metrics.print(station: v.station.station, ok: false)
            return try await printView(await v.refreshed(), request, error: error.french)
        }
        return .redirect(to: "\(v.base)/imprimer?envoye=1", type: .normal)
    }

    @Sendable func cancelPrint(_ request: Request, context: KioskContext) async throws -> Response {
        let v = try context.visit()
        guard v.status.session != nil else { return welcomeRedirect(v) }
        let form = context.form
        do {
            try await v.station.cancelPrint(job: Int(form["job"] ?? "") ?? -1)
        } catch {
            return try await printView(await v.refreshed(), request, error: error.french)
        }
        return .redirect(to: "\(v.base)/imprimer", type: .normal)
    }

    @Sendable func scanPage(_ request: Request, context: KioskContext) async throws -> Response {
        let v = try context.visit()
        guard v.status.session != nil else { return welcomeRedirect(v) }
        return render("kiosk-scan", v, request, ["done": false])
    }

    @Sendable func scan(_ request: Request, context: KioskContext) async throws -> Response {
        let v = try context.visit()
        guard v.status.session != nil else { return welcomeRedirect(v) }
        let form = context.form
        let settings: ScanSettings
        do {
            settings = try ScanSettings(
                resolution: Int(form["resolution"] ?? "") ?? 0,
                colour: form["colour"].flatMap(ScanSettings.Colour.init(rawValue:)) ?? .colour,
                source: form["source"].flatMap(ScanSettings.Source.init(rawValue:)) ?? .flatbed)
        } catch {
            return render("kiosk-scan", v, request, ["done": false], error: error.french)
        }
        do {
            let document = try await v.station.scan(settings)
            office.metrics.scan(station: v.station.station, ok: true)
            return render(
                "kiosk-scan", v, request,
                [
                    "done": true, "pages": document.pages,
                    "previews": document.previews.enumerated().map { ["name": $1.lastPathComponent, "number": $0 + 1] },
                ])
        } catch {
            office.metrics.scan(station: v.station.station, ok: false)
            return render("kiosk-scan", v, request, ["done": false], error: error.french)
        }
    }

    @Sendable func preview(_ request: Request, context: KioskContext) async throws -> Response {
        let v = try context.visit()
        guard v.status.session != nil else { throw HTTPError(.notFound) }
        guard let url = try? await v.station.preview(try context.parameters.require("name")), let data = FileManager.default.contents(atPath: url.path)
        else { throw HTTPError(.notFound) }
        var response = Response(status: .ok, headers: [.contentType: "image/jpeg"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        response.headers[.cacheControl] = "no-store"
        return response
    }

    @Sendable func appointment(_ request: Request, context: KioskContext) async throws -> Response {
        let v = try context.visit()
        guard v.status.session != nil else { return welcomeRedirect(v) }
        return render("kiosk-appointment", v, request)
    }

    /// Check-in by the name given at booking (the structure's agenda decides; nobody's name
    /// is ever shown on the station). When the agenda cannot be asked, the page says so.
    @Sendable func checkIn(_ request: Request, context: KioskContext) async throws -> Response {
        let v = try context.visit()
        guard v.status.session != nil else { return welcomeRedirect(v) }
        do {
            let found = try await office.stationBackend.checkIn(name: context.form["name"] ?? "", now: office.clock())
            return render("kiosk-appointment", v, request, ["found": found, "notFound": !found])
        } catch StationBackendError.unreachable {
            return render("kiosk-appointment", v, request, ["unreachable": true])
        }
    }

    @Sendable func endPage(_ request: Request, context: KioskContext) async throws -> Response {
        let v = try context.visit()
        guard v.status.session != nil else { return welcomeRedirect(v) }
        let t = v.t
        return render("kiosk-end", v, request, ["scores": (1...5).map { ["value": $0, "label": t["score\($0)"] ?? "\($0)"] }])
    }

    /// The anonymous answer (kept apart from the session), then the end and the wipe.
    @Sendable func end(_ request: Request, context: KioskContext) async throws -> Response {
        let v = try context.visit()
        guard v.status.session != nil else { return welcomeRedirect(v) }
        let form = context.form
        if let score = Int(form["score"] ?? ""), SatisfactionAnswer.scale.contains(score), let session = v.status.session,
            await v.station.firstAnswer(session: session)
        {
            await office.stationBackend.record(.satisfaction(at: office.clock(), score: score))
        }
        try? await v.station.end(.button)
        return .redirect(to: "\(v.base)/?fin=1", type: .normal)
    }

    /// Calling an agent (see `addRoutes`): proven by the browser's cookie or the session id.
    @Sendable func help(_ request: Request, context: KioskContext) async throws -> Response {
        let v = try context.visit()
        let form = context.form
        let bound = await v.station.isBound(request.cookies[Self.cookie]?.value)
        let proven = bound || form["_k"].map { $0 == v.status.session || $0 == v.status.next } == true
        await v.station.requestHelp(forSession: proven)
        let back = form["back"].flatMap { $0.hasPrefix(v.base) && !$0.contains("//") ? $0 : nil } ?? "\(v.base)/"
        return .redirect(to: "\(back)?aide=1", type: .normal)
    }

    @Sendable func extend(_ request: Request, context: KioskContext) async throws -> Response {
        let v = try context.visit()
        let form = context.form
        try? await v.station.extend()
        if request.headers[.accept]?.contains("application/json") == true { return try await state(request, context: context) }
        let back = form["back"].flatMap { $0.hasPrefix(v.base) && !$0.contains("//") ? $0 : nil } ?? "\(v.base)/accueil"
        return .redirect(to: back, type: .normal)
    }

    @Sendable func activity(_ request: Request, context: KioskContext) async throws -> Response {
        let v = try context.visit()
        try? await v.station.activity()
        return Response(status: .noContent)
    }

    @Sendable func state(_ request: Request, context: KioskContext) async throws -> Response {
        let v = try context.visit()
        let s = v.status
        var body: [String: Any] = ["state": s.state, "pagesLeft": s.pagesLeft]
        body["session"] = s.session ?? NSNull()
        // Readable by the station's own pages only (no CORS): the token to start with.
        body["next"] = s.next ?? NSNull()
        body["warningDeadline"] = s.warningDeadline.map { ISO8601DateFormatter().string(from: $0) } ?? NSNull()
        body["outOfService"] = s.outOfService ?? NSNull()
        return try Response.state(body)
    }

    // MARK: the supervisor and the browser it launches

    /// The station's enrolled PC, from its device credential (`Authorization: Bearer`): the
    /// credential of another station, or of the room, does not drive this one.
    private func supervisor(_ request: Request, _ context: GuichetRequestContext) async throws -> StationService {
        let station = try stationService(context)
        let device = try await DeviceAuthentication.device(request, office: office)
        guard device.kind == .station, device.id == station.station else { throw DeviceAuthentication.refusal }
        return station
    }

    /// The heartbeat of `guichet station` (every quarter second): which session its browser
    /// serves, which browser just exited; the answer says keep, close, wait or launch.
    @Sendable func supervise(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let station = try await supervisor(request, context)
        let beat = try await request.decodeJSON(SupervisorBeat.self)
        let device = try await DeviceAuthentication.device(request, office: office)
        try? await office.devices.contact(device, version: beat.version ?? "", health: beat.health ?? "")
        do {
            return try Response.state(try await SupervisorExchange.answer(station, beat))
        } catch let invalid as SupervisorExchange.InvalidSession {
            throw APIError(
                status: .badRequest, code: "invalid_session", french: "Identifiant de session invalide : \(invalid.id).", english: "Invalid session id: \(invalid.id).")
        }
    }

    /// A ticket for a browser to bind itself to the current session, without running a
    /// supervisor (a test's or a technician's browser on the station itself).
    @Sendable func ticket(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let station = try await supervisor(request, context)
        return try Response.state(["path": launchPath(station, ticket: await station.issueTicket())])
    }

    private func launchPath(_ station: StationService, ticket: String) -> String { SupervisorExchange.launchPath(station, ticket: ticket) }

    /// The browser's first page: the ticket is spent for the session's secret cookie.
    @Sendable func launch(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let station = try stationService(context)
        guard let ticket = request.uri.queryParameters.get("ticket"), let secret = await station.redeem(ticket: ticket) else {
            throw KioskRefusal.unbound
        }
        // Relaunched right after a wipe: the new browser thanks the one who just left.
        let justWiped = await station.lastWipe.map { $0.succeeded && office.clock().timeIntervalSince($0.at) < 30 } ?? false
        var response = Response.redirect(to: "/kiosk/\(station.station)/\(justWiped ? "?fin=1" : "")", type: .normal)
        response.headers[.setCookie] = "\(Self.cookie)=\(secret); Path=/kiosk/\(station.station); HttpOnly; SameSite=Lax\(context.origin.secure ? "; Secure" : "")"
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

extension Error {
    /// The French sentence for a station error, or a generic one.
    var french: String {
        switch self {
        case let e as StationError: e.french
        case let e as ScannerError: e.french
        case let e as PrinterError: e.french
        default: "Une erreur est survenue. Un agent peut vous aider."
        }
    }
}
