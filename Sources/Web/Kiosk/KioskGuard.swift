import Foundation
import Hummingbird
import OfficeKit
import Station
import StructureConfig

/// A request to one station's pages. Behind `KioskGuard` it carries the visit (the station,
/// its state, the usager's language) and the posted form, both checked once for the group.
struct KioskContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    fileprivate(set) var resolved: KioskPages.Visit?
    fileprivate(set) var form = FormData("")
    let origin: ClientOrigin

    init(context: GuichetRequestContext) throws {
        coreContext = context.coreContext
        origin = context.origin
    }

    /// The visit the guard resolved; a route outside a guarded group gets the refusal (fails closed).
    func visit() throws -> KioskPages.Visit {
        guard let resolved else { throw KioskRefusal.unbound }
        return resolved
    }
}

/// The station's guards as route-group middlewares: the station exists, the request comes
/// from the session's own browser (its secret cookie), and a form carries the session id.
struct KioskGuard: RouterMiddleware {
    /// Who may ask.
    enum Browser { case own, any }
    /// What a posted form must carry in `_k`.
    enum Form {
        /// Nothing checked: the form is only read (calling an agent from any page).
        case read
        /// The current session (without one the handler sends back to the welcome screen).
        case session
        /// The session being prepared (the welcome screen's "Commencer").
        case starting
    }

    let office: Office
    let pages: WebPages
    var browser = Browser.own
    var form: Form?

    func handle(_ request: Request, context: KioskContext, next: (Request, KioskContext) async throws -> Response) async throws -> Response {
        let id = try context.parameters.require("station")
        guard let station = office.stations[id] else { throw HTTPError(.notFound, message: "Poste inconnu : \(id)") }
        if browser == .own, !(await station.isBound(request.cookies[KioskPages.cookie]?.value)) { throw KioskRefusal.unbound }
        let languages = office.config.kiosk.languages
        let asked = request.uri.queryParameters.get("lang") ?? request.cookies["guichet_lang"]?.value
        let language = asked.flatMap { languages.contains($0) ? $0 : nil } ?? languages[0]
        var context = context
        let visit = KioskPages.Visit(
            station: station, status: await station.status(), language: language, base: "/kiosk/\(station.station)", path: request.uri.path,
            t: pages.texts(language), secure: context.origin.secure, offline: !(await office.stationBackend.canCallAnAgent()))
        context.resolved = visit
        if visit.status.session != nil { await station.shown(in: language) }
        if let form, request.method == .post {
            context.form = try await FormData.read(request)
            let token = context.form["_k"]
            switch form {
            case .read: break
            case .starting: guard token != nil, token == visit.status.next else { throw KioskRefusal.stale }
            case .session: if visit.status.session != nil, token != visit.status.session { throw KioskRefusal.stale }
            }
        }
        return try await next(request, context)
    }
}
