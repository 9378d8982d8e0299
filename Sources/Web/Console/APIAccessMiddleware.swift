import Foundation
import Agenda
import StructureConfig
import Hummingbird
import Store

/// Guards `/api/v1`: what the public may read (hours, closures, availability, the
/// structure) is open; everything else — bookings and their personal data, every write —
/// needs a signed-in agent. A station's kiosk session is not an agent's.
struct APIAccessMiddleware: RouterMiddleware {
    typealias Context = GuichetRequestContext

    /// Writes that change the structure's plan: hours, closures, permanences, specialists.
    static let managerWrites = ["/api/v1/opening-hours", "/api/v1/closures", "/api/v1/permanences", "/api/v1/specialists"]

    static let publicReads = ["/api/v1/structure", "/api/v1/opening-hours", "/api/v1/closures", "/api/v1/availability"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if request.method == .get && Self.publicReads.contains(path) { return try await next(request, context) }
        if path == "/api/v1/session" { return try await next(request, context) }
        guard let agent = context.agent else {
            throw APIError(
                status: .unauthorized, code: "not_signed_in", french: "Connexion d’un agent requise (POST /api/v1/session).",
                english: "An agent must sign in (POST /api/v1/session).")
        }
        if request.method != .get, agent.role != .manager, Self.managerWrites.contains(where: { path.hasPrefix($0) }) {
            throw APIError(
                status: .forbidden, code: "manager_only", french: "Action réservée aux responsables de la structure.",
                english: "Only the structure's managers may do this.")
        }
        // Cookie-authenticated writes accept JSON only: a cross-site form cannot send it.
        if request.method != .get && request.method != .delete {
            let type = request.headers[.contentType]?.lowercased() ?? ""
            let empty = request.headers[.contentLength] == "0" || (request.headers[.contentLength] == nil && type.isEmpty)
            guard type.hasPrefix("application/json") || empty else {
                throw APIError(
                    status: .unsupportedMediaType, code: "json_expected", french: "Corps JSON attendu (Content-Type: application/json).",
                    english: "A JSON body is expected (Content-Type: application/json).")
            }
        }
        // Every write transaction of this request appends its audit line (who, which route,
        // when; never the body) inside itself: see AuditContext.
        let audit = request.method == .get ? nil : AuditContext(actor: agent.id, action: "\(request.method.rawValue) \(path)", at: office.clock())
        var response = try await AuditContext.$current.withValue(audit) { try await next(request, context) }
        response.headers[.cacheControl] = response.headers[.cacheControl] ?? "no-store"
        return response
    }

    let office: Office
}
