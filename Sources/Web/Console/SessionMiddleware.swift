import OfficeKit
import Agenda
import StructureConfig
import Foundation
import Hummingbird
import Store

/// Finds the caller's session from its cookie. It never creates one: sessions are opened
/// only by a successful sign-in (or a station starting), which closes any previous one.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = GuichetRequestContext
    static let cookieName = "guichet_session"

    let office: Office

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let token = request.cookies[Self.cookieName]?.value {
            context.session = try await office.database.session(token: token, now: office.clock())
        }
        return try await next(request, context)
    }

    static func cookie(for session: WebSession, secure: Bool) -> Cookie {
        Cookie(
            name: cookieName, value: session.token, maxAge: Int(session.expiresAt.timeIntervalSinceNow.rounded()), path: "/",
            secure: secure, httpOnly: true, sameSite: .strict)
    }

    static var expiredCookie: Cookie {
        Cookie(name: cookieName, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict)
    }
}
