import HTTPTypes
import Hummingbird
import Synchronization

/// Answers 405 with `Allow` (RFC 9110 §15.5.6) when a path exists but not with the request's
/// method: Hummingbird's router answers 404 for both, which tells a client the wrong thing.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError where error.code == APIError.routeNotFound.code {
            let allowed = routes.methods(for: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method) else { throw error }
            let allow = allowed.map(\.rawValue).sorted().joined(separator: ", ")
            var response = try APIError(
                status: .methodNotAllowed, code: "method_not_allowed", french: "Méthode non permise sur cette adresse (permises : \(allow)).",
                english: "Method not allowed on this route (allowed: \(allow)).", details: ["allow": allow]
            ).response(from: request, context: context)
            response.headers[.allow] = allow
            return response
        }
    }
}

/// The methods each route pattern answers, read from the router once every route is added.
final class RouteMethods: Sendable {
    private let table = Mutex<[(segments: [Substring], methods: Set<HTTPRequest.Method>)]>([])

    func load(_ routes: [Router<GuichetRequestContext>.RouteDescription]) {
        var byPath: [String: Set<HTTPRequest.Method>] = [:]
        for route in routes { byPath[route.path.description, default: []].insert(route.method) }
        table.withLock { $0 = byPath.map { (Self.segments($0.key), $0.value) } }
    }

    /// Every method of the patterns matching `path`; empty when no route has this path.
    func methods(for path: String) -> Set<HTTPRequest.Method> {
        let asked = Self.segments(path)
        return table.withLock { table in
            table.filter { Self.matches($0.segments, asked) }.reduce(into: Set()) { $0.formUnion($1.methods) }
        }
    }

    private static func segments(_ path: String) -> [Substring] { path.split(separator: "/") }

    private static func matches(_ pattern: [Substring], _ path: [Substring]) -> Bool {
        var i = 0
        for segment in pattern {
            if segment == "**" { return true }
            guard i < path.count else { return false }
            if !(segment == "*" || segment.contains("{") || segment == path[i]) { return false }
            i += 1
        }
        return i == path.count
    }
}
