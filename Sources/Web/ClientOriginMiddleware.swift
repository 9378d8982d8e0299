import HTTPTypes
import Hummingbird
import Logging
import OfficeKit

/// Sets the request's `origin` from the socket's peer, or from a trusted proxy's
/// `X-Forwarded-For` and `X-Forwarded-Proto`; anyone else's forwarding headers are ignored.
/// A request from outside the structure's own networks reaches only what specialists need
/// (`Exposure.outside`); anything else is refused before any route runs.
struct ClientOriginMiddleware: RouterMiddleware {
    typealias Context = GuichetRequestContext
    let policy: NetworkPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        do {
            context.origin = try policy.origin(
                peer: context.remoteAddress?.ipAddress,
                forwardedFor: request.headers[values: .xForwardedFor], forwardedProto: request.headers[values: .xForwardedProto])
        } catch let .unreadable(header, value) {
            context.logger.error("a trusted proxy sent an unreadable \(header): \(value)")
            throw APIError(
                status: .badRequest, code: "forwarding_header", french: "En-tête \(header) illisible : \(value).",
                english: "Unreadable \(header) header from the reverse proxy: \(value).")
        }
        guard policy.isLocal(context.origin) || Exposure.outsideMayReach(request.uri.path) else {
            throw APIError(
                status: .forbidden, code: "outside_network", french: "Réservé au réseau de la structure.",
                english: "Only from the structure's own network.")
        }
        return try await next(request, context)
    }
}

/// What the daemon answers outside the structure's own networks: what the public and the
/// partners' specialists use — the public page and its contact form, the calendar feeds, a
/// specialist's visio page and what it loads (its socket, `/visio/{token}/ws`, is upgraded
/// before any route and checks its link itself). The console, the API, the stations' and the
/// room's routes, the health checks: the structure's network only.
enum Exposure {
    static let outsidePaths: Set<String> = ["/", "/contact"]
    static let outsidePrefixes = ["/visio/", "/kiosk-static/", "/static/", "/calendars/"]

    static func outsideMayReach(_ path: String) -> Bool {
        guard !path.contains("..") else { return false }
        return outsidePaths.contains(path) || outsidePrefixes.contains { path.hasPrefix($0) }
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
    static let xForwardedProto = Self("X-Forwarded-Proto")!
}
