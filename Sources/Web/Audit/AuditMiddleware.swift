import Agenda
import Hummingbird
import OfficeKit
import Store

/// A request context that knows who acts (an agent), for the audit journal.
protocol AuditedRequestContext: RequestContext {
    var auditActor: String? { get }
}

extension GuichetRequestContext: AuditedRequestContext {
    var auditActor: String? { agent?.id }
}

extension ConsoleContext: AuditedRequestContext {
    var auditActor: String? { agent.id }
}

/// The one audit path of every write, API and console alike: on the route groups of both,
/// it names the action from the route (`AuditVocabulary`) and sets the request's
/// `AuditContext`; the store's write then records the line inside its own transaction. A
/// request that succeeded without writing (a visio call admitted: its state is in memory) is
/// recorded here. Refused requests record nothing.
struct AuditMiddleware<Context: AuditedRequestContext>: RouterMiddleware {
    let office: Office

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method != .get, request.method != .head, let actor = context.auditActor,
            let action = AuditVocabulary.action(request.method, route: context.endpointPath ?? "")
        else { return try await next(request, context) }
        let target = ["id", "booking", "date"].lazy.compactMap { context.parameters.get($0) }.first
        let audit = AuditContext(actor: actor, action: action, target: target, at: office.clock())
        let response = try await AuditContext.$current.withValue(audit) { try await next(request, context) }
        if !audit.isRecorded, response.status.code < 400 {
            try await office.database.audit(actor: actor, action: action, target: target, now: audit.at)
        }
        return response
    }
}

/// The journal's action names, by route: the same words for the API and the console.
enum AuditVocabulary {
    static func action(_ method: HTTPRequest.Method, route: String) -> String? {
        table["\(method.rawValue) \(route)"]
    }

    static let table: [String: String] = {
        var table = [
            "POST /api/v1/bookings": "booking.create", "POST /console/bookings": "booking.create",
            "PATCH /api/v1/bookings/{id}": "booking.reschedule", "POST /console/bookings/{id}/move": "booking.reschedule",
            "POST /api/v1/closures": "closure.announce", "POST /console/closures": "closure.announce",
            "DELETE /api/v1/closures/{id}": "closure.withdraw", "POST /console/closures/{id}/withdraw": "closure.withdraw",
            "PUT /api/v1/opening-hours": "hours.replace", "POST /console/hours": "hours.replace",
            // Opened or closed: the handler names which (AuditContext.naming).
            "PUT /api/v1/holidays/{date}": "holiday.set", "POST /console/holidays/{date}": "holiday.set",
            "POST /api/v1/permanences": "permanence.add", "POST /console/permanences": "permanence.add",
            "POST /api/v1/permanences/{id}/exceptions": "permanence.exception", "POST /console/permanences/{id}/exception": "permanence.exception",
            "DELETE /api/v1/permanences/{id}": "permanence.cancel", "POST /console/permanences/{id}/cancel": "permanence.cancel",
            "POST /api/v1/specialists": "specialist.add",
            "POST /api/v1/visio-slots": "visio-slot.add", "DELETE /api/v1/visio-slots/{id}": "visio-slot.cancel",
            "POST /console/contacts": "contact.record",
            "POST /console/referrals": "referral.send", "POST /console/referrals/{id}/answer": "referral.answer",
            "POST /console/referrals/{id}/close": "referral.close",
            "POST /console/mandates": "mandate.sign", "POST /console/mandates/{id}/withdraw": "mandate.withdraw",
            "POST /console/messages/{id}/answered": "message.answered",
            "POST /console/help/{id}/resolve": "help.resolve", "POST /console/help/{id}/accompanied": "help.accompanied",
            "POST /console/visio/{booking}/admit": "visio.admit", "POST /console/visio/{booking}/hang-up": "visio.hang-up",
            "POST /console/visio/{booking}/invite": "visio.invite", "POST /console/visio/{booking}/withdraw": "visio.withdraw",
            "POST /console/visio/{booking}/admit-guest": "visio.admit-guest",
            "POST /console/agents": "agent.add", "POST /console/agents/{id}/disable": "agent.disable",
            "POST /console/purge": "purge", "POST /console/rendez-vous-en-ligne": "self-booking.settings",
            "POST /console/devices/{id}/code": "device.code", "POST /console/devices/{id}/revoke": "device.revoke",
        ]
        for event in BookingEvent.allCases where event != .reschedule {
            table["POST /api/v1/bookings/{id}/\(event.rawValue)"] = "booking.\(event.rawValue)"
            table["POST /console/bookings/{id}/\(event.rawValue)"] = "booking.\(event.rawValue)"
        }
        return table
    }()

    /// Writes that leave no line of their own kind: sign-in and sign-out (the store journals
    /// the session), the station's and the room's (no agent acts).
    /// A device's enrolment is journalled by the store under the device's name; its contacts
    /// are not actions. A usager's own booking is journalled by the store (booking.self-create);
    /// a station's self-booking step only reads.
    static let unaudited = [
        "POST /console/sign-out", "POST /console/sign-in", "POST /api/v1/session", "DELETE /api/v1/session", "POST /api/v1/devices/enrol",
        "POST /api/v1/devices/contact", "POST /api/v1/devices/outbox", "POST /api/v1/devices/check-in",
        "POST /api/v1/devices/self-booking", "POST /api/v1/devices/self-booking/step",
    ]
}
