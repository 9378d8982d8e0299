import HTTPTypes
import Hummingbird
import Logging
import OfficeKit

/// Sets the request's `origin` from the socket's peer, or from a trusted proxy's
/// `X-Forwarded-For` and `X-Forwarded-Proto`; anyone else's forwarding headers are ignored.
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
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
    static let xForwardedProto = Self("X-Forwarded-Proto")!
}
