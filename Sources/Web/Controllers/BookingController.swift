import OfficeKit
import Agenda
import Hummingbird
import Store

/// `/api/v1/bookings`: usagers' appointments and what happens to them.
struct BookingController<Context: RequestContext> {
    let office: Office

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("bookings", use: list)
        group.post("bookings", use: create)
        group.get("bookings/{id}", use: show)
        group.patch("bookings/{id}", use: reschedule)
        for event in BookingEvent.allCases where event != .reschedule {
            group.post("bookings/{id}/\(event.rawValue)") { request, context in
                try await apply(event, request: request, context: context)
            }
        }
    }

    struct UsagerInput: Decodable {
        let name: String
        let phone: String?
        let email: String?
        let reminderConsent: Bool?
    }

    struct Create: Decodable {
        let kind: String
        let permanence: String?
        let visioSlot: String?
        let room: String?
        let lifeSituation: String?
        let start: String
        let end: String
        let usager: UsagerInput
    }

    struct Reschedule: Decodable {
        let start: String
        let end: String
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let range = try DateRangeQuery(request, office: office, defaultDays: 31)
        let bookings = try await office.database.bookings(overlapping: range.span(office.zone))
        return try .json(zone: office.zone, WireList(items: bookings))
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Response {
        try .json(zone: office.zone, try await office.database.booking(id: context.id()))
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let input = try await request.decodeJSON(Create.self)
        guard let kind = BookingKind(rawValue: input.kind) else {
            throw APIError.invalid("kind", french: "Type « permanence », « visio » ou « room » attendu.", english: "Kind must be 'permanence', 'visio' or 'room'.")
        }
        let usager = Usager(
            name: input.usager.name, phone: input.usager.phone, email: input.usager.email,
            reminderConsent: input.usager.reminderConsent ?? false)
        let booking = try await office.createBooking(
            BookingRequest(
                kind: kind, permanence: input.permanence, visioSlot: input.visioSlot, room: input.room,
                lifeSituation: input.lifeSituation, span: try WireInput.span(start: input.start, end: input.end), usager: usager),
            channel: "api")
        return try .json(zone: office.zone, booking, status: .created)
    }

    @Sendable func reschedule(_ request: Request, context: Context) async throws -> Response {
        let id = try context.id()
        let input = try await request.decodeJSON(Reschedule.self)
        let booking = try await office.database.rescheduleBooking(
            id: id, to: try WireInput.span(start: input.start, end: input.end), structure: office.structure, now: office.clock())
        return try .json(zone: office.zone, booking)
    }

    func apply(_ event: BookingEvent, request: Request, context: Context) async throws -> Response {
        let booking = try await office.database.applyBookingEvent(id: try context.id(), event, now: office.clock())
        return try .json(zone: office.zone, booking)
    }
}
