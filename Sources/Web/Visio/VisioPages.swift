import OfficeKit
import Agenda
import Foundation
import HTTPTypes
import Hummingbird
import Kiosk
import Media
import Store
import StructureConfig
import Visio

/// The visio's pages: the specialist's page behind the booking's link, the console's list of
/// visio appointments (links, waiting room, admit, hang up), and the confidential room's screen.
struct VisioPages: ConsolePagesUser {
    let office: Office
    let pages: WebPages

    func addRoutes(to router: Router<GuichetRequestContext>) {
        router.get("visio/{token}", use: specialistPage)
        // Reached only when the WebSocket upgrade was refused: say why, as the page does.
        router.get("visio/{token}/ws", use: refusedSocket)
        // The confidential room's own screen: on the room's PC only.
        router.get("salle/{station}", use: roomPage)
        router.get("salle/{station}/etat", use: roomState)
        router.post("salle/{station}/raccrocher", use: roomHangUp)
    }

    /// The console's visio list: links, the waiting room, admit, hang up.
    func addRoutes(to console: RouterGroup<ConsoleContext>) {
        console.get("visio", use: consoleList)
        console.post("visio/{booking}/admit", use: admit)
        console.post("visio/{booking}/hang-up", use: consoleHangUp)
        console.post("visio/{booking}/invite", use: invite)
        console.post("visio/{booking}/withdraw", use: withdraw)
        console.post("visio/{booking}/admit-guest", use: admitGuest)
    }

    // MARK: the specialist

    private func language(_ request: Request) -> String {
        let languages = office.config.kiosk.languages
        if let asked = request.uri.queryParameters.get("lang"), languages.contains(asked) { return asked }
        let accepted = request.headers[.acceptLanguage].map { String($0.prefix(2)).lowercased() }
        return accepted.flatMap { languages.contains($0) ? $0 : nil } ?? languages[0]
    }

    private func page(_ template: String, language: String, _ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var context = values
        context["t"] = pages.texts(language)
        context["structure"] = office.structure.name
        context["languages"] = pages.languageChoices(office.config.kiosk.languages, current: language)
        var response = pages.kiosk.page(template, context, status: status)
        // The page needs the camera and the microphone of its own origin, nothing else.
        if let name = HTTPField.Name.permissionsPolicy { response.headers[name] = "camera=(self), microphone=(self), geolocation=()" }
        return response
    }

    /// Why a link does not open now, in the page's language; nil when it opens.
    private func refusal(_ token: String, language: String) async throws -> (HTTPResponse.Status, String)? {
        let t = pages.texts(language)
        guard let (_, _, window) = try await VisioSignalling.check(office, token: token) else {
            return (.notFound, t["visioRefusedUnknown"] ?? "")
        }
        switch window {
        case .open: return nil
        case .closed: return (.gone, t["visioRefusedClosed"] ?? "")
        case .tooEarly(let opensAt):
            return (.forbidden, (t["visioRefusedEarly"] ?? "").replacingOccurrences(of: "{{opens}}", with: when(opensAt, language: language)))
        }
    }

    private func when(_ instant: Date, language: String) -> String {
        if language == "fr" { return kit.dateTime(instant) }
        let local = office.structure.timeZone.local(instant)
        return "\(local.date) at \(local.time)"
    }

    @Sendable func specialistPage(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        let language = language(request)
        if let (status, reason) = try await refusal(token, language: language) {
            return page("visio-refused", language: language, ["reason": reason], status: status)
        }
        guard let (booking, seat) = try await office.database.visioBooking(token: token) else { throw HTTPError(.notFound) }
        let specialist = try await specialistName(booking)
        let texts = (pages.texts(language)).filter { $0.key.hasPrefix("visio") }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: texts, options: [.sortedKeys]), as: UTF8.self)
        return page(
            "visio-specialist", language: language,
            [
                "partner": kit.partnerName(booking.partner), "specialist": specialist, "when": when(booking.span.start, language: language),
                "videoWidth": office.visio?.videoSize.width ?? 640, "videoHeight": office.visio?.videoSize.height ?? 480,
                "stamps": office.visio?.media.stamps ?? false, "guest": seat == .guest,
                // Inside <script type="application/json">: "<" escaped so no text can close the element.
                "texts": json.replacingOccurrences(of: "<", with: "\\u003c"),
            ])
    }

    @Sendable func refusedSocket(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let token = try context.parameters.require("token")
        guard office.visio != nil else { throw HTTPError(.serviceUnavailable, message: "La visio n’est pas active sur ce serveur.") }
        if let (status, reason) = try await refusal(token, language: language(request)) { throw HTTPError(status, message: reason) }
        throw HTTPError(.upgradeRequired, message: "Connexion WebSocket attendue.")
    }

    private func specialistName(_ booking: Booking) async throws -> String {
        guard let id = booking.specialist else { return "" }
        return try await office.database.specialist(id: id).displayName
    }

    // MARK: the console

    @Sendable func consoleList(_ request: Request, context: ConsoleContext) async throws -> Response {
        let now = office.clock()
        let today = kit.zone.localDate(now)
        let span = TimeSpan(kit.zone.day(today).start, kit.zone.day(today.adding(days: 7)).end)
        let presences = await office.visio?.presences() ?? []
        let bySeat = Dictionary(presences.map { (VisioCalls.key($0.booking.id, $0.seat), $0) }, uniquingKeysWith: { a, _ in a })
        var rows: [[String: Any]] = []
        // A live call stays listed (and can be hung up) even if its booking was cancelled or its slot is over.
        var live: [String: Booking] = [:]
        for presence in presences { live[presence.booking.id] = presence.booking }
        let listed = try await office.database.bookings(overlapping: span)
            .filter { $0.kind == .visio && $0.status != .cancelled && $0.span.end > now && live[$0.id] == nil }
        for booking in (Array(live.values) + listed).sorted(by: { $0.span.start < $1.span.start }) {
            let token = try await office.database.visioLink(booking: booking.id, now: now)
            let presence = bySeat[VisioCalls.key(booking.id, .specialist)]
            let guest = bySeat[VisioCalls.key(booking.id, .guest)]
            let guestToken = try await office.database.visioGuestLink(booking: booking.id)
            let specialist = try await specialistName(booking)
            let origin = "\(request.head.scheme ?? "http")://\(request.head.authority ?? "")"
            let usager: String = booking.usager?.name ?? ""
            rows.append([
                "invited": guestToken != nil, "guestLink": guestToken.map { origin + "/visio/" + $0 } ?? "",
                "guestWaiting": guest.map { !$0.admitted } ?? false, "guestInCall": guest?.admitted ?? false,
                "guestLost": guest.map { !$0.connected } ?? false, "guestSince": guest.map { kit.time($0.since) } ?? "",
                "guestOtherDevices": guest.map { $0.otherDevices > 0 } ?? false,
                "id": booking.id, "when": kit.dateTime(booking.span.start), "partner": kit.partnerName(booking.partner), "specialist": specialist,
                "usager": usager, "link": origin + "/visio/" + token,
                "waiting": presence.map { !$0.admitted } ?? false, "inCall": presence?.admitted ?? false,
                "lost": presence.map { !$0.connected } ?? false, "since": presence.map { kit.time($0.since) } ?? "",
                "media": presence?.remoteMedia.joined(separator: ", ") ?? "", "quality": presence?.quality.map(Self.describe) ?? "",
                "otherDevices": presence.map { $0.otherDevices > 0 } ?? false,
                "cancelled": presence != nil ? (try? await office.database.booking(id: booking.id))?.status == .cancelled : false,
            ] as [String: Any])
        }
        return kit.page(
            "visio", title: "Visio", section: "visio", context: context,
            ["calls": rows, "hasCalls": !rows.isEmpty, "enabled": office.visio != nil, "joinEarly": office.structure.visio.joinEarlyMinutes], notice: Notices.text(request))
    }

    @Sendable func admit(_ request: Request, context: ConsoleContext) async throws -> Response {
        let id = try context.parameters.require("booking")
        guard let visio = office.visio else { throw HTTPError(.serviceUnavailable, message: "La visio n’est pas active sur ce serveur.") }
        do {
            try await visio.admit(id)
        } catch VisioError.notWaiting {
            throw HTTPError(.conflict, message: "Le ou la spécialiste n’est pas (ou plus) en salle d’attente.")
        }
        return .redirect(to: "/console/visio?done=visio-admit")
    }

    /// Invites one more participant (an interpreter, a second advisor): a second link.
    @Sendable func invite(_ request: Request, context: ConsoleContext) async throws -> Response {
        let id = try context.parameters.require("booking")
        _ = try await office.database.inviteVisioGuest(booking: id, now: office.clock())
        await office.visio?.invited(id)
        return .redirect(to: "/console/visio?done=visio-invite")
    }

    /// Withdraws the invitation: the participant's link closes, their call ends.
    @Sendable func withdraw(_ request: Request, context: ConsoleContext) async throws -> Response {
        let id = try context.parameters.require("booking")
        guard try await office.database.withdrawVisioGuest(booking: id) else { throw HTTPError(.notFound, message: "Aucun participant invité à ce rendez-vous.") }
        await office.visio?.withdrawn(id)
        return .redirect(to: "/console/visio?done=visio-withdraw")
    }

    @Sendable func admitGuest(_ request: Request, context: ConsoleContext) async throws -> Response {
        let id = try context.parameters.require("booking")
        guard let visio = office.visio else { throw HTTPError(.serviceUnavailable, message: "La visio n’est pas active sur ce serveur.") }
        do {
            try await visio.admit(id, seat: .guest)
        } catch VisioError.notWaiting {
            throw HTTPError(.conflict, message: "Le participant invité n’est pas (ou plus) en salle d’attente.")
        }
        return .redirect(to: "/console/visio?done=visio-admit-guest")
    }

    @Sendable func consoleHangUp(_ request: Request, context: ConsoleContext) async throws -> Response {
        let id = try context.parameters.require("booking")
        await office.visio?.hangUp(id)
        return .redirect(to: "/console/visio?done=visio-hang-up")
    }

    /// The room's sending, when the network made the engine adapt it.
    static func describe(_ q: SendQuality) -> String {
        q.video ? "réseau faible : image \(q.width)×\(q.height), \(q.videoKbps) kbit/s" : "réseau faible : son seulement"
    }

    // MARK: the room

    /// The room's screen answers the room's PC: the server's own machine (a room on the
    /// server), or the enrolled room's credential (a room on its own PC).
    private func roomStation(_ request: Request, _ context: GuichetRequestContext) async throws -> String {
        let id = try context.parameters.require("station")
        if !context.origin.isLoopback {
            let device = try? await DeviceAuthentication.device(request, office: office)
            guard let device, device.kind == .room, device.id == id else {
                throw HTTPError(.forbidden, message: "Réservé au poste de l’espace confidentiel.")
            }
        }
        guard office.structure.stations.contains(where: { $0.id == id && $0.visio }) else { throw HTTPError(.notFound, message: "Poste visio inconnu : \(id)") }
        return id
    }

    /// The room's call now, or its next visio appointment today.
    private func roomCall(_ station: String) async throws -> (Booking, VisioCalls.Presence?)? {
        let presences = await office.visio?.presences() ?? []
        // The specialist's call stands for the visio; an invited participant alone (the
        // specialist not there yet) too.
        let here = presences.filter { $0.booking.station == station }
        if let presence = here.first(where: { $0.seat == .specialist }) ?? here.first { return (presence.booking, presence) }
        let now = office.clock()
        let today = office.structure.timeZone.day(office.structure.timeZone.localDate(now))
        let next = try await office.database.bookings(overlapping: TimeSpan(now, today.end))
            .filter { $0.kind == .visio && $0.station == station && $0.status != .cancelled }
            .min { $0.span.start < $1.span.start }
        return next.map { ($0, VisioCalls.Presence?.none) }
    }

    @Sendable func roomPage(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let station = try await roomStation(request, context)
        var values: [String: Any] = ["base": "/salle/\(station)", "inCall": false]
        if let (booking, presence) = try await roomCall(station) {
            let specialist = try await specialistName(booking)
            let messages = presence?.messages ?? []
            values["call"] = [
                "specialist": specialist, "partner": kit.partnerName(booking.partner), "time": kit.time(booking.span.start),
                "inCall": presence?.admitted ?? false, "waiting": presence != nil, "messages": messages, "hasMessages": !messages.isEmpty,
            ] as [String: Any]
            values["inCall"] = presence != nil
        }
        return page("visio-room", language: office.config.kiosk.languages[0], values)
    }

    @Sendable func roomState(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let station = try await roomStation(request, context)
        var body: [String: Any] = ["version": await office.visio?.stateVersion() ?? 0, "call": NSNull()]
        if let (booking, presence) = try await roomCall(station) {
            var call: [String: Any] = ["booking": booking.id, "admitted": presence?.admitted ?? false, "waiting": presence != nil]
            // The room's media prepared while the specialist waits: the admission will offer at once.
            call["mediaReady"] = presence?.mediaReady ?? false
            if let first = presence?.firstVideoAt { call["firstVideoMs"] = Int(first.timeIntervalSince1970 * 1000) }
            if office.visio?.media.stamps == true { call["stampLatenciesMs"] = await office.visio?.stampLatencies(booking.id) ?? [] }
            if let frames = await office.visio?.frames(booking.id) {
                call["videoFrames"] = frames.video
                call["audioBuffers"] = frames.audio
            }
            if let frames = await office.visio?.frames(booking.id, seat: .guest) {
                call["guest"] = ["videoFrames": frames.video, "audioBuffers": frames.audio]
            }
            body["call"] = call
        }
        return try Response.state(body)
    }

    @Sendable func roomHangUp(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let station = try await roomStation(request, context)
        if let (booking, presence) = try await roomCall(station), presence != nil { await office.visio?.hangUp(booking.id) }
        return .redirect(to: "/salle/\(station)")
    }
}
