import OfficeKit
import Agenda
import StructureConfig
import Foundation
import Hummingbird
import Logging
import Store

/// Signing in and out, for the console (form) and for API clients (JSON).
struct SignInController: ConsolePagesUser {
    let office: Office
    let pages: WebPages

    /// Failed attempts tolerated in the window, per account and per address.
    static let window: TimeInterval = 15 * 60
    static let perLogin = 5
    static let perAddress = 20

    func addRoutes(to router: Router<GuichetRequestContext>) {
        router.get("console/sign-in", use: form)
        router.post("console/sign-in", use: signIn)
        router.post("api/v1/session", use: apiSignIn)
        router.delete("api/v1/session", use: apiSignOut)
    }

    /// Signing out is a console form like any other (an agent's, with the CSRF token).
    func addRoutes(to console: RouterGroup<ConsoleContext>) {
        console.post("sign-out", use: signOut)
    }

    @Sendable func form(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        if context.agent != nil { return .redirect(to: "/console") }
        return pages.console.page("sign-in", ["structure": office.structure.name, "error": false, "login": ""])
    }

    enum Outcome {
        case success(WebSession)
        case refused(String)
        /// A network's account, and the network out of reach.
        case unavailable(String)
    }

    static let networkOutOfReach =
        "La base du réseau France Services est injoignable : seuls les comptes de cette structure, et ceux du réseau déjà connectés ici, peuvent se connecter. Réessayez dans quelques minutes."

    /// The one path both sign-ins take: rate limit, password check, a fresh session.
    func authenticate(login: String, password: String, context: GuichetRequestContext, previous: String?) async throws -> Outcome {
        let now = office.clock()
        let address = context.clientAddress
        let failures = try await office.database.recentFailures(login: login, address: address, since: now.addingTimeInterval(-Self.window))
        if failures.login >= Self.perLogin || failures.address >= Self.perAddress {
            SecurityLog.logger.warning("sign-in refused: too many failures", metadata: ["guichet.login": "\(login.prefix(60))", "guichet.address": "\(address)"])
            throw ConsoleRefusal(reason: .rateLimited)
        }
        let candidate: SignInCandidate?
        do {
            candidate = login.isEmpty || login.count > 60 ? nil : try await office.signInCandidate(login: login)
        } catch let error as AgendaError where error == .networkUnavailable {
            _ = await Accounts.verify(password, hash: Accounts.decoyHash)
            SecurityLog.logger.notice("sign-in refused: the network's database is out of reach", metadata: ["guichet.login": "\(login.prefix(60))"])
            return .unavailable(Self.networkOutOfReach)
        }
        let matches = await Accounts.verify(password, hash: candidate?.passwordHash ?? Accounts.decoyHash)
        guard let candidate, matches, let agent = try await office.admit(candidate) else {
            try await office.database.recordSignInAttempt(login: login, address: address, succeeded: false, now: now)
            SecurityLog.logger.notice("sign-in failed", metadata: ["guichet.login": "\(login.prefix(60))", "guichet.address": "\(address)"])
            return .refused("Identifiant ou mot de passe incorrect.")
        }
        if candidate.lastSeen {
            SecurityLog.logger.notice("a network account signed in as last seen here: the network's database is out of reach", metadata: ["guichet.login": "\(login)"])
        }
        try await office.database.recordSignInAttempt(login: login, address: address, succeeded: true, now: now)
        SecurityLog.logger.info("signed in", metadata: ["guichet.login": "\(login)", "guichet.address": "\(address)"])
        let session = try await office.database.openSession(
            kind: .agent, agent: agent, station: nil, replacing: previous,
            lifetime: TimeInterval(office.config.console.sessionHours * 3600), now: now)
        return .success(session)
    }

    @Sendable func signIn(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        let form = try await FormData.read(request)
        let login = form["login"] ?? ""
        let previous = request.cookies[SessionMiddleware.cookieName]?.value
        switch try await authenticate(login: login, password: form.fields.first { $0.0 == "password" }?.1 ?? "", context: context, previous: previous) {
        case .success(let session):
            var response = Response.redirect(to: "/console")
            response.setCookie(SessionMiddleware.cookie(for: session, secure: context.origin.secure))
            return response
        case .refused(let message):
            return pages.console.page("sign-in", ["structure": office.structure.name, "error": message, "login": login], status: .unauthorized)
        case .unavailable(let message):
            return pages.console.page("sign-in", ["structure": office.structure.name, "error": message, "login": login], status: .serviceUnavailable)
        }
    }

    @Sendable func signOut(_ request: Request, context: ConsoleContext) async throws -> Response {
        try await office.database.closeSession(token: context.session.token, now: office.clock())
        var response = Response.redirect(to: "/console/sign-in")
        response.setCookie(SessionMiddleware.expiredCookie)
        return response
    }

    struct Credentials: Decodable {
        let login: String
        let password: String
    }

    struct SessionInfo: Encodable {
        let agent: String
        let role: String
        let expiresAt: String
    }

    @Sendable func apiSignIn(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        // Login CSRF: a form on another site could otherwise sign the browser into our account.
        try APIAccessMiddleware.requireJSON(request, allowEmpty: false)
        let input = try await request.decodeJSON(Credentials.self)
        let previous = request.cookies[SessionMiddleware.cookieName]?.value
        switch try await authenticate(login: input.login, password: input.password, context: context, previous: previous) {
        case .success(let session):
            var response = try Response.json(
                SessionInfo(agent: session.agent?.login ?? "", role: session.agent?.role.rawValue ?? "", expiresAt: ISO8601DateFormatter().string(from: session.expiresAt)),
                status: .created)
            response.setCookie(SessionMiddleware.cookie(for: session, secure: context.origin.secure))
            return response
        case .refused:
            throw APIError(status: .unauthorized, code: "bad_credentials", french: "Identifiant ou mot de passe incorrect.", english: "Wrong login or password.")
        case .unavailable(let message):
            throw APIError(
                status: .serviceUnavailable, code: "network_unavailable", french: message,
                english: "The network's database cannot be reached: only this structure's accounts, and the network's already signed in here, can sign in.")
        }
    }

    @Sendable func apiSignOut(_ request: Request, context: GuichetRequestContext) async throws -> Response {
        if let token = context.session?.token { try await office.database.closeSession(token: token, now: office.clock()) }
        var response = Response(status: .noContent)
        response.setCookie(SessionMiddleware.expiredCookie)
        return response
    }
}
