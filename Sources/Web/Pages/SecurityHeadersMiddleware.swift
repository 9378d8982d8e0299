import HTTPTypes
import Hummingbird

/// The headers every HTML page carries, in one place: no caching (pages hold personal data),
/// no framing, a strict content security policy, no referrer. A page may set its own
/// `Permissions-Policy` (the specialist's, for the camera) or its own policy (the report).
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var policy: String {
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        guard response.headers[.contentType]?.hasPrefix("text/html") == true else { return response }
        response.headers[.cacheControl] = response.headers[.cacheControl] ?? "no-store"
        // A page may narrow the policy its own way (the saved report, its style inside it).
        response.headers[.contentSecurityPolicy] = response.headers[.contentSecurityPolicy] ?? Self.policy
        for (name, value) in [(HTTPField.Name.xFrameOptions, "DENY"), (.referrerPolicy, "no-referrer")] {
            if let name { response.headers[name] = value }
        }
        return response
    }
}

extension HTTPField.Name {
    /// Names HTTPTypes does not predefine. Valid tokens, so they always parse (the console's
    /// tests read both headers on every page).
    static let xFrameOptions = Self("X-Frame-Options")
    static let referrerPolicy = Self("Referrer-Policy")
    static let permissionsPolicy = Self("Permissions-Policy")
}
