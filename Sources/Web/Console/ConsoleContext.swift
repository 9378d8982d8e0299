import Agenda
import Hummingbird
import OfficeKit
import Station
import Store

/// A console request whose agent is known. The console's route group is built on it, so its
/// guard is the group itself: without an agent's session the conversion throws the refusal
/// (sign in, or "agents only" for a station's session) before any handler runs.
struct ConsoleContext: ChildRequestContext {
    var coreContext: CoreRequestContextStorage
    let agent: Agent
    let session: WebSession
    /// The posted form, read and checked against the session's CSRF token by `ConsoleFormGuard`
    /// (empty for a page that is only read).
    var form = FormData("")
    /// The agent's browser reached us over HTTPS (ours, or a trusted proxy's).
    let secure: Bool

    init(context: GuichetRequestContext) throws {
        guard let session = context.session else { throw ConsoleRefusal(reason: .notSignedIn) }
        guard session.kind == .agent, let agent = session.agent else { throw ConsoleRefusal(reason: .kioskOnly) }
        coreContext = context.coreContext
        self.agent = agent
        self.session = session
        secure = context.origin.secure
    }

    var csrf: String { session.csrf }
}

/// The manager's part of the console (accounts, hours, closures, permanences).
struct ManagerOnly: RouterMiddleware {
    func handle(_ request: Request, context: ConsoleContext, next: (Request, ConsoleContext) async throws -> Response) async throws -> Response {
        guard context.agent.role == .manager else { throw ConsoleRefusal(reason: .managerOnly) }
        return try await next(request, context)
    }
}

/// Every console form: read once (64 KiB at most) and refused unless it carries the
/// session's CSRF token; refused to a coordinator, who writes nothing (but signs out).
struct ConsoleFormGuard: RouterMiddleware {
    func handle(_ request: Request, context: ConsoleContext, next: (Request, ConsoleContext) async throws -> Response) async throws -> Response {
        guard request.method == .post else { return try await next(request, context) }
        guard context.agent.role.writes || request.uri.path == "/console/sign-out" else { throw ConsoleRefusal(reason: .readOnly) }
        var context = context
        context.form = try await FormData.read(request)
        guard let token = context.form["_csrf"], StationSecrets.same(token, context.csrf) else { throw ConsoleRefusal(reason: .badCSRF) }
        return try await next(request, context)
    }
}
