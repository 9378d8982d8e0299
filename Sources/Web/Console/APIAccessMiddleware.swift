import OfficeKit
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
    static let managerWrites = ["/api/v1/opening-hours", "/api/v1/holidays", "/api/v1/closures", "/api/v1/permanences", "/api/v1/specialists"]

    static let publicReads = ["/api/v1/structure", "/api/v1/opening-hours", "/api/v1/holidays", "/api/v1/closures", "/api/v1/availability"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if request.method == .get && Self.publicReads.contains(path) { return try await next(request, context) }
        // Cookie-authenticated writes accept JSON only: a cross-site form cannot send it.
        if request.method != .get && request.method != .delete { try Self.requireJSON(request, allowEmpty: true) }
        guard let agent = context.agent else {
            throw APIError(
                status: .unauthorized, code: "not_signed_in", french: "Connexion d’un agent requise (POST /api/v1/session).",
                english: "An agent must sign in (POST /api/v1/session).")
        }
        if request.method != .get, !agent.role.writes, path != "/api/v1/session" {
            throw APIError(
                status: .forbidden, code: "read_only", french: "Un compte de coordination du réseau consulte sans rien modifier.",
                english: "A network coordinator's account reads and never writes.")
        }
        if request.method != .get, agent.role != .manager, Self.managerWrites.contains(where: { path.hasPrefix($0) }) {
            throw APIError(
                status: .forbidden, code: "manager_only", french: "Action réservée aux responsables de la structure.",
                english: "Only the structure's managers may do this.")
        }
        var response = try await next(request, context)
        response.headers[.cacheControl] = response.headers[.cacheControl] ?? "no-store"
        return response
    }

    let office: Office

    /// Refuses (415) a body that is not declared `application/json`: what an HTML form on
    /// another site can send (`text/plain`, form encodings) never passes, so neither a write
    /// nor a sign-in can be forged from elsewhere. `allowEmpty`: a bodiless write (an event
    /// such as check-in) needs no type.
    static func requireJSON(_ request: Request, allowEmpty: Bool) throws {
        let empty = request.headers[.contentLength] == "0" || (request.headers[.contentLength] == nil && request.headers[.contentType] == nil)
        guard isJSON(request.headers[.contentType]) || (allowEmpty && empty) else {
            throw APIError(
                status: .unsupportedMediaType, code: "json_expected", french: "Corps JSON attendu (Content-Type: application/json).",
                english: "A JSON body is expected (Content-Type: application/json).")
        }
    }

    /// The media type is exactly `application/json` (parameters such as `charset` aside):
    /// `application/jsonx` or `text/plain` is not JSON.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let type = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return type.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }
}
