import Foundation
import Agenda
import Store
import StructureConfig
import Hummingbird

/// Why the console refuses a request before any handler work: rendered as a French page
/// (or a redirect to sign-in) rather than the API's JSON.
struct ConsoleRefusal: Error {
    enum Reason { case notSignedIn, managerOnly, badCSRF, rateLimited, kioskOnly, readOnly, coordinatorOnly }
    let reason: Reason

    var status: HTTPResponse.Status {
        switch reason {
        case .notSignedIn: .seeOther
        case .managerOnly, .badCSRF, .kioskOnly, .readOnly, .coordinatorOnly: .forbidden
        case .rateLimited: .tooManyRequests
        }
    }

    var message: String {
        switch reason {
        case .notSignedIn: "Connectez-vous pour accéder à la console."
        case .managerOnly: "Cette action est réservée aux responsables de la structure."
        case .badCSRF: "Le formulaire a expiré ou ne vient pas de la console. Rechargez la page et recommencez."
        case .rateLimited: "Trop de tentatives de connexion. Réessayez dans 15 minutes ou demandez à un responsable."
        case .kioskOnly: "Cette page est réservée aux agents."
        case .coordinatorOnly: "Cette page est réservée à la coordination du réseau."
        case .readOnly: "Un compte de coordination du réseau consulte sans rien modifier : demandez à un agent de la structure."
        }
    }

    /// The page (or, for a page asked without a session, the way to sign in).
    func response(_ request: Request, pages: WebPages) -> Response {
        if reason == .notSignedIn && request.method == .get {
            return .redirect(to: "/console/sign-in")
        }
        return pages.console.page("message", ["title": "Accès refusé", "message": message], status: reason == .notSignedIn ? .unauthorized : status)
    }
}
