import OfficeKit
import Agenda
import Foundation
import Hummingbird
import Kiosk
import Logging
import StructureConfig

/// A refusal on the station, in words the usager reads (their language chosen on the page).
enum KioskRefusal: Error, Equatable {
    /// The request does not come from the session's own browser (a stale browser after a
    /// restart, another program on the station's computer).
    case unbound
    /// A form from a page of a session that has ended.
    case stale
    case notInCatalogue
    case missingDocument
    case notFound

    var status: HTTPResponse.Status {
        switch self {
        case .unbound, .stale: .forbidden
        case .notInCatalogue, .missingDocument: .badRequest
        case .notFound: .notFound
        }
    }

    var key: String {
        switch self {
        case .unbound: "errorUnbound"
        case .stale: "errorStale"
        case .notInCatalogue: "errorNotInCatalogue"
        case .missingDocument: "errorMissingDocument"
        case .notFound: "errorNotFound"
        }
    }
}

/// Every error on a kiosk page becomes a page of the station: in the usager's language, with
/// the way back and "Appeler un agent" (kiosk mode has no back button and no address bar).
/// The supervisor's JSON calls keep their JSON errors.
struct KioskErrorPages: RouterMiddleware {
    typealias Context = GuichetRequestContext
    let office: Office
    let pages: WebPages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error  // the supervisor's calls: a JSON error with its own status
        } catch {
            if request.headers[.accept]?.contains("application/json") == true || request.headers[.contentType]?.contains("application/json") == true {
                guard let refusal = error as? KioskRefusal else { throw error }
                let t = pages.texts("fr"), en = pages.texts("en")
                throw APIError(status: refusal.status, code: refusal.key, french: t[refusal.key] ?? "", english: en[refusal.key] ?? "")
            }
            let (status, key): (HTTPResponse.Status, String) =
                switch error {
                case let refusal as KioskRefusal: (refusal.status, refusal.key)
                case let e as HTTPError where e.status == .contentTooLarge: (.contentTooLarge, "errorTooLarge")
                case let e as HTTPError where e.status == .notFound: (.notFound, "errorNotFound")
                case let e as HTTPError where e.status.code < 500: (e.status, "errorBadRequest")
                default: (.internalServerError, "errorInternal")
                }
            if status == .internalServerError {
                context.logger.error("kiosk page failed", metadata: ["guichet.error": "\(error)", "guichet.path": "\(request.uri.path)"])
            }
            return page(request, context, status: status, key: key)
        }
    }

    private func page(_ request: Request, _ context: Context, status: HTTPResponse.Status, key: String) -> Response {
        let station = context.parameters.get("station") ?? ""
        let languages = office.config.kiosk.languages
        let asked = request.cookies["guichet_lang"]?.value
        let language = asked.flatMap { languages.contains($0) ? $0 : nil } ?? languages[0]
        let t = pages.texts(language)
        let base = "/kiosk/\(station)"
        var context: [String: Any] = [
            "t": t, "structure": office.structure.name, "station": station, "base": base, "path": "\(base)/", "session": "", "token": "",
            "inSession": false, "helpComing": request.uri.queryParameters.get("aide") != nil, "message": t[key] ?? t["errorInternal"] ?? "",
            "languages": pages.languageChoices(languages, current: language),
        ]
        // A browser the station does not recognise has no home to go back to: only the agent.
        if key != KioskRefusal.unbound.key { context["back"] = "\(base)/accueil" }
        return pages.kiosk.page("kiosk-error", context, status: status)
    }
}
